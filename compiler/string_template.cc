#include "compiler/string_template.h"

#include <cctype>

namespace drplan {

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

}  // namespace

bool split_string(std::string_view raw, Loc content, DiagnosticEngine& diags, std::vector<StringPiece>& out,
                  bool verbatim) {
  std::string lit;
  auto flush = [&] {
    if (lit.empty()) return;
    StringPiece p;
    p.literal = std::move(lit);
    out.push_back(std::move(p));
    lit.clear();
  };
  bool ok = true;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (verbatim && c == '\\' && i + 2 < raw.size() && raw[i + 1] == '$' && raw[i + 2] == '{') {
      lit += "${";
      i += 2;
      continue;
    }
    if (!verbatim && c == '\\' && i + 1 < raw.size()) {
      char n = raw[++i];
      switch (n) {
        case 'n': lit += '\n'; break;
        case 't': lit += '\t'; break;
        case '"': lit += '"'; break;
        case '\\': lit += '\\'; break;
        case '$': lit += '$'; break;
        default: lit += '\\'; lit += n; break;  // unknown escapes pass through (regexes)
      }
      continue;
    }
    if (c != '$' || i + 1 >= raw.size() || raw[i + 1] != '{') {
      lit += c;
      continue;
    }
    size_t start = i;
    size_t close = raw.find('}', i + 2);
    Loc at{content.file, content.offset + static_cast<uint32_t>(start),
           static_cast<uint32_t>((close == std::string_view::npos ? raw.size() : close + 1) - start)};
    if (close == std::string_view::npos) {
      diags.error(DiagCode::Syntax, at, "unterminated interpolation").help =
          "close it with '}'; write \\${ for a literal ${";
      return false;
    }
    std::string_view inner = raw.substr(i + 2, close - i - 2);
    StringPiece p;
    p.is_interpolation = true;
    p.loc = at;
    size_t bar = inner.find('|');
    std::string_view path = inner.substr(0, bar);
    if (bar != std::string_view::npos) {
      std::string_view filter = inner.substr(bar + 1);
      while (!filter.empty() && std::isspace(static_cast<unsigned char>(filter.front()))) filter.remove_prefix(1);
      while (!filter.empty() && std::isspace(static_cast<unsigned char>(filter.back()))) filter.remove_suffix(1);
      if (filter == "raw") {
        p.raw = true;
      } else if (filter == "glob") {
        p.glob = true;
      } else {
        diags.error(DiagCode::Syntax, at, "unknown filter '" + std::string(filter) + "' in interpolation")
            .help = "filters are `| glob` (a pattern: * and ? stay active) and `| raw` (unquoted shell code)";
        ok = false;
      }
    }
    std::string seg;
    bool bad = false;
    while (!path.empty() && std::isspace(static_cast<unsigned char>(path.front()))) path.remove_prefix(1);
    while (!path.empty() && std::isspace(static_cast<unsigned char>(path.back()))) path.remove_suffix(1);
    for (char pc : path) {
      if (pc == '.') {
        if (seg.empty()) bad = true;
        p.path.push_back(seg);
        seg.clear();
      } else if (ident_char(pc)) {
        seg += pc;
      } else {
        bad = true;
      }
    }
    if (seg.empty()) bad = true;
    p.path.push_back(seg);
    if (bad) {
      diags.error(DiagCode::Syntax, at, "malformed interpolation '${" + std::string(inner) + "}'").help =
          "interpolate a name or a dotted path: ${to.db.address}, ${vars.dns_zone}, ${step.output}";
      ok = false;
    } else {
      flush();
      out.push_back(std::move(p));
    }
    i = close;
  }
  flush();
  return ok;
}

}  // namespace drplan
