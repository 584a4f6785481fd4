// The differential check of the two parsers (tests/parser_diff.h).
#include "tests/parser_diff.h"

#include <cstdio>
#include <sstream>

#include "compiler/parser.h"

namespace drplan::test_support {

namespace {

void put(std::string& out, const Loc& l) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " @%d:%u+%u", l.file, l.offset, l.length);
  out += buf;
}

void put(std::string& out, std::string_view label, std::string_view s) {
  out += ' ';
  out += label;
  out += "='";
  for (unsigned char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c < 0x20 || c == '\'' || c == '\\')
      out += "\\x" + std::to_string(c);
    else
      out += static_cast<char>(c);
  }
  out += '\'';
}

void dump(std::string& out, const ast::Expr* e, int depth) {
  out.append(2 * static_cast<size_t>(depth), ' ');
  if (!e) {
    out += "(no expr)\n";
    return;
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "expr kind=%d co=%u verbatim=%d number=%a bool=%d", static_cast<int>(e->kind),
                e->content_offset, e->verbatim, e->number, e->boolean);
  out += buf;
  put(out, e->loc);
  put(out, "text", e->text);
  for (const auto& p : e->path) put(out, "path", p);
  out += '\n';
  if (e->arg_names.size() != e->children.size() && !e->arg_names.empty()) out += "  (arg names mismatch)\n";
  for (size_t i = 0; i < e->arg_names.size(); ++i) {
    out.append(2 * static_cast<size_t>(depth) + 1, ' ');
    put(out, "arg", e->arg_names[i]);
    if (i < e->arg_name_locs.size()) put(out, e->arg_name_locs[i]);
    out += '\n';
  }
  for (const auto& c : e->children) dump(out, c.get(), depth + 1);
}

void dump(std::string& out, const ast::Param& p) {
  out += "param";
  put(out, "name", p.name);
  put(out, p.loc);
  put(out, "type", p.type);
  put(out, p.type_loc);
  out += '\n';
  dump(out, p.default_value.get(), 1);
}

void dump(std::string& out, const std::vector<ast::Attr>& attrs) {
  for (const auto& a : attrs) {
    out += "attr";
    put(out, "key", a.key);
    put(out, a.key_loc);
    out += '\n';
    dump(out, a.value.get(), 1);
  }
}

}  // namespace

std::string dump_ast(const ast::Unit& u) {
  std::string out = u.is_module ? "module" : "plan";
  put(out, "name", u.name);
  put(out, u.loc);
  out += " file=" + std::to_string(u.file) + "\n";
  for (const auto& s : u.settings) {
    out += "setting";
    put(out, "key", s.key);
    put(out, s.loc);
    out += '\n';
    dump(out, s.value.get(), 1);
  }
  for (const auto& p : u.params) dump(out, p);
  for (const auto& x : u.uses) {
    out += "use";
    put(out, "path", x.path);
    put(out, x.loc);
    put(out, "alias", x.alias);
    put(out, x.alias_loc);
    out += '\n';
  }
  for (const auto& t : u.templates) {
    out += "template";
    put(out, "name", t.name);
    put(out, t.loc);
    out += '\n';
    for (const auto& p : t.params) dump(out, p);
    dump(out, t.attrs);
  }
  for (const auto& d : u.defs) {
    out += "def";
    put(out, "name", d.name);
    put(out, d.loc);
    out += '\n';
    for (const auto& p : d.params) dump(out, p);
    dump(out, d.body.get(), 1);
  }
  for (const auto& p : u.phases) {
    out += "phase";
    put(out, "title", p.title);
    put(out, p.loc);
    out += '\n';
  }
  for (const auto& s : u.steps) {
    out += "step kind=" + std::to_string(static_cast<int>(s.kind)) + " phase=" + std::to_string(s.phase);
    put(out, s.kind_loc);
    put(out, "name", s.name);
    put(out, s.loc);
    for (const auto& t : s.target) put(out, "target", t);
    put(out, s.target_loc);
    for (const auto& [name, loc] : s.after) {
      put(out, "after", name);
      put(out, loc);
    }
    out += '\n';
    out += " when\n";
    dump(out, s.when.get(), 1);
    out += " uses\n";
    dump(out, s.uses.get(), 1);
    dump(out, s.attrs);
  }
  return out;
}

namespace {

// The first differing line of two dumps, with the one before it.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb, prev;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(sa, la)), gb = static_cast<bool>(std::getline(sb, lb));
    if (!ga && !gb) return "(no difference)";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(line) + " after\n    " + prev + "\n  antlr: " + (ga ? la : "<end>") +
             "\n  fast:  " + (gb ? lb : "<end>");
    prev = la;
  }
}

}  // namespace

ParseOutcome compare_parsers(const std::string& text, bool fallback_ok) {
  SourceManager sm;
  int file = sm.add("t.dr", text);
  DiagnosticEngine diags;
  auto slow = parse_file_antlr(sm, file, diags);
  auto fast = parse_file_fast(sm, file);
  ParseOutcome o{slow != nullptr, fast != nullptr, "", "", ""};
  for (const auto& d : diags.all()) {
    if (d.severity != Severity::Error) continue;
    LineCol lc = sm.line_col(d.loc);
    o.error = std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": " + d.message;
    break;
  }
  // Rendering re-reads the locations: one out of the file's range would show here.
  o.diagnostics = render_text(sm, diags.all(), false);
  (void)render_json(sm, diags.all());
  if (slow && diags.has_errors())
    o.problem = "ANTLR built a unit and reported errors";
  else if (fast && !slow)
    o.problem = "the fast path accepted what ANTLR rejects: " + o.error;
  else if (slow && !fast && !fallback_ok)
    o.problem = "the fast path fell back on valid input";
  else if (slow && fast) {
    std::string a = dump_ast(*slow), b = dump_ast(*fast);
    if (a != b) o.problem = "the ASTs differ at " + first_difference(a, b);
  }
  return o;
}

}  // namespace drplan::test_support
