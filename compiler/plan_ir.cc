#include "compiler/plan_ir.h"

#include <cctype>

#include "compiler/shell_quote.h"

namespace drplan {

const char* step_kind_name(StepKind k) {
  switch (k) {
    case StepKind::Check: return "check";
    case StepKind::Action: return "action";
    case StepKind::Gate: return "gate";
    case StepKind::Wait: return "wait";
    case StepKind::Barrier: return "barrier";
  }
  return "?";
}

std::string secret_env_name(std::string_view secret) {
  std::string out = "DRPLAN_SECRET_";
  for (char c : secret)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

std::string render_secret(const CommandPart& p) {
  std::string ref = "${" + secret_env_name(p.text) + "}";
  return backquote_escape(p.raw ? ref : "\"" + ref + "\"", p.backquotes);
}

std::string Command::display() const {
  std::string out;
  for (const auto& p : parts) {
    switch (p.kind) {
      case CommandPart::Kind::Text: out += p.text; break;
      case CommandPart::Kind::StepOutput:
        out += p.raw ? "${" + p.text + ".output | raw}" : "${" + p.text + ".output}";
        break;
      case CommandPart::Kind::Secret: out += render_secret(p); break;
    }
  }
  return out;
}

std::vector<std::string> Command::secrets() const {
  std::vector<std::string> out;
  for (const auto& p : parts)
    if (p.kind == CommandPart::Kind::Secret) out.push_back(p.text);
  return out;
}

std::string Condition::display() const {
  switch (op) {
    case Op::Literal: return value;
    case Op::StepOk: return value + ".ok";
    case Op::StepOutput: return value + ".output";
    case Op::Not: return "!(" + operands.at(0).display() + ")";
    case Op::And: return "(" + operands.at(0).display() + " && " + operands.at(1).display() + ")";
    case Op::Or: return "(" + operands.at(0).display() + " || " + operands.at(1).display() + ")";
    case Op::Eq: return operands.at(0).display() + " == " + operands.at(1).display();
    case Op::Ne: return operands.at(0).display() + " != " + operands.at(1).display();
  }
  return "?";
}

const StepInstance* CompiledPlan::find(std::string_view id) const {
  for (const auto& s : steps)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<int> CompiledPlan::instances_of(std::string_view name) const {
  std::vector<int> out;
  for (const auto& s : steps)
    if (s.name == name && s.kind != StepKind::Barrier) out.push_back(s.index);
  return out;
}

}  // namespace drplan
