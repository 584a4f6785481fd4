#include "tests/shell_oracle.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/command_render.h"
#include "executor/interpolate.h"

namespace drplan::oracle {

const std::vector<Template>& templates() {
  static const std::vector<Template> t = {
      {"printf '%s' @", "", ""},
      {"printf '%s' \"@\"", "", ""},
      {"printf '%s' \"pre @ post\"", "pre ", " post"},
      {"printf '%s' --opt=@", "--opt=", ""},
      {"printf '%s' \"a\"@\"b\"", "a", "b"},
      {"x=@; printf '%s' \"$x\"", "", ""},
      {"x=\"<@>\"; printf '%s' \"$x\"", "<", ">"},
      {"x=$(printf '%s' @; printf x); printf '%s' \"$x\"", "", "x"},
      {"x=\"$(printf '%s' \"<@>\"; printf x)\"; printf '%s' \"$x\"", "<", ">x"},
      {"x=`printf '%s' @; printf x`; printf '%s' \"$x\"", "", "x"},
      {"x=`printf '%s' \"[@]\"; printf x`; printf '%s' \"$x\"", "[", "]x"},
      {"x=$(y=`printf '%s' @; printf x`; printf '%s' \"$y\"; printf y); printf '%s' \"$x\"", "", "xy"},
      {"x=`y=\\`printf '%s' @; printf x\\`; printf '%s' \"\\$y\"; printf y`; printf '%s' \"$x\"", "", "xy"},
      {"case @ in\n  *) printf '%s' @ ;;\nesac", "", ""},
      {"case x in x) printf '%s' \"(@)\" ;; *) exit 9 ;; esac", "(", ")"},
      {"for w in @; do printf '%s' \"$w\"; done", "", ""},
      {"printf '%s' @ | cat", "", ""},
      {"[ @ = @ ] && printf '%s' @", "", ""},
      {"cat <<'EOF'\nit's $(here)\nEOF\nprintf '%s' @", "it's $(here)\n", ""},
      {"# a comment: it's \"open\nprintf '%s' @", "", ""},
      {"if true; then printf '%s' \"[@]\"; fi", "[", "]"},
      {"f() { printf '%s' \"$1\"; }; f @", "", ""},
      {"(printf '%s' @)", "", ""},
  };
  return t;
}

ValuePtr text_with_value(const std::string& text, const ValuePtr& v) {
  auto t = std::make_shared<Value>();
  t->kind = Value::Kind::Text;
  std::string lit;
  for (char ch : text) {
    if (ch != '@') {
      lit += ch;
      continue;
    }
    t->pieces.push_back({lit, nullptr, false, false, {}});
    lit.clear();
    t->pieces.push_back({"", v, false, false, {}});
  }
  if (!lit.empty()) t->pieces.push_back({lit, nullptr, false, false, {}});
  return t;
}

std::string render_text(const std::string& text, const ValuePtr& v, const std::string& runtime_value,
                        std::string* error) {
  DiagnosticEngine diags;
  Command cmd;
  if (!render_shell_command(text_with_value(text, v), nullptr, diags, cmd, Loc{})) {
    if (error) *error = diags.all().empty() ? "refused" : diags.all().front().message;
    return "";
  }
  return render_command(cmd, [&](const std::string&) { return runtime_value; }, error);
}

ValuePtr step_output() {
  auto out = std::make_shared<Value>();
  out->kind = Value::Kind::StepOutput;
  out->str = "producer";
  return out;
}

std::string render(const Case& c, std::string* error) {
  return render_text(templates()[c.template_index].text, c.as_output ? step_output() : Value::string(c.value),
                     c.value, error);
}

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out += static_cast<char>(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return out;
}

}  // namespace

