#include "compiler/units.h"

#include <gtest/gtest.h>

namespace drplan {

TEST(Units, ParsesDurationsSizesAndPercents) {
  QuantityError err;
  EXPECT_EQ(parse_quantity("30s", &err)->value, 30000);
  EXPECT_EQ(parse_quantity("5m", &err)->value, 300000);
  EXPECT_EQ(parse_quantity("1.5s", &err)->value, 1500);
  EXPECT_EQ(parse_quantity("2GiB", &err)->kind, Quantity::Kind::Size);
  EXPECT_EQ(parse_quantity("2GiB", &err)->value, 2LL << 30);
  EXPECT_EQ(parse_quantity("20%", &err)->value, 20);
}

TEST(Units, RejectsUnknownUnitsWithAHint) {
  QuantityError err;
  EXPECT_FALSE(parse_quantity("30sec", &err));
  EXPECT_EQ(err.message, "unknown unit 'sec' in '30sec'");
  EXPECT_NE(err.help.find("durations use ms, s, m, h, d"), std::string::npos) << err.help;
  EXPECT_FALSE(parse_quantity("120%", &err));
}

TEST(Units, DurationsAndSizesHaveMaxima) {
  QuantityError err;
  EXPECT_EQ(parse_quantity("366d", &err)->value, kMaxDurationMs);
  EXPECT_FALSE(parse_quantity("367d", &err));
  EXPECT_FALSE(parse_quantity("200000d", &err));
  EXPECT_EQ(err.message, "duration '200000d' is too long");
  EXPECT_EQ(err.help, "durations are at most 366d (one year)");
  // Once an overflow that timed out at once: as many ms as a 64-bit count nearly holds.
  EXPECT_FALSE(parse_quantity("9000000000000000000ms", &err));
  EXPECT_FALSE(parse_quantity("99999999999999999999999999999999999999999d", &err));
  EXPECT_EQ(parse_quantity("1048576TiB", &err)->value, kMaxSizeBytes);
  EXPECT_FALSE(parse_quantity("1048577TiB", &err));
  EXPECT_EQ(err.message, "size '1048577TiB' is too large");
  EXPECT_FALSE(parse_quantity("9000000000000000000B", &err));
}

TEST(Units, RejectsMalformedNumbers) {
  QuantityError err;
  // --set values reach parse_quantity unlexed: "s" once meant 0s, "1.5.5s" 1.5s.
  for (const char* bad : {"s", ".s", "1.5.5s", "1..5s"}) {
    EXPECT_FALSE(parse_quantity(bad, &err)) << bad;
    EXPECT_EQ(err.message, "malformed quantity '" + std::string(bad) + "'");
  }
}

TEST(Units, FormatsDurations) {
  EXPECT_EQ(format_duration(90000), "1m30s");
  EXPECT_EQ(format_duration(3600000), "1h");
  EXPECT_EQ(format_duration(250), "250ms");
}

}  // namespace drplan
