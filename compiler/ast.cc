#include "compiler/ast.h"

namespace drplan::ast {

std::string Expr::dotted() const {
  std::string out;
  for (const auto& p : path) out += (out.empty() ? "" : ".") + p;
  return out;
}

const char* kind_name(StepKind k) {
  switch (k) {
    case StepKind::Check: return "check";
    case StepKind::Action: return "action";
    case StepKind::Gate: return "gate";
    case StepKind::Wait: return "wait";
  }
  return "step";
}

}  // namespace drplan::ast
