#include "compiler/diagnostics.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "compiler/parser.h"
#include "tests/rng.h"

namespace drplan {

namespace {

// The offset of the first occurrence of `needle` in `text`.
uint32_t at(const std::string& text, std::string_view needle) {
  size_t pos = text.find(needle);
  if (pos == std::string::npos) throw std::runtime_error("not found: " + std::string(needle));
  return static_cast<uint32_t>(pos);
}

// What the parser reports for `text`, a file named `path` it must refuse, rendered.
std::string parse_errors(const std::string& path, std::string text) {
  SourceManager sm;
  int f = sm.add(path, std::move(text));
  DiagnosticEngine diags;
  EXPECT_EQ(parse_file(sm, f, diags), nullptr);
  diags.sort();
  return render_text(sm, diags.all(), false);
}

}  // namespace

TEST(Diagnostics, CodeNames) {
  Diagnostic e{Severity::Error, DiagCode::UnknownHost, {}, "", {}, {}};
  EXPECT_EQ(code_name(e), "E0203");
  Diagnostic w{Severity::Warning, DiagCode::NoRollback, {}, "", {}, {}};
  EXPECT_EQ(code_name(w), "W0501");
  Diagnostic s{Severity::Error, DiagCode::Syntax, {}, "", {}, {}};
  EXPECT_EQ(code_name(s), "E0001");
}

TEST(Diagnostics, RendersErrorWithCaretNoteAndHelp) {
  SourceManager sm;
  std::string text = "plan p {\n  action a on dr-dbb { run = \"true\" }\n  check b on local { probe = \"x\" }\n}\n";
  int f = sm.add("plans/x.dr", text);
  DiagnosticEngine diags;
  auto& d = diags.error(DiagCode::UnknownHost, Loc{f, at(text, "dr-dbb"), 6}, "unknown host 'dr-dbb'");
  d.notes.push_back({Loc{f, at(text, "b on"), 1}, "used here too"});
  d.help = "did you mean 'dr-db'?";
  EXPECT_EQ(render_text(sm, diags.all(), false),
            "plans/x.dr:2:15: error: unknown host 'dr-dbb' [E0203]\n"
            "  action a on dr-dbb { run = \"true\" }\n"
            "              ^~~~~~\n"
            "plans/x.dr:3:9: note: used here too\n"
            "  check b on local { probe = \"x\" }\n"
            "        ^\n"
            "help: did you mean 'dr-db'?\n");
}

TEST(Diagnostics, RendersWarningsAndUnlocatedErrors) {
  SourceManager sm;
  int f = sm.add("w.dr", "plan p {\n\tparam unused: int = 1\n}\n");
  DiagnosticEngine diags;
  diags.warning(DiagCode::UnusedParam, Loc{f, 16, 6}, "param 'unused' is never used");
  diags.error(DiagCode::TypeMismatch, Loc{}, "--set n=x: expected an int");
  // A tab prints as one space so the caret stays under the token.
  EXPECT_EQ(render_text(sm, diags.all(), false),
            "w.dr:2:8: warning: param 'unused' is never used [W0502]\n"
            " param unused: int = 1\n"
            "       ^~~~~~\n"
            "drplan: error: --set n=x: expected an int [E0201]\n");
}

TEST(Diagnostics, ColourOnlyWhenAsked) {
  SourceManager sm;
  int f = sm.add("c.dr", "x\n");
  DiagnosticEngine diags;
  diags.error(DiagCode::Syntax, Loc{f, 0, 1}, "bad");
  EXPECT_EQ(render_text(sm, diags.all(), false).find('\033'), std::string::npos);
  std::string coloured = render_text(sm, diags.all(), true);
  EXPECT_NE(coloured.find("\033[1;31merror: "), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("\033[1;32m^"), std::string::npos) << coloured;
}

TEST(Diagnostics, ControlBytesAndBadUtf8AreEscapedAndCaretStaysAligned) {
  SourceManager sm;
  std::string text = "a\x01\xff \xc3\xa9 bad\n";
  int f = sm.add("e.dr", text);
  DiagnosticEngine diags;
  diags.error(DiagCode::Syntax, Loc{f, at(text, "bad"), 3}, "here");
  EXPECT_EQ(render_text(sm, diags.all(), false),
            "e.dr:1:8: error: here [E0001]\n"
            "a\\x01\\xff \xc3\xa9 bad\n"
            "            ^~~\n");  // \x01 and \xff take 4 columns each, é one
}

TEST(Diagnostics, CaretAtEndOfFileAndUnderlineClampedToTheLine) {
  SourceManager sm;
  std::string text = "plan p {\n  check";
  int f = sm.add("eof.dr", text);
  DiagnosticEngine diags;
  diags.error(DiagCode::Syntax, Loc{f, static_cast<uint32_t>(text.size()), 0}, "unexpected end of file");
  diags.error(DiagCode::Syntax, Loc{f, at(text, "check"), 500}, "long");
  diags.sort();
  EXPECT_EQ(render_text(sm, diags.all(), false),
            "eof.dr:2:3: error: long [E0001]\n"
            "  check\n"
            "  ^~~~~\n"
            "eof.dr:2:8: error: unexpected end of file [E0001]\n"
            "  check\n"
            "       ^\n");
}

TEST(Diagnostics, HugeLinesAreNotPrinted) {
  SourceManager sm;
  std::string text(1000, 'x');
  int f = sm.add("big.dr", text);
  DiagnosticEngine diags;
  diags.error(DiagCode::Syntax, Loc{f, 900, 1}, "deep");
  EXPECT_EQ(render_text(sm, diags.all(), false), "big.dr:1:901: error: deep [E0001]\n");
}

TEST(Diagnostics, SortByFileOffsetSeverityAndDropDuplicates) {
  SourceManager sm;
  int a = sm.add("a.dr", "0123456789\n");
  int b = sm.add("b.dr", "0123456789\n");
  DiagnosticEngine diags;
  diags.error(DiagCode::Syntax, Loc{b, 1, 1}, "b1");
  diags.warning(DiagCode::NoRollback, Loc{a, 5, 1}, "a5 warning");
  diags.error(DiagCode::Syntax, Loc{a, 5, 1}, "a5 error");
  diags.error(DiagCode::Syntax, Loc{a, 2, 1}, "a2");
  diags.error(DiagCode::Syntax, Loc{a, 2, 1}, "a2");  // exact duplicate
  diags.sort();
  std::vector<std::string> order;
  for (const auto& d : diags.all()) order.push_back(d.message);
  EXPECT_EQ(order, (std::vector<std::string>{"a2", "a5 error", "a5 warning", "b1"}));
  EXPECT_EQ(diags.error_count(), 3u);
  EXPECT_EQ(diags.warning_count(), 1u);
  diags.promote_warnings();
  EXPECT_EQ(diags.error_count(), 4u);
  EXPECT_EQ(diags.warning_count(), 0u);
}

TEST(Diagnostics, JsonHasLocationsCodesNotesAndSurvivesBadUtf8) {
  SourceManager sm;
  std::string text = "plan p {\n  check x { probe = \"\xff\" }\n}\n";
  int f = sm.add("j.dr", text);
  DiagnosticEngine diags;
  auto& d = diags.error(DiagCode::BadEncoding, Loc{f, at(text, "\xff"), 1}, "bad byte \xff here");
  d.notes.push_back({Loc{f, 0, 4}, "in this plan"});
  d.help = "fix it";
  auto j = nlohmann::json::parse(render_json(sm, diags.all()));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["file"], "j.dr");
  EXPECT_EQ(j[0]["line"], 2);
  EXPECT_EQ(j[0]["column"], 22);
  EXPECT_EQ(j[0]["length"], 1);
  EXPECT_EQ(j[0]["severity"], "error");
  EXPECT_EQ(j[0]["code"], "E0002");
  EXPECT_EQ(j[0]["help"], "fix it");
  EXPECT_EQ(j[0]["notes"][0]["line"], 1);
  EXPECT_EQ(j[0]["notes"][0]["message"], "in this plan");
  EXPECT_EQ(j[0]["message"], "bad byte \xEF\xBF\xBD here");  // U+FFFD replaces the bad byte
}

