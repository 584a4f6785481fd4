#include "executor/terminal.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace drplan {

namespace {

void hex(std::string& out, const char* format, unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, format, value);
  out += buf;
}

// The length of the well-formed UTF-8 sequence at text[i] (no overlongs, no surrogates,
// nothing past U+10FFFF), or 0.
size_t utf8_length(std::string_view text, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const auto cont = [&](size_t k) { return i + k < text.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

// No TERM (cron, `env -i`, some service managers) says nothing about escape support.
bool known_terminal(const char* term) { return term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0; }

}  // namespace

std::string visible_controls(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && !(c == '\n' && keep_newlines)) || c == 0x7F) hex(out, "\\x%02x", c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    const size_t n = utf8_length(text, i);
    if (n == 0) {
      hex(out, "\\x%02x", c);
      ++i;
    } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      hex(out, "\\u%04x", static_cast<unsigned char>(text[i + 1]));  // a C1 control
      i += 2;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

bool redraw_supported() { return known_terminal(std::getenv("TERM")); }

bool color_wanted(bool is_tty, const char* no_color, const char* term) {
  return is_tty && no_color == nullptr && known_terminal(term);
}

bool color_wanted(int fd) { return color_wanted(isatty(fd) != 0, std::getenv("NO_COLOR"), std::getenv("TERM")); }

}  // namespace drplan
