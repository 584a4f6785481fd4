// The shell oracle in ctest: 24,000 random values, each interpolated into one template of
// the corpus (every supported context), half of them known at compile time and half as a
// step's output rendered at run time, executed by dash and by bash. Every program must
// receive exactly the value's bytes. A larger run: scripts/fuzz render 600 (fuzz/render_fuzzer.cc).
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "tests/shell_oracle.h"

namespace drplan::oracle {
namespace {

std::vector<Case> make_cases(uint64_t seed, size_t n) {
  test_support::Rng rng(seed);
  std::vector<Case> cases;
  for (size_t i = 0; i < n; ++i)
    cases.push_back({random_value(rng), i % templates().size(), rng.chance(50)});
  return cases;
}

std::string report(const std::vector<std::string>& failures) {
  std::string out;
  for (const auto& f : failures) out += f + "\n";
  return out;
}

TEST(ShellOracle, EveryContextReceivesTheValueBytesUnderDashAndBash) {
  const auto cases = make_cases(20261202, 24000);
  std::vector<std::string> dash, bash;
  // The two shells on the two cores.
  std::thread t([&] { dash = run(cases, "/bin/dash"); });
  bash = run(cases, "/bin/bash");
  t.join();
  EXPECT_TRUE(dash.empty()) << report(dash);
  EXPECT_TRUE(bash.empty()) << report(bash);
}

TEST(ShellOracle, HandPickedHostileValues) {
  std::vector<std::string> values = {"",          "'",         "\"",        "\\",         "$(touch /tmp/pwned)",
                                     "`id`",      "$((1+1))",  "${HOME}",   "a\nb",       "trailing\n\n",
                                     "\\\n",      "-rf /",     "*",         "?[a]",       "~root",
                                     "a b\tc",    "'\\''",     "\"'\"'",    "$",          "x\\",
                                     "#!",        "; rm -rf x", "|| true",  "\r\n",       "\x01\x7f\xff"};
  std::vector<Case> cases;
  for (const auto& v : values)
    for (size_t t = 0; t < templates().size(); ++t)
      for (bool out : {false, true}) cases.push_back({v, t, out});
  auto dash = run(cases, "/bin/dash");
  auto bash = run(cases, "/bin/bash");
  EXPECT_TRUE(dash.empty()) << report(dash);
  EXPECT_TRUE(bash.empty()) << report(bash);
}

}  // namespace
}  // namespace drplan::oracle