TEST(Diagnostics, EditDistanceAndClosest) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("DR-DB", "dr-db"), 0u);  // case-insensitive
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(closest("dr-dbb", {"dc-db", "dr-db", "dr-app"}), "dr-db");
  EXPECT_EQ(closest("strat", {"start", "stop"}), "start");
  EXPECT_EQ(closest("zzzzzz", {"start", "stop"}), "");
  EXPECT_EQ(closest("a", {}), "");
  EXPECT_EQ(edit_distance(std::string(100, 'a'), "a"), 1000u);  // capped for huge names
}

// The banded distance with its early exit against the whole table, on random short names.
TEST(Diagnostics, BoundedEditDistanceAgreesWithTheFullTable) {
  auto full = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> t(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) t[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) t[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
      for (size_t j = 1; j <= b.size(); ++j)
        t[i][j] = std::min({t[i - 1][j] + 1, t[i][j - 1] + 1, t[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    return t[a.size()][b.size()];
  };
  test_support::Rng rng(7);
  auto word = [&] {
    std::string w(rng.below(12), 'a');
    for (char& c : w) c = static_cast<char>('a' + rng.below(3));  // few letters: many near misses
    return w;
  };
  for (int n = 0; n < 20000; ++n) {
    std::string a = word(), b = word();
    size_t limit = rng.below(6), d = full(a, b);
    ASSERT_EQ(edit_distance_within(a, b, limit), std::min(d, limit + 1)) << a << " " << b << " " << limit;
  }
  EXPECT_EQ(edit_distance_within(std::string(64, 'a'), std::string(64, 'b'), 3), 4u);
  EXPECT_EQ(edit_distance_within(std::string(65, 'a'), "a", 3), 4u);
}

TEST(Diagnostics, ClosestPrefersTheFirstOfferedOrTheSmallestUnordered) {
  Closest first("dbx");
  first.offer("dbz");
  first.offer("dba");  // as close, offered later
  EXPECT_EQ(first.best(), "dbz");
  Closest unordered("dbx");
  unordered.offer_unordered("dbz");
  unordered.offer_unordered("dba");  // as close and smaller: hints do not depend on hashing
  unordered.offer_unordered("db");   // as close (a deletion), smaller still
  EXPECT_EQ(unordered.best(), "db");
  Closest mixed("dbx");
  mixed.offer("dbz");
  mixed.offer_unordered("dba");  // an ordered candidate as close keeps its place
  EXPECT_EQ(mixed.best(), "dbz");
  mixed.offer_unordered("dbX");  // closer (case is ignored) wins
  EXPECT_EQ(mixed.best(), "dbX");
}

// 150 errors and 120 warnings: 100 of each are kept, the rest counted, and the list ends
// with one note that says so (however often it is sorted).
TEST(Diagnostics, PastTheLimitDiagnosticsAreOnlyCounted) {
  SourceManager sm;
  int f = sm.add("many.dr", std::string(1000, '\n'));
  DiagnosticEngine diags;
  for (uint32_t i = 0; i < 150; ++i) {
    EXPECT_EQ(diags.errors_full(), i >= DiagnosticEngine::kMaxKept);
    auto& d = diags.error(DiagCode::UnknownName, Loc{f, 999 - i, 1}, "unknown name 'x" + std::to_string(i) + "'");
    d.help = "a hint";
    d.notes.push_back({Loc{f, 0, 1}, "a note"});
  }
  for (uint32_t i = 0; i < 120; ++i) diags.warning(DiagCode::UnusedParam, Loc{f, i, 1}, "w" + std::to_string(i));
  // Repeats (a fan-out step's error on every host) count once, kept or not.
  for (int k = 0; k < 3; ++k) {
    diags.error(DiagCode::UnknownName, Loc{f, 999, 1}, "unknown name 'x0'").help = "lost";
    diags.error(DiagCode::UnknownName, Loc{f, 999 - 149, 1}, "unknown name 'x149'");  // an omitted one
  }
  EXPECT_EQ(diags.error_count(), 150u);
  EXPECT_EQ(diags.warning_count(), 120u);
  diags.sort();
  diags.sort();
  ASSERT_EQ(diags.all().size(), 201u);
  const Diagnostic& note = diags.all().back();
  EXPECT_EQ(note.severity, Severity::Note);
  EXPECT_EQ(note.message, "too many diagnostics: 50 more errors and 20 more warnings not shown");
  std::string text = render_text(sm, {note}, false);
  EXPECT_EQ(text,
            "drplan: note: too many diagnostics: 50 more errors and 20 more warnings not shown\n"
            "help: the first 100 of each kind are above; fix them and check again\n");
  auto j = nlohmann::json::parse(render_json(sm, {note}));
  EXPECT_EQ(j[0]["severity"], "note");
  EXPECT_FALSE(j[0].contains("code"));
  // The kept errors are the first 100 reported, not the first 100 in the file.
  EXPECT_EQ(diags.all()[100].message, "unknown name 'x99'");  // after the warnings, by offset
  EXPECT_EQ(diags.all()[199].message, "unknown name 'x0'");
  EXPECT_EQ(diags.all()[199].help, "a hint");  // not the repeat's
  diags.promote_warnings();  // --werror
  EXPECT_EQ(diags.error_count(), 270u);
  EXPECT_EQ(diags.warning_count(), 0u);
}

// The front end end-to-end through the renderer: the whole text is compared.
TEST(Diagnostics, ParserErrorsRenderCompletely) {
  auto render = [](std::string text) { return parse_errors("s.dr", std::move(text)); };
  // One mistake, one error: recovery does not add "unexpected '}', expected end of file".
  EXPECT_EQ(render("plan p {\n  check \"b\" { probe = \"x\" }\n}\n"),
            "s.dr:2:9: error: unexpected '\"b\"', expected a name [E0001]\n"
            "  check \"b\" { probe = \"x\" }\n"
            "        ^~~\n"
            "help: names are written without quotes\n");
  EXPECT_EQ(render("plan p {\n  action a { run = \"unterminated }\n}\n"),
            "s.dr:2:20: error: unterminated string [E0001]\n"
            "  action a { run = \"unterminated }\n"
            "                   ^~~~~~~~~~~~~~~\n"
            "help: close it with \" on the same line, or use \"\"\"...\"\"\" for text over several lines\n");
  // A stray '}' that is the only mistake is still reported.
  EXPECT_EQ(render("plan p {\n}\n}\n"),
            "s.dr:3:1: error: unexpected '}', expected end of file [E0001]\n"
            "}\n"
            "^\n");
  EXPECT_EQ(render("plan p {\n  check a { probe = \"x\" } @\n}\n"),
            "s.dr:2:27: error: unexpected character '@' [E0001]\n"
            "  check a { probe = \"x\" } @\n"
            "                          ^\n");
}

// A NUL would cut a command short where it runs; other control characters hide in review.
// The echoed line shows them escaped, C1 controls (\xc2\x80..\xc2\x9f) included.
TEST(Diagnostics, ControlCharactersAreLocatedErrors) {
  auto render = [](std::string text) { return parse_errors("c.dr", std::move(text)); };
  EXPECT_EQ(render("plan p {\n  action a { run = \"rm -rf /data" + std::string(1, '\0') + "_old\" }\n}\n"),
            "c.dr:2:33: error: NUL byte in source file [E0004]\n"
            "  action a { run = \"rm -rf /data\\x00_old\" }\n"
            "                                ^\n"
            "help: a command would be cut short at the NUL where it runs; remove it (is this a UTF-16 or binary "
            "file?)\n");
  EXPECT_EQ(render("plan p { x = \"\xc2\x9b" "2J\xc3\xa9\" }\n"),
            "c.dr:1:15: error: control character U+009B in source file [E0004]\n"
            "plan p { x = \"\\xc2\\x9b2J\xc3\xa9\" }\n"
            "              ^~\n"
            "help: only tab, line feed and carriage return may appear in a source; for a command, let the shell "
            "make the character (printf '\\033')\n");
}

// A UTF-8 byte order mark is not a column and is not echoed: errors on line 1 of a file that
// starts with one read exactly as without it, from the parser (ANTLR drops the mark) and
// from later phases (byte offsets) alike.
TEST(Diagnostics, ByteOrderMarkIsNotAColumn) {
  const std::string bom = "\xef\xbb\xbf";
  auto parse_error = [](std::string text) { return parse_errors("b.dr", std::move(text)); };
  const std::string bad = "plan p { check a { probe = \"x\" } @ }\n";
  EXPECT_EQ(parse_error(bom + bad), parse_error(bad));
  EXPECT_EQ(parse_error(bom + bad).substr(0, 10), "b.dr:1:34:");

  SourceManager sm;
  std::string text = bom + "plan p { x = 1 }\nplan q\n";
  int f = sm.add("c.dr", text);
  DiagnosticEngine diags;
  diags.error(DiagCode::DuplicateName, Loc{f, at(text, "x"), 1}, "here");
  diags.error(DiagCode::DuplicateName, Loc{f, at(text, "q"), 1}, "and here");
  diags.error(DiagCode::DuplicateName, Loc{f, 1, 1}, "inside the mark");
  diags.sort();
  EXPECT_EQ(render_text(sm, diags.all(), false),
            "c.dr:1:1: error: inside the mark [E0102]\n"
            "plan p { x = 1 }\n"
            "^\n"
            "c.dr:1:10: error: here [E0102]\n"
            "plan p { x = 1 }\n"
            "         ^\n"
            "c.dr:2:6: error: and here [E0102]\n"
            "plan q\n"
            "     ^\n");
  EXPECT_EQ(offset_of(sm, f, 1, 10), at(text, "x"));
}

}  // namespace drplan
