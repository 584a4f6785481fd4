// find_toml_hazard: non-ASCII text stays welcome in strings (keys and values) and comments;
// where toml++ 3.3 would classify it (undefined behaviour), it is refused at its byte.
#include "compiler/toml_guard.h"

#include <gtest/gtest.h>

namespace drplan {

namespace {

TEST(TomlGuard, NonAsciiValuesAndCommentsAreFine) {
  const char* text =
      "\xef\xbb\xbf# na\xc3\xafve\ntitle = \"Caf\xc3\xa9\"  # \xc3\xa9\nl = '\xc3\xa9'\n"
      "d = \"\"\"\xc3\xa9\n\xc3\xbc\\n\\\\\xc3\xa9\"\"\"\"\narr = [\"\xc3\xa9\", '\xc3\xbc', [\"\xc3\xa9\"]]\n"
      "t = { x = \"\xc3\xa9\", y = ['\xc3\xa9'] }\n\"caf\xc3\xa9\" = \"\xc3\xa9\"\n[hosts.\"caf\xc3\xa9\"]\n"
      "[[list]]\nlit = '''\\\n\xc3\xa9'''\n";
  TomlHazard h = find_toml_hazard(text);
  EXPECT_EQ(h.offset, std::string_view::npos) << h.offset << ": " << h.message;
}

TEST(TomlGuard, NonAsciiWhereTomlPlusPlusWouldClassifyItIsRefused) {
  const std::string e = "\xc3\xa9";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {e + " = 1", "outside a string"},
      {"a = 1" + e, "outside a string"},
      {"a = \"x\" " + e, "outside a string"},
      {"n=5'" + e + "'", "outside a string"},  // a quote inside a bare token opens no string
      {"n = 1.\"" + e + "\"", "outside a string"},
      {"a = [1, 2\"" + e + "\"]", "outside a string"},
      {"b=+['" + e, "outside a string"},  // nor does a bracket
      {"b = [ 1, x{\"" + e + "\"} ]", "outside a string"},
      {"s = \"\"\"\\" + e + "\"\"\"", "after a backslash"},
      {"s = \"\"\"x\\\n   \n  " + e + "\"\"\"", "after a backslash"},
  };
  for (const auto& [text, what] : cases) {
    TomlHazard h = find_toml_hazard(text);
    EXPECT_EQ(h.offset, text.find(e)) << text;
    EXPECT_NE(h.message.find(what), std::string::npos) << text << ": " << h.message;
  }
}

// toml++ stops at an unterminated string with an error of its own, before what follows.
TEST(TomlGuard, AnUnterminatedStringIsLeftToTomlPlusPlus) {
  EXPECT_EQ(find_toml_hazard("a = \"\xc3\xa9\n\xc3\xa9").offset, std::string_view::npos);
  EXPECT_EQ(find_toml_hazard("a = \"\"\"\xc3\xa9").offset, std::string_view::npos);
}

}  // namespace

}  // namespace drplan
