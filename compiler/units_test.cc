#include "compiler/units.h"

#include <gtest/gtest.h>

namespace drplan {

TEST(Units, ParsesDurationsSizesAndPercents) {
  std::string err;
  EXPECT_EQ(parse_quantity("30s", &err)->value, 30000);
  EXPECT_EQ(parse_quantity("5m", &err)->value, 300000);
  EXPECT_EQ(parse_quantity("1.5s", &err)->value, 1500);
  EXPECT_EQ(parse_quantity("2GiB", &err)->kind, Quantity::Kind::Size);
  EXPECT_EQ(parse_quantity("2GiB", &err)->value, 2LL << 30);
  EXPECT_EQ(parse_quantity("20%", &err)->value, 20);
}

TEST(Units, RejectsUnknownUnitsWithAHint) {
  std::string err;
  EXPECT_FALSE(parse_quantity("30sec", &err));
  EXPECT_NE(err.find("unknown unit 'sec'"), std::string::npos) << err;
  EXPECT_FALSE(parse_quantity("120%", &err));
}

TEST(Units, FormatsDurations) {
  EXPECT_EQ(format_duration(90000), "1m30s");
  EXPECT_EQ(format_duration(3600000), "1h");
  EXPECT_EQ(format_duration(250), "250ms");
}

}  // namespace drplan