Batch make_batch(const std::vector<Case>& cases) {
  Batch b;
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string error;
    std::string cmd = render(cases[i], &error);
    if (cmd.empty()) {
      b.failures.push_back("case " + std::to_string(i) + ": refused (" + error + "): " + escape(cases[i].value));
      continue;
    }
    const Template& t = templates()[cases[i].template_index];
    // A NUL between cases: no value holds one. Each case in a group, so a case that
    // breaks the quoting shows up as its own wrong output, not as a shifted rest.
    b.script += "printf '\\000'\n{\n" + cmd + "\n}\n";
    b.expected.push_back(std::string(t.before) + cases[i].value + t.after);
    b.which.push_back(i);
  }
  return b;
}

std::vector<std::string> check_batch(const Batch& b, const std::vector<Case>& cases, const std::string& out,
                                     const std::string& label) {
  std::vector<std::string> failures = b.failures;
  std::vector<std::string> got;
  size_t pos = out.find('\0');
  while (pos != std::string::npos) {
    size_t next = out.find('\0', pos + 1);
    got.push_back(out.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1));
    pos = next;
  }
  if (got.size() != b.expected.size())
    failures.push_back(label + ": " + std::to_string(got.size()) + " outputs for " +
                       std::to_string(b.expected.size()) + " cases");
  for (size_t k = 0; k < b.expected.size() && k < got.size(); ++k) {
    if (got[k] == b.expected[k]) continue;
    const Case& c = cases[b.which[k]];
    failures.push_back(label + ": template " + std::to_string(c.template_index) + (c.as_output ? " (output)" : "") +
                       ": value \"" + escape(c.value) + "\" came out \"" + escape(got[k]) + "\" from: " +
                       escape(render(c, nullptr)));
    if (failures.size() > 20) break;
  }
  return failures;
}

std::vector<std::string> run(const std::vector<Case>& cases, const std::string& shell) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() /
                 ("drplan-oracle-" + std::to_string(getpid()) + "-" + fs::path(shell).filename().string());
  fs::create_directories(dir);
  Batch b = make_batch(cases);
  std::ofstream(dir / "cases.sh", std::ios::binary) << b.script;
  std::string command = shell + " " + (dir / "cases.sh").string() + " > " + (dir / "out").string() + " 2> " +
                        (dir / "err").string() + " < /dev/null";
  int rc = std::system(command.c_str());
  std::ifstream in(dir / "out", std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return check_batch(b, cases, buf.str(), shell + " (exit " + std::to_string(rc) + ")");
}

std::string random_value(test_support::Rng& rng) {
  static const std::string kSpecial = "'\"$`\\!*?[]{}()<>;&|~#=%^ \t\n-,.:@/";
  static const std::vector<std::string> kPieces = {"$(", "`", "${", "$((", "'\\''", "\\", "\\\n", "*", "--",
                                                   "$x", "\"$(id)\"", "'", "\"", "é", "日本", "🙂", "\r"};
  size_t len = rng.chance(70) ? rng.below(13) : rng.chance(80) ? 13 + rng.below(52) : 65 + rng.below(240);
  std::string v;
  if (rng.chance(10)) v += '-';
  while (v.size() < len) {
    switch (rng.below(6)) {
      case 0: case 1: v += kSpecial[rng.below(kSpecial.size())]; break;
      case 2: v += static_cast<char>('a' + rng.below(26)); break;
      case 3: v += static_cast<char>(1 + rng.below(255)); break;
      case 4: v += kPieces[rng.below(kPieces.size())]; break;
      default: {
        // A code point as UTF-8 (2 to 4 bytes).
        uint32_t cp = static_cast<uint32_t>(0x80 + rng.below(0x10FFFF - 0x80));
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xE000;
        if (cp < 0x800) {
          v += static_cast<char>(0xC0 | (cp >> 6));
        } else if (cp < 0x10000) {
          v += static_cast<char>(0xE0 | (cp >> 12));
          v += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        } else {
          v += static_cast<char>(0xF0 | (cp >> 18));
          v += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          v += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        }
        v += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
  }
  return v;
}

}  // namespace drplan::oracle
