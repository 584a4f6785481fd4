// A lexer for just enough of TOML to tell where a character stands: in a string, in a
// comment, or outside both, as toml++ would read it (toml_guard.h says why). Where it stops
// understanding (an unterminated string), toml++ stops too, with an error of its own.
#include "compiler/toml_guard.h"

#include <utility>

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

// toml++ reads a string only where a value or a key segment starts: after `=`, after `[`
// or `,` in an array, at a line's start, in a header, after `{` or `,` in an inline table,
// after a key's `.`. A value that starts otherwise is a bare token (a number, a date, a
// boolean, or a mistake) that toml++ reads, classifying each byte, up to a terminator
// (blank, line break, `]`, `}`, `,`, `#`): a quote or a bracket in it opens nothing
// (`n=5'...`, `b=+['...`).
TomlHazard find_toml_hazard(std::string_view s) {
  std::string open;      // brackets open: 'h' a table header, 'a' an array, 't' an inline table
  bool key_side = true;  // before the `=` of a key/value pair (or in a header)
  bool bare = false;     // in a bare value token
  char prev = '\n';      // the last byte outside strings and comments; '\n' at a line's start
  for (size_t i = utf8_bom_length(s); i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n' && open.empty()) key_side = true, prev = '\n';
    if (space(c)) {
      bare = false;
      continue;
    }
    if (high(c)) return {i, "non-ASCII character outside a string or comment"};
    const char before = std::exchange(prev, c);
    const bool in_array = !open.empty() && open.back() == 'a';
    const bool value_start = before == '=' || ((before == '[' || before == ',') && in_array);
    if (bare && std::string_view("]},#").find(c) == std::string_view::npos) continue;
    bare = value_start && std::string_view("\"'[{#").find(c) == std::string_view::npos;
    if (bare) continue;
    if (c == '#') {
      prev = before;
      while (i + 1 < s.size() && s[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool opens = std::string_view("\n=[{,\"'").find(before) != std::string_view::npos ||
                         (before == '.' && key_side);
      if (!opens) {
        prev = 'x';  // a byte of a bare token: the next quote does not open a string either
        continue;
      }
      const StringLiteral str = scan_string(s, i);
      if (str.hazard != npos)
        return {str.hazard, "non-ASCII character after a backslash in a multi-line string (toml++ 3.3 cannot "
                            "read it there; escape it as \\uXXXX)"};
      if (str.end == npos) return {};  // unterminated: toml++ reports it
      i = str.end - 1;
    } else if (c == '[') {
      const bool header = open.empty() && before == '\n';
      open += header ? 'h' : 'a';
      if (header && i + 1 < s.size() && s[i + 1] == '[') ++i;  // [[an array of tables]]
    } else if (c == ']') {
      if (!open.empty() && open.back() != 't') open.pop_back();
    } else if (c == '{') {
      open += 't';
      key_side = true;
    } else if (c == '}') {
      if (!open.empty() && open.back() == 't') open.pop_back();
      key_side = false;
    } else if (c == '=') {
      key_side = false;
    } else if (c == ',' && !open.empty() && open.back() == 't') {
      key_side = true;
    }
  }
  return {};
}

}  // namespace drplan
