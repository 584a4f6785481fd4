#include "compiler/string_template.h"
#include "compiler/shell_quote.h"

#include <gtest/gtest.h>

namespace drplan {

namespace {

// Splits `raw` as the contents of a string literal at offset 0 of an in-memory file.
struct Split {
  SourceManager sm;
  DiagnosticEngine diags;
  std::vector<StringPiece> pieces;
  bool ok = false;

  explicit Split(std::string_view raw, bool verbatim = false) {
    int file = sm.add("t.dr", std::string(raw));
    ok = split_string(raw, Loc{file, 0, 0}, diags, pieces, verbatim);
  }
  std::string messages() const {
    std::string out;
    for (const auto& d : diags.all()) out += d.message + "\n";
    return out;
  }
};

}  // namespace

TEST(SplitString, LiteralOnly) {
  Split s("systemctl start ft-main-server");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.pieces.size(), 1u);
  EXPECT_FALSE(s.pieces[0].is_interpolation);
  EXPECT_EQ(s.pieces[0].literal, "systemctl start ft-main-server");
}

TEST(SplitString, InterpolationsBetweenLiterals) {
  Split s("ping ${to.db.address} -c ${count}!");
  ASSERT_TRUE(s.ok) << s.messages();
  ASSERT_EQ(s.pieces.size(), 5u);
  EXPECT_EQ(s.pieces[0].literal, "ping ");
  EXPECT_TRUE(s.pieces[1].is_interpolation);
  EXPECT_EQ(s.pieces[1].path, (std::vector<std::string>{"to", "db", "address"}));
  EXPECT_FALSE(s.pieces[1].raw);
  EXPECT_EQ(s.pieces[1].loc.offset, 5u);
  EXPECT_EQ(s.pieces[1].loc.length, 16u);  // the whole ${to.db.address}
  EXPECT_EQ(s.pieces[2].literal, " -c ");
  EXPECT_EQ(s.pieces[3].path, (std::vector<std::string>{"count"}));
  EXPECT_EQ(s.pieces[4].literal, "!");
}

TEST(SplitString, RawFilterAndSpacesInsideBraces) {
  Split s("${ manager | raw } is-active");
  ASSERT_TRUE(s.ok) << s.messages();
  ASSERT_EQ(s.pieces.size(), 2u);
  EXPECT_TRUE(s.pieces[0].raw);
  EXPECT_EQ(s.pieces[0].path, (std::vector<std::string>{"manager"}));
}

TEST(SplitString, HyphenatedNames) {
  Split s("${hosts.dr-db.address}");
  ASSERT_TRUE(s.ok) << s.messages();
  EXPECT_EQ(s.pieces[0].path, (std::vector<std::string>{"hosts", "dr-db", "address"}));
}

TEST(SplitString, DecodesEscapes) {
  Split s(R"(a\"b\\c\nd\te\${x}\d)");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.pieces.size(), 1u);
  // \$ keeps ${x} literal; unknown escapes such as \d pass through for regexes.
  EXPECT_EQ(s.pieces[0].literal, "a\"b\\c\nd\te${x}\\d");
}

TEST(SplitString, BareDollarIsLeftToTheShell) {
  Split s("echo $HOME $(id -un) $");
  ASSERT_TRUE(s.ok);
  ASSERT_EQ(s.pieces.size(), 1u);
  EXPECT_EQ(s.pieces[0].literal, "echo $HOME $(id -un) $");
}

TEST(SplitString, VerbatimKeepsBackslashesButNotEscapedInterpolation) {
  Split s(R"(printf '%s\n' \${x} ${y})", /*verbatim=*/true);
  ASSERT_TRUE(s.ok) << s.messages();
  ASSERT_EQ(s.pieces.size(), 2u);
  EXPECT_EQ(s.pieces[0].literal, R"(printf '%s\n' ${x} )");
  EXPECT_EQ(s.pieces[1].path, (std::vector<std::string>{"y"}));
}

TEST(SplitString, UnterminatedInterpolationIsLocated) {
  Split s("echo ${to.db.address");
  EXPECT_FALSE(s.ok);
  ASSERT_EQ(s.diags.all().size(), 1u);
  const Diagnostic& d = s.diags.all()[0];
  EXPECT_EQ(d.code, DiagCode::Syntax);
  EXPECT_EQ(d.message, "unterminated interpolation");
  EXPECT_EQ(d.loc.offset, 5u);
  EXPECT_EQ(d.loc.length, 15u);  // to the end of the string
}

TEST(SplitString, MalformedInterpolations) {
  for (const char* bad : {"${}", "${a.}", "${.a}", "${a..b}", "${a!}", "${a'b}"}) {
    Split s(bad);
    EXPECT_FALSE(s.ok) << bad;
    ASSERT_EQ(s.diags.all().size(), 1u) << bad;
    EXPECT_EQ(s.diags.all()[0].message, "malformed interpolation '" + std::string(bad) + "'") << bad;
  }
}

TEST(SplitString, UnknownFilter) {
  Split s("${x | upper}");
  EXPECT_FALSE(s.ok);
  ASSERT_EQ(s.diags.all().size(), 1u);
  EXPECT_EQ(s.diags.all()[0].message, "unknown filter 'upper' in interpolation");
}

TEST(SplitString, ReportsEveryBadInterpolationInOneString) {
  Split s("${} ok ${x | shout} ${y.}");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.diags.all().size(), 3u) << s.messages();
}

TEST(ShellQuote, PlainWordsStayAsTheyAre) {
  EXPECT_EQ(shell_quote("ft-main-server"), "ft-main-server");
  EXPECT_EQ(shell_quote("/var/lib/x_y.conf"), "/var/lib/x_y.conf");
  EXPECT_EQ(shell_quote("10.0.0.1:5432"), "10.0.0.1:5432");
  EXPECT_EQ(shell_quote("user@host"), "user@host");
}

TEST(ShellQuote, EmptyIsAnEmptyWord) { EXPECT_EQ(shell_quote(""), "''"); }

TEST(ShellQuote, SpecialCharactersAreSingleQuoted) {
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
  EXPECT_EQ(shell_quote("`id`"), "'`id`'");
  EXPECT_EQ(shell_quote("a;b|c&d"), "'a;b|c&d'");
  EXPECT_EQ(shell_quote("line1\nline2"), "'line1\nline2'");
  EXPECT_EQ(shell_quote("*"), "'*'");
  EXPECT_EQ(shell_quote("~root"), "'~root'");
}

TEST(ShellQuote, SingleQuoteIsClosedEscapedAndReopened) {
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("'"), "''\\'''");
}

// The quoted word must be inert: the shell gives back exactly the original bytes as ONE word.
TEST(ShellQuote, RoundTripsThroughTheShellAsOneWord) {
  const std::vector<std::string> values = {
      "it's", "a b  c", "$(touch /tmp/drplan-pwned)", "`id`", "x\ny", "\"double\"", "back\\slash",
      "$HOME", "*", "-rf", "a'b'c", "tab\there", "!bang", "semi;colon", "'"};
  for (const auto& v : values) {
    std::string cmd = "set -- " + shell_quote(v) + "; printf '%s|%d' \"$1\" $#";
    std::string full = "/bin/sh -c " + shell_quote(cmd);
    FILE* p = popen(full.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    EXPECT_EQ(out, v + "|1") << "value: " << v;
  }
}

}  // namespace drplan
