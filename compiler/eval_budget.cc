#include "compiler/eval_budget.h"

#include <string>

namespace drplan {

namespace {

size_t nodes(const ast::Expr& e) {
  size_t n = 1;
  for (const auto& c : e.children) n += nodes(*c);
  return n;
}

}  // namespace

void EvalBudget::start() {
  steps_ = kMaxSteps;
  bytes_ = kMaxBytes;
  spent_ = reported_ = false;
  where_ = {};
  where_def_ = nullptr;
}

bool EvalBudget::spend(long long steps, long long bytes, const ast::Def& def, Loc loc) {
  steps_ -= steps;
  bytes_ -= bytes;
  if (!spent_ && (steps_ < 0 || bytes_ < 0)) {
    spent_ = true;
    where_ = loc;
    where_def_ = &def;
  }
  return !spent_;
}

bool EvalBudget::spend_body(const ast::Def& def, Loc loc) {
  auto [it, fresh] = body_nodes_.try_emplace(&def, 0);
  if (fresh) it->second = nodes(*def.body);
  return spend(static_cast<long long>(it->second), 0, def, loc);
}

bool EvalBudget::spend_value(const Value& v, const ast::Def& def, Loc loc) { return walk(v, def, loc); }

bool EvalBudget::walk(const Value& v, const ast::Def& def, Loc loc) {
  switch (v.kind) {
    case Value::Kind::Text:
      for (const auto& p : v.pieces)
        if (!(p.value ? walk(*p.value, def, loc) : spend(1, static_cast<long long>(p.literal.size()), def, loc)))
          return false;
      return true;
    case Value::Kind::List:
      for (const auto& item : v.items)
        if (!walk(*item, def, loc)) return false;
      return true;
    default: return spend(1, static_cast<long long>(v.str.size()), def, loc);
  }
}

ValuePtr EvalBudget::report(const ast::Expr& call, const ast::Def& def, DiagnosticEngine& diags) {
  auto known = costly_.find(&def);
  if (known == costly_.end()) {
    if (reported_) return Value::error();
    reported_ = true;
    known = costly_.emplace(&def, bytes_ < 0).first;
  }
  auto& d = diags.error(DiagCode::BadValue, call.loc,
                        known->second ? "calling '" + def.name + "' makes more than 16 MiB of text"
                                      : "calling '" + def.name + "' takes more than " + std::to_string(kMaxSteps) +
                                            " evaluation steps");
  if (where_def_ && where_.valid() && where_.offset != call.loc.offset)
    d.notes.push_back({where_, "the budget ran out in this call of '" + where_def_->name + "'"});
  d.help = "the work doubles at every level where a def uses another def, or a value, twice "
           "(d1(x) = d0(x) + d0(x), d2(x) = d1(x) + d1(x), ...): 30 levels make 2^30 copies; "
           "build the text in fewer levels";
  return Value::error();
}

}  // namespace drplan
