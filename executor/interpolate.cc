#include "executor/interpolate.h"

#include "compiler/shell_quote.h"

namespace drplan {

std::string render_command(const Command& c, const OutputLookup& output, std::string* error) {
  std::string out;
  for (const auto& p : c.parts) {
    switch (p.kind) {
      case CommandPart::Kind::Text: out += p.text; break;
      case CommandPart::Kind::StepOutput: {
        std::string v = output(p.text);
        if (v.find('\0') != std::string::npos) {
          if (error) *error = "the output of " + p.text + " contains a NUL byte; it cannot reach a command";
          return {};
        }
        out += p.raw ? v : quote_for_slot(v, {p.backquotes});
        break;
      }
      case CommandPart::Kind::Secret: out += render_secret(p); break;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> secret_env(const Command& c,
                                                            const std::map<std::string, std::string>& secrets) {
  std::vector<std::pair<std::string, std::string>> env;
  for (const auto& name : c.secrets()) {
    auto it = secrets.find(name);
    if (it == secrets.end()) continue;
    std::string key = secret_env_name(name);
    bool dup = false;
    for (const auto& [k, v] : env) dup = dup || k == key;
    if (!dup) env.emplace_back(key, it->second);
  }
  return env;
}

namespace {

std::string value_of(const Condition& c, const OutputLookup& output, const std::function<bool(const std::string&)>& ok) {
  switch (c.op) {
    case Condition::Op::Literal: return c.value;
    case Condition::Op::StepOutput: return output(c.value);
    default: return evaluate_condition(c, output, ok) ? "true" : "false";
  }
}

}  // namespace

bool evaluate_condition(const Condition& c, const OutputLookup& output, const std::function<bool(const std::string&)>& ok) {
  switch (c.op) {
    case Condition::Op::Literal: return c.value == "true";
    case Condition::Op::StepOk: return ok(c.value);
    case Condition::Op::StepOutput: return !output(c.value).empty();
    case Condition::Op::Not: return !evaluate_condition(c.operands.at(0), output, ok);
    case Condition::Op::And:
      return evaluate_condition(c.operands.at(0), output, ok) && evaluate_condition(c.operands.at(1), output, ok);
    case Condition::Op::Or:
      return evaluate_condition(c.operands.at(0), output, ok) || evaluate_condition(c.operands.at(1), output, ok);
    case Condition::Op::Eq:
      return value_of(c.operands.at(0), output, ok) == value_of(c.operands.at(1), output, ok);
    case Condition::Op::Ne:
      return value_of(c.operands.at(0), output, ok) != value_of(c.operands.at(1), output, ok);
  }
  return false;
}

}  // namespace drplan
