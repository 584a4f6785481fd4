// A lexer for just enough of TOML to tell where a character stands: in a string, in a
// comment, or outside both (toml_guard.h says why). Where it stops understanding (an
// unterminated string), toml++ stops too, with an error of its own.
#include "compiler/toml_guard.h"

#include "compiler/source.h"

namespace drplan {

namespace {

constexpr size_t npos = std::string_view::npos;

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool high(char c) { return static_cast<unsigned char>(c) >= 0x80; }

struct StringLiteral {
  size_t end = npos;     ///< one past the closing quotes; npos: unterminated
  size_t hazard = npos;  ///< a non-ASCII byte right after a backslash (multi-line basic)
};

StringLiteral scan_string(std::string_view s, size_t i) {
  const char q = s[i];
  const std::string_view quotes = q == '"' ? R"(""")" : "'''";
  const bool multi = s.substr(i, 3) == quotes;
  StringLiteral out;
  size_t j = i + (multi ? 3 : 1);
  while (j < s.size()) {
    const char c = s[j];
    if (multi ? s.substr(j, 3) == quotes : c == q) break;
    if (!multi && c == '\n') return out;
    if (q != '"' || c != '\\') {
      ++j;
      continue;
    }
    size_t k = j + 1;  // what the backslash escapes; toml++ asks of it whether it is whitespace
    if (multi && k < s.size() && space(s[k])) {
      while (k < s.size() && space(s[k])) ++k;  // a line-ending backslash, then toml++ skips blanks
      if (k < s.size() && high(s[k]) && out.hazard == npos) out.hazard = k;
      j = k;
      continue;
    }
    if (multi && k < s.size() && high(s[k]) && out.hazard == npos) out.hazard = k;
    j = k + 1;
  }
  if (j >= s.size()) return out;
  if (multi)
    for (int extra = 0; extra < 2 && j + 3 < s.size() && s[j + 3] == q; ++extra) ++j;  // """a"""" holds a"
  out.end = j + (multi ? 3 : 1);
  return out;
}

}  // namespace

TomlHazard find_toml_hazard(std::string_view s) {
  for (size_t i = utf8_bom_length(s); i < s.size(); ++i) {
    const char c = s[i];
    if (high(c)) return {i, "non-ASCII character outside a string or comment"};
    if (c == '#') {
      while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const StringLiteral str = scan_string(s, i);
      if (str.hazard != npos)
        return {str.hazard, "non-ASCII character after a backslash in a multi-line string (toml++ 3.3 cannot "
                            "read it there; escape it as \\uXXXX)"};
      if (str.end == npos) return {};  // unterminated: toml++ reports it
      i = str.end - 1;
    }
  }
  return {};
}

}  // namespace drplan
