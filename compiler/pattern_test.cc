#include "compiler/pattern.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace drplan {
namespace {

TEST(Pattern, SearchesAnywhereInTheText) {
  Pattern p("[0-9]+/[0-9A-F]+");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_TRUE(p.search("lsn 0/3000148\n"));
  EXPECT_FALSE(p.search("no position"));
  EXPECT_TRUE(Pattern("^writable$").search("writable"));
  // As in RE2 (and std::regex before it), $ is the end of the text, not of a line.
  EXPECT_FALSE(Pattern("^writable$").search("writable\n"));
  EXPECT_TRUE(Pattern("(?m)^writable$").search("x\nwritable\n"));
  EXPECT_TRUE(Pattern(R"(\d+\s\w+\b)").search("12 rows"));
}

TEST(Pattern, EmptyMatchesEverything) {
  Pattern none;
  EXPECT_TRUE(none.ok());
  EXPECT_TRUE(none.search(""));
  EXPECT_TRUE(Pattern("").search("anything"));
}

TEST(Pattern, InvalidPatternsSayWhyAndMatchNothing) {
  Pattern p("^(a");
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.error(), "missing ): ^(a");
  EXPECT_EQ(p.help(), "expect is an RE2 regex (syntax: https://github.com/google/re2/wiki/Syntax); it is "
                      "searched for in the output, as grep does");
  EXPECT_FALSE(p.search("^(a"));
}

TEST(Pattern, BacktrackingConstructsAreRefusedWithAHint) {
  struct Case {
    const char* pattern;
    const char* error;
    const char* help_starts;
  } cases[] = {
      {R"((a)\1)", R"(invalid escape sequence: \1)", "backreferences are not supported"},
      {"(?P<n>a)(?P=n)", "invalid perl operator: (?P", "backreferences are not supported"},
      {"x(?=y)", "invalid perl operator: (?=", "lookahead and lookbehind are not supported"},
      {"(?<!a)b", "invalid perl operator: (?<", "lookahead and lookbehind are not supported"},
      {"(?<n>a)", "invalid perl operator: (?<", "name a group with (?P<name>...)"},
      {"a++", "bad repetition operator: ++", "possessive repetition is not supported"},
      {R"(\pL{1000})", "pattern too large - compile failed", "the compiled pattern would need more than 8 MiB"},
  };
  for (const auto& c : cases) {
    Pattern p(c.pattern);
    EXPECT_FALSE(p.ok()) << c.pattern;
    EXPECT_EQ(p.error(), c.error) << c.pattern;
    EXPECT_EQ(p.help().rfind(c.help_starts, 0), 0u) << c.pattern << ": " << p.help();
  }
}

// The two patterns that crashed (recursion) and hung (backtracking) std::regex.
TEST(Pattern, MatchingIsLinearInTheText) {
  std::string ab;
  while (ab.size() < 64 * 1024) ab += "ab";
  std::string as(64 * 1024, 'a');
  as += 'b';
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(Pattern("^(a|b)*$").search(ab));
  EXPECT_FALSE(Pattern("^(a+)+$").search(as));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST(Pattern, CopiesShareOneCompiledFormAcrossThreads) {
  const Pattern p("^ok [0-9]+$");
  std::vector<std::thread> threads;
  std::vector<int> hits(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([copy = p, &hits, t] {
      for (int i = 0; i < 1000; ++i) hits[t] += copy.search("ok " + std::to_string(i));
    });
  for (auto& t : threads) t.join();
  for (int h : hits) EXPECT_EQ(h, 1000);
}

}  // namespace
}  // namespace drplan
