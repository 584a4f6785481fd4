#include "compiler/command_render.h"

#include "compiler/shell_context.h"
#include "compiler/shell_quote.h"

namespace drplan {

namespace {

/// A value broken into what the shell must see: known text, separators between the words
/// of a list, and parts only known at run time.
struct Fragment {
  enum class Kind { Text, Separator, Output, Secret } kind = Kind::Text;
  std::string text;  ///< Text: the bytes; Output: instance id; Secret: name
  bool number = false;
};

class Renderer {
 public:
  Renderer(const Inventory* inv, DiagnosticEngine& diags, Command& out) : inv_(inv), diags_(diags), out_(out) {}

  bool command(const ValuePtr& v, Loc loc) {
    out_.loc = loc;
    using K = Value::Kind;
    switch (v->kind) {
      case K::Error: return false;
      case K::Text:
        for (const auto& p : v->pieces) {
          if (!p.value) code(p.literal);
          else piece(p, p.loc.valid() ? p.loc : loc);
        }
        if (scanned_) {
          std::string open = scanner_.finish();
          if (!open.empty()) {
            diags_.error(DiagCode::UnsafeInterpolation, loc, "the command leaves " + open + " open").help =
                "close it in the command text; drplan quotes each interpolated value itself";
            ok_ = false;
          }
        }
        return ok_;
      case K::String:
        if (v->code) {
          append(v->str);
          return true;
        }
        data_as_command(v, loc);
        return false;
      case K::Secret: case K::StepOutput: case K::Hosts: case K::List: case K::Site:
        data_as_command(v, loc);
        return false;
      default:
        diags_.error(DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                     std::string("expected a command (string), found ") + with_article(value_kind_name(v->kind)));
        return false;
    }
  }

 private:
  void data_as_command(const ValuePtr& v, Loc loc) {
    auto& d = diags_.error(DiagCode::DataAsCommand, loc,
                           "a value read from " + std::string(origin(v)) + " cannot be a whole command");
    d.help = "data never becomes command text: write the command and interpolate the value, run = \"prog ${x}\"; "
             "if it really is shell code, sh.raw(x) inserts it unquoted (a warning)";
    if (v->loc.valid() && v->loc.offset != loc.offset) d.notes.push_back({v->loc, "the value comes from here"});
  }

  static const char* origin(const ValuePtr& v) {
    switch (v->kind) {
      case Value::Kind::Secret: return "a secret";
      case Value::Kind::StepOutput: return "a step's output";
      case Value::Kind::Hosts: case Value::Kind::Site: return "the inventory";
      default: return "a param, the inventory or a step";
    }
  }

  void append(const std::string& text) {
    if (text.empty()) return;
    if (!out_.parts.empty() && out_.parts.back().kind == CommandPart::Kind::Text) out_.parts.back().text += text;
    else out_.parts.push_back({CommandPart::Kind::Text, text, false, 0});
  }

  void code(const std::string& text) {
    scanner_.feed(text);
    append(text);
  }

  void fragments(const ValuePtr& v, std::vector<Fragment>& out, Loc loc) {
    using K = Value::Kind;
    auto text = [&](std::string s, bool number = false) { out.push_back({Fragment::Kind::Text, std::move(s), number}); };
    auto sep = [&] { out.push_back({Fragment::Kind::Separator, " ", false}); };
    switch (v->kind) {
      case K::Error: ok_ = false; return;
      case K::String: case K::Ident: case K::Site: text(v->str); return;
      case K::Int: case K::Percent: case K::Size: text(std::to_string(v->num), true); return;
      case K::Duration: text(std::to_string(v->num / 1000), true); return;  // whole seconds
      case K::Bool: text(v->boolean ? "true" : "false"); return;
      case K::Hosts:
        if (v->hosts.empty()) return text("<" + v->str + ">");
        for (size_t i = 0; i < v->hosts.size(); ++i) {
          if (i) sep();
          text(inv_->hosts[v->hosts[i]].address);
        }
        return;
      case K::List:
        for (size_t i = 0; i < v->items.size(); ++i) {
          if (i) sep();
          fragments(v->items[i], out, loc);
        }
        return;
      case K::Secret: out.push_back({Fragment::Kind::Secret, v->str, false}); return;
      case K::StepOutput: out.push_back({Fragment::Kind::Output, v->str, false}); return;
      case K::Text:
        // Interpolated as a whole, text with holes is data too: one word of all its bytes.
        for (const auto& p : v->pieces) {
          if (!p.value) text(p.literal);
          else fragments(p.value, out, loc);
        }
        return;
      case K::None: case K::StepOk:
        diags_.error(DiagCode::TypeMismatch, v->loc.valid() ? v->loc : loc,
                     std::string("a ") + value_kind_name(v->kind) + " cannot be part of a command");
        ok_ = false;
        return;
    }
  }

