// The fast path against the ANTLR path, which defines the language, with the invariant of
// tests/parser_diff.h. Inputs: every .dr in the tree, a generated large plan, thousands of
// mutants, and the lexer's tricky corners (fuzz/parser_fuzzer.cc goes on from there).
#include "compiler/fast_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/parser.h"
#include "tests/parser_diff.h"
#include "tests/rng.h"

namespace drplan {

namespace {

namespace fs = std::filesystem;

using test_support::compare_parsers;
using Outcome = test_support::ParseOutcome;
Outcome compare(const std::string& text, bool fallback_ok = false) { return compare_parsers(text, fallback_ok); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const fs::path kSource = DRPLAN_SOURCE_DIR;

std::vector<fs::path> source_plans() {
  std::vector<fs::path> out;
  for (const char* dir : {"plans", "stdlib", "tests/golden"})
    for (const auto& e : fs::recursive_directory_iterator(kSource / dir))
      if (e.path().extension() == ".dr") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

using drplan::test_support::Rng;

// Rough tokens for mutation: words, strings, blanks, and single other bytes.
std::vector<std::string> split(const std::string& t) {
  std::vector<std::string> out;
  for (size_t i = 0; i < t.size();) {
    size_t j = i + 1;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; };
    if (word(t[i])) {
      while (j < t.size() && word(t[j])) ++j;
    } else if (t[i] == '"') {
      while (j < t.size() && t[j] != '"' && t[j] != '\n') j += t[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, t.size());
    } else if (std::isspace(static_cast<unsigned char>(t[i]))) {
      while (j < t.size() && std::isspace(static_cast<unsigned char>(t[j]))) ++j;
    }
    out.push_back(t.substr(i, j - i));
    i = j;
  }
  return out;
}

// clang-format off
const std::vector<std::string> kInserts = {
    "{", "}", "(", ")", "[", "]", "=", "==", "!=", "<", "<=", ">", ">=", ",", ";", ":", ".", "/", "!", "+",
    "&&", "||", "and", "or", "not", "none", "none \"r\"", "on", "after", "when", "as", "use", "def", "param",
    "phase", "check", "action", "gate", "wait", "true", "false", "1", "1.5", "1.", "30s", "2.5GiB", "x", "a-",
    "a-b", "\"s\"", "\"\"\"t\"\"\"", "\"\"\"", "\"", "#c\n", "//c\n", "/*c*/", "/*", "\n", " ", "\\", "-", "&", "|",
    "é", "\"é\"", "x = 1", "on h", "after a, b", "when !x", "= t.c()", "(a: 1)", "[1,]",
};
// clang-format on

std::string mutate(const std::string& text, Rng& r) {
  std::vector<std::string> toks = split(text);
  // clang-format off
  for (size_t ops = 1 + r.below(2); ops > 0 && !toks.empty(); --ops) {
    size_t a = r.below(toks.size()), b = r.below(toks.size());
    const std::string& insert = kInserts[r.below(kInserts.size())];
    switch (r.below(8)) {
      case 0: toks.erase(toks.begin() + static_cast<long>(a)); break;
      case 1: toks.insert(toks.begin() + static_cast<long>(a), toks[b]); break;
      case 2: std::swap(toks[a], toks[b]); break;
      case 3: toks[a] = insert; break;
      case 4: toks[a].erase(r.below(toks[a].size()), 1); break;  // a byte less
      case 5: toks[a].insert(r.below(toks[a].size() + 1), 1, static_cast<char>(' ' + r.below(95))); break;
      default: toks.insert(toks.begin() + static_cast<long>(a), insert); break;
    }
  }
  // clang-format on
  std::string out;
  for (const auto& t : toks) out += t;
  return out;
}

// A large plan that uses every construct, for the whole-file comparison.
std::string generated_plan(int steps) {
  std::string t =
      "# generated\nplan big {\n  title = \"big ${n}\"; on_failure = rollback\n"
      "  param n: int = 3\n  param wait_for: duration = 1.5s \n  param ratio: float = 0.25;\n"
      "  use stdlib/service as svc\n  use stdlib/postgres; use lib / x-y\n"
      "  template t(a: string, b: int = 2,) {\n    probe = \"echo ${a}\" + a, timeout = 5m;\n"
      "    rollback = none \"nothing to undo\"\n  }\n"
      "  def cmd(x: string) = \"\"\"multi\n  line \\${x} \"quoted\" ${x}\"\"\";\n"
      "  def flag() = !true == false && not (1 < 2) || 3 >= 4 and \"a\" != \"b\" + \"c\"\n";
  for (int i = 0; i < steps; ++i) {
    std::string n = std::to_string(i);
    if (i % 100 == 0) t += (i ? "  }\n" : "") + std::string("  phase \"Phase ") + n + " \\\"é\\\"\" {\n";
    switch (i % 5) {
      case 0:
        t += "    check s" + n + " on to.db-" + n + " when a.b && !(c == \"d\") {\n      probe = \"echo \\\"" + n +
             "\\\" é\" /* inline */ // rest\n      timeout = " + n + "s; retry = " + n + "\n    }\n";
        break;
      case 1:
        t += "    action s" + n + " after s" + std::to_string(i - 1) + ", s0 on local = svc.restart(name: \"x" + n +
             "\", [1, 2.5, 3GiB, none,], cmd(\"y\"),) { rollback = svc.start(\"x\") }\n";
        break;
      case 2:
        t += "    gate s" + n + " { ask = \"\"\"ok " + n + "?\"\"\", details = [\"a\", (\"b\" + \"c\")] };\n";
        break;
      case 3:
        t += "    wait s" + n + " when not x.ready or (y) after s" + std::to_string(i - 1) +
             " {\n      duration = 10%\n      until = f(g(h(1)), k: [[]])\n    }\n";
        break;
      default:
        t += "    check s" + n + " = t(a: \"z\", b: " + n + ")\n";
        break;
    }
  }
  t += "  }\n  check tail after s1 when true { probe = \"true\" }\n}\n";
  return t;
}

}  // namespace

TEST(FastParser, EverySourcePlanMatchesAntlr) {
  int valid = 0, invalid = 0;
  for (const auto& p : source_plans()) {
    Outcome o = compare(read_file(p));
    EXPECT_EQ(o.problem, "") << p;
    (o.antlr ? valid : invalid)++;
  }
  EXPECT_GE(valid, 30);
  EXPECT_GE(invalid, 3);  // the golden syntax errors: the fast path leaves them to ANTLR
}

TEST(FastParser, GeneratedLargePlanMatchesAntlr) {
  const std::string text = generated_plan(3000);
  Outcome o = compare(text);
  EXPECT_TRUE(o.antlr) << o.error;
  EXPECT_EQ(o.problem, "");

  using Clock = std::chrono::steady_clock;
  SourceManager sm;
  int file = sm.add("big.dr", text);
  DiagnosticEngine diags;
  auto t0 = Clock::now();
  auto slow = parse_file_antlr(sm, file, diags);
  auto t1 = Clock::now();
  auto fast = parse_file_fast(sm, file);
  auto t2 = Clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("[ fast parser ] %zu bytes: ANTLR %.1f ms, fast %.1f ms\n", text.size(), ms(t1 - t0), ms(t2 - t1));
  EXPECT_NE(fast, nullptr);
}

TEST(FastParser, MutantsKeepTheInvariant) {
  std::vector<std::string> seeds;
  for (const auto& p : source_plans()) seeds.push_back(read_file(p));
  // DRPLAN_FAST_PARSER_MUTANTS / _SEED run a longer hunt than the default.
  const char* count = std::getenv("DRPLAN_FAST_PARSER_MUTANTS");
  const char* seed = std::getenv("DRPLAN_FAST_PARSER_SEED");
  Rng rng(seed ? std::strtoull(seed, nullptr, 10) : 20250214);
  const int kMutants = count ? std::atoi(count) : 3000;
  int accepted = 0, failures = 0;
  for (int i = 0; i < kMutants; ++i) {
    std::string mutant = mutate(seeds[rng.below(seeds.size())], rng);
    Outcome o = compare(mutant);
    accepted += o.antlr;
    if (!o.problem.empty() && ++failures <= 5) ADD_FAILURE() << "mutant " << i << ": " << o.problem << "\n" << mutant;
  }
  EXPECT_EQ(failures, 0);
  // Some mutants must stay valid, or the second half of the invariant is not exercised.
  EXPECT_GT(accepted, kMutants / 20);
  std::printf("[ fast parser ] %d mutants, %d valid\n", kMutants, accepted);
}

// Each snippet (inside `plan p { ... }` unless it is a whole file) and whether it is valid.
TEST(FastParser, LexerAndGrammarCorners) {
  // clang-format off
  const std::vector<std::pair<std::string, bool>> cases = {
      // IDENT is [a-zA-Z_][a-zA-Z_0-9-]*, longest match: `a-` is one name, keywords only whole.
      {"x = a-", true}, {"x = a--b", true}, {"x = true-", true}, {"x = truex", true}, {"x = not-a", true},
      {"x = _", true}, {"x = plan", false}, {"x = a - b", false}, {"x = -a", false}, {"on = 1", false},
      // NUMBER / QUANTITY / '.'
      {"x = 1.5", true}, {"x = 1.", false}, {"x = 1.x", false}, {"x = 1.5s", true}, {"x = 30s", true},
      {"x = 10%", true}, {"x = 5GiB", true}, {"x = 1e5", false}, {"x = 1.5.3", false}, {"x = 0x10", false},
      {"x = 007", true}, {"x = 99999999999999999999999", true}, {"x = 1a_b", false},
      // comments
      {"x = 1 # c", true}, {"x = 1 // c", true}, {"x = /* c */ 1", true}, {"x = 1 /* open", false},
      {"/*/ x = 2 */ x = 1", true}, {"x = 1 /**/", true}, {"use a//b\n/c", true}, {"x = 1 #\r y = 2", true},
      // strings
      {R"(x = "a\"b")", true}, {R"(x = "a\\")", true}, {"x = \"a\\\nb\"", true}, {R"(x = "open)", false},
      {"x = \"a\nb\"", false}, {R"(x = "")", true}, {"x = \"é ${y}\"", true}, {R"(x = "a\)", false},
      // triple-quoted: non-greedy, and unclosed is "" then a new string
      {R"(x = """a"b""")", true}, {R"(x = """""")", true}, {R"(x = """a"""")", false},
      {"x = \"\"\"a\n b\\n\"\"\"", true}, {R"(x = """open)", false}, {R"(x = """a" + "b")", false},
      {R"(x = """a\""" + "c")", true},
      // operators: `!` tightest, then compare, and, or, and `+` loosest; all left-associative
      {"x = !a == b", true}, {"x = not a and b or c + d", true}, {"x = a + b + c", true}, {"x = (a + b) == c", true},
      {"x = !(a)", true}, {"x = !!a", true}, {"x = a <= b >= c < d > e != f", true}, {"x = a || b && c", true},
      {"x = (a) + (b)", true}, {"x = ((a))", true}, {"x = a + !b.c(d) || e", true}, {"x = a & b", false},
      {"x = a | b", false}, {"x = a ==", false}, {"x = !", false},
      // none, calls, lists, paths
      {"x = none", true}, {R"(x = none "why")", true}, {R"(x = [none, none "r",])", true}, {"x = []", true},
      {"x = [,]", false}, {"x = f()", true}, {"x = f(a, b: 1,)", true}, {"x = a.b.c(d: e.f)", true},
      {"x = f(,)", false}, {"x = a(b)(c)", false}, {"x = a .b", true}, {"x = a.", false},
      {R"(x = none """t""")", false}, {"x = f(a: )", false}, {"x = [1 2]", false},
      // declarations
      {"use a/b/c as d;", true}, {"use a / b", true}, {"use a/", false}, {"use a as", false},
      {"param p: int = 1; param q: string", true}, {"param p int", false},
      {"def d(a: int = 1, b: string,) = a + b;", true}, {"def d() = 1", true}, {"def d(,) = 1", false},
      {"template t() { }", true}, {"template t()", false}, {"phase \"t\" { }", true}, {R"(phase """t""" { })", false},
      {"phase \"t\" { x = 1 }", false},
      // steps: clauses in any order, one `on` and one `when`
      {"check a on h.x after b, c when d after e", true}, {"check a after b when c on d = t.f(1) { x = 1 };", true},
      {"action a { x = 1; y = 2, z = 3 }", true}, {"gate g\nwait w;", true}, {"check a on h on i", false},
      {"check a when b when c", false}, {"check a { x }", false}, {"check a { x = }", false},
      {"check a { x 1 }", false}, {"check a = t", false}, {"check a = (t())", false}, {"check a after b,", false},
      {"check a\nx = 1", true}, {"check a when b (c)", true},
      // whole files
      {"module m { use a; x = 1; template t() {} def d() = 1 }", true}, {"module m { param p: int }", false},
      {"module m { check a }", false}, {"plan p { } x", false}, {"plan p { }", true}, {"", false},
      {"# only a comment\n", false}, {"plan p {\r\n  x = 1\r\n}\r\n", true}, {"plan p { x = 1\f }", false},
      {std::string("plan p { x = \"\0\" }", 18), false}, {std::string("plan p { \0 }", 12), false},
      {"plan p { x = \"\xff\" }", false},
  };
  // clang-format on
  for (const auto& [snippet, valid] : cases) {
    bool whole =
        snippet.empty() || snippet.rfind("plan", 0) == 0 || snippet.rfind("module", 0) == 0 || snippet[0] == '#';
    std::string text = whole ? snippet : "plan p {\n  " + snippet + "\n}\n";
    Outcome o = compare(text);
    EXPECT_EQ(o.problem, "") << text;
    EXPECT_EQ(o.antlr, valid) << text;
  }
}

// A NUL or another control character in a string, a comment or between tokens: both paths
// refuse the file before parsing it (parse_file reports E0004), so they agree.
TEST(FastParser, ControlCharactersAreRefusedByBoth) {
  for (std::string c : {std::string(1, '\0'), std::string("\x1b"), std::string("\x7f"), std::string("\xc2\x85")})
    for (const std::string& text : {"plan p { x = \"a" + c + "b\" }", "plan p { x = \"\"\"a" + c + "\"\"\" }",
                                    "plan p { # " + c + "\n}", "plan p { /* " + c + " */ }", "plan p {" + c + "}"}) {
      Outcome o = compare(text);
      EXPECT_FALSE(o.antlr) << text;
      EXPECT_FALSE(o.fast) << text;
      EXPECT_EQ(o.problem, "") << text;
      EXPECT_NE(o.error.find("in source file"), std::string::npos) << o.error;
    }
}

// Every keyword, and words one letter off, in a place where only a name fits: the keyword
// table and ANTLR's lexer must agree on each.
TEST(FastParser, KeywordsAndNearMisses) {
  const char* keywords[] = {"plan", "module", "param", "use", "as", "template", "def", "phase", "check", "action", "gate",
                            "wait", "on", "after", "when", "none", "not", "and", "or", "true", "false"};
  std::vector<std::string> words;
  for (std::string k : keywords) {
    words.push_back(k);
    words.push_back(k + "s");
    words.push_back(k.substr(0, k.size() - 1));
    words.push_back("x" + k);
    words.push_back(std::string(1, static_cast<char>(std::toupper(k[0]))) + k.substr(1));
  }
  for (const auto& w : words) {
    const std::string text = "plan p {\n  check " + w + " { probe = \"true\" }\n}\n";
    Outcome o = compare(text);
    EXPECT_EQ(o.problem, "") << w;
  }
}

// A leading UTF-8 byte order mark: ANTLR's input stream drops it, the fast lexer skips it,
// and both place everything after it at its true byte offset.
TEST(FastParser, ByteOrderMarkIsSkippedByBoth) {
  for (const char* text : {"\xef\xbb\xbfplan p { x = 1 }", "\xef\xbb\xbfplan p { x = \"\xc3\xa9\" y = z }",
                           "\xef\xbb\xbf# comment\nplan p {}"}) {
    Outcome o = compare(text);
    EXPECT_TRUE(o.antlr) << text;
    EXPECT_TRUE(o.fast) << text;
    EXPECT_EQ(o.problem, "") << text;
  }
}

TEST(FastParser, OperatorPrecedenceAndLocations) {
  SourceManager sm;
  const std::string text = "plan p { x = (!a == b) + c }";
  int file = sm.add("t.dr", text);
  auto u = parse_file_fast(sm, file);
  ASSERT_NE(u, nullptr);
  const ast::Expr& concat = *u->settings.at(0).value;
  using K = ast::Expr::Kind;
  ASSERT_EQ(concat.kind, K::Concat);
  EXPECT_EQ(concat.loc.offset, text.find('('));  // the operand's parentheses are part of it
  const ast::Expr& cmp = *concat.children.at(0);
  ASSERT_EQ(cmp.kind, K::Compare);
  EXPECT_EQ(cmp.text, "==");
  EXPECT_EQ(cmp.loc.offset, text.find('!'));  // but not of the parenthesised expression itself
  EXPECT_EQ(cmp.loc.length, std::string("!a == b").size());
  EXPECT_EQ(cmp.children.at(0)->kind, K::Not);
}

// The limits parse_file's pre-screen enforces: the fast path refuses beyond them too.
TEST(FastParser, Limits) {
  auto nested = [](int depth) {
    return "plan p { x = " + std::string(static_cast<size_t>(depth), '(') + "1" +
           std::string(static_cast<size_t>(depth), ')') + " }";
  };
  // The plan's '{' is one level.
  EXPECT_TRUE(compare(nested(kMaxNesting - 1)).fast);
  Outcome deep = compare(nested(kMaxNesting));
  EXPECT_FALSE(deep.fast);
  EXPECT_EQ(deep.problem, "");

  auto chain = [](int ops) {  // exactly `ops` operators
    std::string t = "plan p { x = a";
    for (int n = 0; n < ops; n += ops - n >= 2 ? 2 : 1) t += ops - n >= 2 ? " + !a" : " && a";
    return t + " }";
  };
  EXPECT_TRUE(compare(chain(kMaxOperatorsPerExpression)).fast);
  Outcome many = compare(chain(kMaxOperatorsPerExpression + 1));
  EXPECT_FALSE(many.antlr);
  EXPECT_EQ(many.problem, "");
  // The count runs on across steps until a '{', '}', '=' or ';' starts a new statement.
  std::string steps = "plan p {";
  for (int i = 0; i <= kMaxOperatorsPerExpression; ++i) steps += " check s" + std::to_string(i) + " when !a";
  Outcome o = compare(steps + " }");
  EXPECT_FALSE(o.antlr);
  EXPECT_EQ(o.problem, "");
  // As many `!` in a row as allowed: valid, and unwound without recursion.
  Outcome nots = compare("plan p { x = " + std::string(kMaxOperatorsPerExpression, '!') + "a }");
  EXPECT_TRUE(nots.fast);
  EXPECT_EQ(nots.problem, "");
}

}  // namespace drplan
