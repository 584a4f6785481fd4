#include "compiler/diagnostics.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace drplan {

std::string code_name(const Diagnostic& d) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%c%04d", d.severity == Severity::Error ? 'E' : 'W',
                static_cast<int>(d.code));
  return buf;
}

Diagnostic& DiagnosticEngine::error(DiagCode code, Loc loc, std::string message) {
  diags_.push_back({Severity::Error, code, loc, std::move(message), {}, {}});
  return diags_.back();
}

Diagnostic& DiagnosticEngine::warning(DiagCode code, Loc loc, std::string message) {
  diags_.push_back({Severity::Warning, code, loc, std::move(message), {}, {}});
  return diags_.back();
}

bool DiagnosticEngine::has_errors() const { return error_count() > 0; }

size_t DiagnosticEngine::error_count() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

size_t DiagnosticEngine::warning_count() const {
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::Warning; });
}

void DiagnosticEngine::promote_warnings() {
  for (auto& d : diags_)
    if (d.severity == Severity::Warning) d.severity = Severity::Error;
}

void DiagnosticEngine::sort() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.loc.file != b.loc.file) return a.loc.file < b.loc.file;
    if (a.loc.offset != b.loc.offset) return a.loc.offset < b.loc.offset;
    return a.severity < b.severity;
  });
  auto same = [](const Diagnostic& a, const Diagnostic& b) {
    return a.loc.file == b.loc.file && a.loc.offset == b.loc.offset && a.code == b.code &&
           a.message == b.message;
  };
  diags_.erase(std::unique(diags_.begin(), diags_.end(), same), diags_.end());
}

namespace {

struct Style {
  bool on;
  const char* bold() const { return on ? "\033[1m" : ""; }
  const char* red() const { return on ? "\033[1;31m" : ""; }
  const char* magenta() const { return on ? "\033[1;35m" : ""; }
  const char* green() const { return on ? "\033[1;32m" : ""; }
  const char* cyan() const { return on ? "\033[1;36m" : ""; }
  const char* reset() const { return on ? "\033[0m" : ""; }
};

const char* severity_word(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// Source lines may hold control bytes or invalid UTF-8: print them escaped so the
// caret line stays aligned and the terminal stays sane.
std::string printable(std::string_view line, size_t* caret_col) {
  std::string out;
  size_t original_col = caret_col ? *caret_col : 0, shift = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f || c >= 0x80) {
      // Keep valid multi-byte UTF-8 sequences (they print as one column each), but not
      // the C1 controls U+0080..U+009F (\xc2\x80..\xc2\x9f): some terminals obey them.
      const bool c1 = c == 0xc2 && i + 1 < line.size() && static_cast<unsigned char>(line[i + 1]) < 0xa0;
      if (c >= 0xc2 && c <= 0xf4 && !c1) {
        size_t n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
        bool ok = true;
        for (size_t k = 1; ok && k <= n; ++k)
          ok = i + k < line.size() && (static_cast<unsigned char>(line[i + k]) & 0xc0) == 0x80;
        if (ok) {
          out.append(line.substr(i, n + 1));
          if (i < original_col) shift -= n;
          i += n;
          continue;
        }
      }
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      if (i < original_col) shift += 3;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (caret_col) *caret_col = original_col + shift;
  return out;
}

void render_location(const SourceManager& sm, Loc loc, const Style& st, std::string& out) {
  if (!loc.valid()) return;
  std::string_view line = sm.line_text(loc);
  if (line.size() > 400) return;  // a huge line helps nobody; the column says where
  LineCol lc = sm.line_col(loc);
  size_t col = std::min<size_t>(lc.col - 1, line.size());
  std::string shown = printable(line, &col);
  out += shown;
  out += '\n';
  out += std::string(col, ' ');
  out += st.green();
  out += '^';
  uint32_t len = loc.length;
  size_t remain = line.size() > lc.col - 1 ? line.size() - (lc.col - 1) : 0;
  if (len > remain) len = static_cast<uint32_t>(remain);
  if (len > 1) out += std::string(len - 1, '~');
  out += st.reset();
  out += '\n';
}

std::string prefix(const SourceManager& sm, Loc loc) {
  if (!loc.valid()) return "drplan: ";
  LineCol lc = sm.line_col(loc);
  return sm.path(loc.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": ";
}

}  // namespace

std::string render_text(const SourceManager& sm, const std::vector<Diagnostic>& diags, bool color) {
  Style st{color};
  std::string out;
  for (const auto& d : diags) {
    const char* sev_color = d.severity == Severity::Error ? st.red() : st.magenta();
    out += st.bold();
    out += prefix(sm, d.loc);
    out += sev_color;
    out += severity_word(d.severity);
    out += ": ";
    out += st.reset();
    out += st.bold();
    out += d.message;
    out += " [" + code_name(d) + "]";
    out += st.reset();
    out += '\n';
    if (!d.hide_source) render_location(sm, d.loc, st, out);
    for (const auto& n : d.notes) {
      out += st.bold();
      out += prefix(sm, n.loc);
      out += st.cyan();
      out += "note: ";
      out += st.reset();
      out += n.message;
      out += '\n';
      render_location(sm, n.loc, st, out);
    }
    if (!d.help.empty()) {
      out += st.green();
      out += "help: ";
      out += st.reset();
      out += d.help;
      out += '\n';
    }
  }
  return out;
}

std::string render_json(const SourceManager& sm, const std::vector<Diagnostic>& diags) {
  nlohmann::json arr = nlohmann::json::array();
  auto where = [&](Loc loc, nlohmann::json& j) {
    if (!loc.valid()) return;
    LineCol lc = sm.line_col(loc);
    j["file"] = sm.path(loc.file);
    j["line"] = lc.line;
    j["column"] = lc.col;
    j["length"] = loc.length;
  };
  for (const auto& d : diags) {
    nlohmann::json j;
    where(d.loc, j);
    j["severity"] = severity_word(d.severity);
    j["code"] = code_name(d);
    j["message"] = d.message;
    if (!d.help.empty()) j["help"] = d.help;
    nlohmann::json notes = nlohmann::json::array();
    for (const auto& n : d.notes) {
      nlohmann::json nj;
      where(n.loc, nj);
      nj["message"] = n.message;
      notes.push_back(nj);
    }
    if (!notes.empty()) j["notes"] = notes;
    arr.push_back(j);
  }
  // Replace invalid UTF-8 rather than throwing: messages may quote bad input.
  return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 1000;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool eq = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (eq ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(1, std::min<size_t>(3, name.size() / 3 + 1)) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

}  // namespace drplan
