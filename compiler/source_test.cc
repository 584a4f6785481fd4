// find_source_problem: what no plan or module may contain, found at its exact byte, at
// every alignment of the 8-bytes-at-a-time scan.
#include "compiler/source.h"

#include <gtest/gtest.h>

namespace drplan {

namespace {

using Kind = SourceProblem::Kind;

TEST(SourceProblems, TextWithTabsNewlinesAndUtf8HasNone) {
  const std::string text = "plan p {\r\n\tx = \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0\"\n}\n";
  EXPECT_EQ(find_source_problem(text).kind, Kind::None);
  EXPECT_EQ(find_source_problem("").kind, Kind::None);
}

TEST(SourceProblems, EachIsFoundAtItsByteWhereverItStands) {
  struct Case {
    std::string bytes;
    Kind kind;
    uint32_t length, code_point;
  };
  const std::vector<Case> cases = {
      {std::string(1, '\0'), Kind::Nul, 1, 0},   {"\x01", Kind::Control, 1, 1},
      {"\x1b", Kind::Control, 1, 0x1b},          {"\x0c", Kind::Control, 1, 0x0c},
      {"\x7f", Kind::Control, 1, 0x7f},          {"\xc2\x85", Kind::Control, 2, 0x85},
      {"\xc2\x9f", Kind::Control, 2, 0x9f},      {"\xff", Kind::InvalidUtf8, 1, 0},
      {"\xc0\xaf", Kind::InvalidUtf8, 1, 0},     {"\xed\xa0\x80", Kind::InvalidUtf8, 1, 0},
      {"\xf4\x90\x80\x80", Kind::InvalidUtf8, 1, 0}, {"\xe2\x82", Kind::InvalidUtf8, 1, 0},
  };
  for (const auto& c : cases)
    for (size_t at = 0; at < 20; ++at) {
      std::string text = std::string(at, 'a') + c.bytes + std::string(at % 11, 'b');
      SourceProblem p = find_source_problem(text);
      EXPECT_EQ(p.kind, c.kind) << at;
      EXPECT_EQ(p.offset, at);
      if (c.kind != Kind::InvalidUtf8) {
        EXPECT_EQ(p.length, c.length) << at;
        EXPECT_EQ(p.code_point, c.code_point) << at;
      }
    }
}

TEST(SourceProblems, TheScanGoesOnFromWhereItIsAsked) {
  const std::string text = std::string("a\0b\x1b" "c", 5);
  SourceProblem first = find_source_problem(text);
  EXPECT_EQ(first.kind, Kind::Nul);
  SourceProblem second = find_source_problem(text, first.offset + first.length);
  EXPECT_EQ(second.kind, Kind::Control);
  EXPECT_EQ(second.offset, 3u);
  EXPECT_EQ(find_source_problem(text, 4).kind, Kind::None);
}

}  // namespace

}  // namespace drplan
