#include "compiler/shell_quote.h"

#include <algorithm>
#include <array>

namespace drplan {

std::string shell_quote(std::string_view s) {
  if (s.empty()) return "''";
  // Words of these bytes need no quotes (a table: this runs for every interpolated value).
  static constexpr auto kSafe = [] {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[c] = t[c - 'a' + 'A'] = true;
    for (char c : std::string_view("@%+=:,./_-")) t[static_cast<unsigned char>(c)] = true;
    return t;
  }();
  bool plain = std::all_of(s.begin(), s.end(), [](char c) { return kSafe[static_cast<unsigned char>(c)]; });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += "'";
  return out;
}

std::string shell_quote_glob(std::string_view s) {
  if (s.empty()) return "''";
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '*' || s[i] == '?') {
      out += s[i++];
      continue;
    }
    size_t j = s.find_first_of("*?", i);
    if (j == std::string_view::npos) j = s.size();
    // Always quoted, even plain text: `~` or `=` next to a glob must stay literal too.
    std::string_view run = s.substr(i, j - i);
    out += '\'';
    for (char c : run) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    out += '\'';
    i = j;
  }
  return out;
}

std::string backquote_escape(std::string_view s, int levels) {
  std::string out(s);
  for (int l = 0; l < levels; ++l) {
    std::string next;
    next.reserve(out.size() + 8);
    for (char c : out) {
      if (c == '\\' || c == '`' || c == '$') next += '\\';
      next += c;
    }
    out = std::move(next);
  }
  return out;
}

std::string quote_for_slot(std::string_view s, ShellSlot slot) {
  return backquote_escape(shell_quote(s), slot.backquotes);
}

}  // namespace drplan
