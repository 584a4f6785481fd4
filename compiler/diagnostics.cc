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

Diagnostic& DiagnosticEngine::keep(Diagnostic d) {
  if (d.severity == Severity::Note) {
    diags_.push_back(std::move(d));
    return diags_.back();
  }
  const int i = d.severity == Severity::Error ? 0 : 1;
  std::string key = std::to_string(d.loc.file) + ":" + std::to_string(d.loc.offset) + ":" +
                    std::to_string(static_cast<int>(d.code)) + ":" + d.message;
  const bool repeat = !seen_.insert(std::move(key)).second;
  if (repeat || kept_[i] >= kMaxKept) {
    if (!repeat) ++omitted_[i];
    scratch_ = std::move(d);  // filled in by the caller, never shown
    return scratch_;
  }
  ++kept_[i];
  diags_.push_back(std::move(d));
  return diags_.back();
}

Diagnostic& DiagnosticEngine::error(DiagCode code, Loc loc, std::string message) {
  return keep({Severity::Error, code, loc, std::move(message), {}, {}});
}

Diagnostic& DiagnosticEngine::warning(DiagCode code, Loc loc, std::string message) {
  return keep({Severity::Warning, code, loc, std::move(message), {}, {}});
}

void DiagnosticEngine::add(Diagnostic d) { keep(std::move(d)); }

void DiagnosticEngine::clear() {
  diags_.clear();
  seen_.clear();
  kept_[0] = kept_[1] = omitted_[0] = omitted_[1] = 0;
}

bool DiagnosticEngine::has_errors() const { return error_count() > 0; }

size_t DiagnosticEngine::error_count() const {
  return omitted_[0] + std::count_if(diags_.begin(), diags_.end(),
                                     [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

size_t DiagnosticEngine::warning_count() const {
  return omitted_[1] + std::count_if(diags_.begin(), diags_.end(),
                                     [](const Diagnostic& d) { return d.severity == Severity::Warning; });
}

void DiagnosticEngine::promote_warnings() {
  for (auto& d : diags_)
    if (d.severity == Severity::Warning) d.severity = Severity::Error;
  kept_[0] += kept_[1];
  omitted_[0] += omitted_[1];
  kept_[1] = omitted_[1] = 0;
}

void DiagnosticEngine::sort() {
  // The note on what was left out is made afresh below, after everything located.
  std::erase_if(diags_, [](const Diagnostic& d) { return d.severity == Severity::Note; });
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
  if (omitted_[0] + omitted_[1] == 0) return;
  auto count = [](size_t n, const char* what) { return std::to_string(n) + " more " + what + (n == 1 ? "" : "s"); };
  std::string left_out = omitted_[0] ? count(omitted_[0], "error") : "";
  if (omitted_[1]) left_out += (left_out.empty() ? "" : " and ") + count(omitted_[1], "warning");
  Diagnostic note{Severity::Note, DiagCode::Syntax, Loc{}, "too many diagnostics: " + left_out + " not shown", {}, {}};
  note.help = "the first " + std::to_string(kMaxKept) + " of each kind are above; fix them and check again";
  diags_.push_back(std::move(note));
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
    if (d.severity != Severity::Note) out += " [" + code_name(d) + "]";
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
    if (d.severity != Severity::Note) j["code"] = code_name(d);
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

size_t edit_distance_within(std::string_view a, std::string_view b, size_t limit) {
  constexpr size_t kMaxLen = 64;
  if (a.size() > kMaxLen || b.size() > kMaxLen) return std::min<size_t>(1000, limit + 1);
  if (a.size() < b.size()) std::swap(a, b);  // a is the longer
  if (a.size() - b.size() > limit) return limit + 1;
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  // Two rows on the stack; cells outside the band |i - j| <= limit count as over the limit.
  const size_t over = limit + 1;
  size_t rows[2][kMaxLen + 2];
  size_t *prev = rows[0], *cur = rows[1];
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = std::min(j, over);
  std::fill(cur, cur + kMaxLen + 2, over);
  for (size_t i = 1; i <= a.size(); ++i) {
    const size_t from = i > limit ? i - limit : 1, to = std::min(b.size(), i + limit);
    cur[0] = std::min(i, over);
    if (from > 1) cur[from - 1] = over;
    size_t row_min = cur[0];
    for (size_t j = from; j <= to; ++j) {
      size_t up = j <= i - 1 + limit ? prev[j] : over;  // prev[j] lies outside the band past i-1+limit
      size_t v = std::min({up + 1, cur[j - 1] + 1, prev[j - 1] + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1)});
      cur[j] = std::min(v, over);
      row_min = std::min(row_min, cur[j]);
    }
    if (to < b.size()) cur[to + 1] = over;
    if (row_min > limit) return over;  // every path from here only grows
    std::swap(prev, cur);  // only cells this row wrote are read by the next
  }
  return prev[b.size()];
}

size_t edit_distance(std::string_view a, std::string_view b) {
  return edit_distance_within(a, b, 1000);
}

Closest::Closest(std::string_view name)
    : name_(name), best_d_(std::max<size_t>(1, std::min<size_t>(3, name.size() / 3 + 1)) + 1) {}

bool Closest::better(std::string_view c, size_t* d) const {
  size_t gap = c.size() > name_.size() ? c.size() - name_.size() : name_.size() - c.size();
  if (gap > best_d_) return false;  // the distance is at least the difference in length
  *d = edit_distance_within(name_, c, best_d_);
  return *d <= best_d_;
}

void Closest::offer(std::string_view c) {
  size_t d;
  if (!better(c, &d) || d == best_d_) return;
  best_d_ = d;
  best_ = c;
  best_unordered_ = false;
}

void Closest::offer_unordered(std::string_view c) {
  size_t d;
  if (!better(c, &d)) return;
  if (d == best_d_ && !(best_unordered_ && c < best_)) return;
  best_d_ = d;
  best_ = c;
  best_unordered_ = true;
}

std::string closest(std::string_view name, const std::vector<std::string>& candidates) {
  Closest c(name);
  for (const auto& cand : candidates) c.offer(cand);
  return c.best();
}

void DiagnosticEngine::relocate_since(size_t mark, Loc at, const std::string& note) {
  for (size_t i = mark; i < diags_.size(); ++i) {
    Diagnostic& d = diags_[i];
    if (!d.loc.valid() || d.loc.file == at.file) continue;
    d.notes.insert(d.notes.begin(), DiagNote{d.loc, note});
    d.loc = at;
  }
}

}  // namespace drplan