  bool has_nul(const std::vector<Fragment>& fs, Loc loc) {
    for (const auto& f : fs)
      if (f.kind == Fragment::Kind::Text && f.text.find('\0') != std::string::npos) {
        diags_.error(DiagCode::BadValue, loc, "the value contains a NUL byte, which no command can receive").help =
            "a command would be cut at it; remove the NUL from the value";
        ok_ = false;
        return true;
      }
    return false;
  }

  void piece(const TextPiece& p, Loc loc) {
    scanned_ = true;
    std::vector<Fragment> fs;
    fragments(p.value, fs, loc);
    if (!ok_ || has_nul(fs, loc)) return;
    if (p.raw) return raw(fs, loc);
    ShellPoint at = scanner_.insert_value();
    ShellAdvice advice = shell_advice(at);
    if (at.place == ShellPlace::Arithmetic) {
      if (fs.size() == 1 && fs[0].number) {
        const std::string& n = fs[0].text;
        append(n[0] == '-' ? "(" + n + ")" : n);
        return;
      }
    } else if (advice.message.empty()) {
      if (p.glob) return glob(fs, at, loc);
      return quoted(fs, at);
    }
    auto& d = diags_.error(DiagCode::UnsafeInterpolation, loc, advice.message);
    d.help = advice.help;
    ok_ = false;
  }

  void quoted(const std::vector<Fragment>& fs, const ShellPoint& at) {
    const bool in_double = at.place == ShellPlace::DoubleQuoted;
    const int bq = at.backquotes;
    if (in_double && inert_in_double(fs)) {
      for (const auto& f : fs) append(f.text);
      return;
    }
    // Inside "...": close the quotes, insert the value as single-quoted words, reopen.
    // A list inside "..." stays one string: its separators are quoted too.
    if (in_double) append("\"");
    for (const auto& f : fs) {
      switch (f.kind) {
        case Fragment::Kind::Text: append(quote_for_slot(f.text, {bq})); break;
        case Fragment::Kind::Separator: append(in_double ? quote_for_slot(" ", {bq}) : " "); break;
        case Fragment::Kind::Output: out_.parts.push_back({CommandPart::Kind::StepOutput, f.text, false, bq}); break;
        case Fragment::Kind::Secret: out_.parts.push_back({CommandPart::Kind::Secret, f.text, false, bq}); break;
      }
    }
    if (in_double) append("\"");
  }

  /// Words of letters, digits, spaces and `@%+=:,./_-` mean nothing inside "...": they can
  /// go in as they are, which keeps `drplan plan` readable.
  static bool inert_in_double(const std::vector<Fragment>& fs) {
    for (const auto& f : fs) {
      if (f.kind == Fragment::Kind::Separator) continue;
      if (f.kind != Fragment::Kind::Text || f.text.empty() || shell_quote(f.text) != f.text) return false;
    }
    return true;
  }

  void glob(const std::vector<Fragment>& fs, const ShellPoint& at, Loc loc) {
    if (at.place != ShellPlace::Word) {
      diags_.error(DiagCode::UnsafeInterpolation, loc, "`| glob` only works in an unquoted word").help =
          "move the interpolation out of the quotes: ls -1 ${dir}/${pattern | glob}";
      ok_ = false;
      return;
    }
    for (const auto& f : fs) {
      if (f.kind == Fragment::Kind::Text) append(backquote_escape(shell_quote_glob(f.text), at.backquotes));
      else if (f.kind == Fragment::Kind::Separator) append(" ");
      else {
        diags_.error(DiagCode::UnsafeInterpolation, loc, "`| glob` needs a value known before the run").help =
            "a step's output or a secret cannot be a glob pattern";
        ok_ = false;
        return;
      }
    }
  }

  void raw(const std::vector<Fragment>& fs, Loc loc) {
    diags_.warning(DiagCode::RawFragment, loc, "a value is inserted into the command unquoted").help =
        "it runs as shell code; quote it (drop `| raw` / sh.raw) unless it really is trusted shell text";
    out_.unquoted.push_back(loc);
    for (const auto& f : fs) {
      switch (f.kind) {
        case Fragment::Kind::Text: case Fragment::Kind::Separator: code(f.text); break;
        // Known only at run time: the text around it is scanned as if it were not there.
        case Fragment::Kind::Output: out_.parts.push_back({CommandPart::Kind::StepOutput, f.text, true, 0}); break;
        case Fragment::Kind::Secret: out_.parts.push_back({CommandPart::Kind::Secret, f.text, true, 0}); break;
      }
    }
  }

  const Inventory* inv_;
  DiagnosticEngine& diags_;
  Command& out_;
  ShellScanner scanner_;
  bool scanned_ = false;
  bool ok_ = true;
};

}  // namespace

bool render_shell_command(const ValuePtr& v, const Inventory* inventory, DiagnosticEngine& diags, Command& out,
                          Loc loc) {
  return Renderer(inventory, diags, out).command(v, loc);
}

}  // namespace drplan
