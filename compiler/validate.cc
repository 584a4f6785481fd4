#include "compiler/validate.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace drplan {

namespace {

bool tagged(const StepInstance& s, std::string_view tag) {
  return std::find(s.tags.begin(), s.tags.end(), tag) != s.tags.end();
}

}  // namespace

bool any_ancestor(const CompiledPlan& plan, int step, const std::function<bool(const StepInstance&)>& pred) {
  std::vector<char> seen(plan.steps.size(), 0);
  std::vector<int> stack(plan.steps[step].deps.begin(), plan.steps[step].deps.end());
  while (!stack.empty()) {
    int v = stack.back();
    stack.pop_back();
    if (seen[v]) continue;
    seen[v] = 1;
    if (pred(plan.steps[v])) return true;
    stack.insert(stack.end(), plan.steps[v].deps.begin(), plan.steps[v].deps.end());
  }
  return false;
}

bool has_ancestor_tagged(const CompiledPlan& plan, int step, std::string_view tag) {
  return any_ancestor(plan, step, [&](const StepInstance& s) { return tagged(s, tag); });
}

bool has_gate_ancestor(const CompiledPlan& plan, int step) {
  return any_ancestor(plan, step, [](const StepInstance& s) { return s.kind == StepKind::Gate; });
}

void validate_plan(const Program& program, const CompiledPlan& plan, const std::set<std::string>& used_params,
                   DiagnosticEngine& diags) {
  std::set<std::string> warned;
  for (const auto& s : plan.steps) {
    if (s.kind == StepKind::Action && s.rollback.empty() && !warned.count(s.name)) {
      if (!s.rollback_none || s.rollback_none_reason.empty()) {
        warned.insert(s.name);
        auto& d = diags.warning(DiagCode::NoRollback, s.loc,
                                s.rollback_none ? "action '" + s.name + "' says rollback = none without a reason"
                                                : "action '" + s.name + "' has no rollback");
        d.help = s.rollback_none ? "say why it cannot be undone: rollback = none \"the promotion cannot be reverted\""
                                 : "add rollback = \"...\" to undo it, or rollback = none \"why it cannot be undone\"";
      }
    }
    if (tagged(s, "db.promote") && !has_ancestor_tagged(plan, s.index, "fence") &&
        !has_ancestor_tagged(plan, s.index, "accept-split-brain") && !warned.count("promote:" + s.name)) {
      warned.insert("promote:" + s.name);
      auto& d = diags.error(DiagCode::UnfencedPromotion, s.loc,
                            "'" + s.name + "' promotes a database before the old primary is fenced");
      d.notes.push_back({s.loc, "two primaries accepting writes (split brain) lose data on failback"});
      d.help = "run it after a step tagged \"fence\" (e.g. fence.isolate(...)), or after a gate tagged "
               "\"accept-split-brain\" that makes an operator accept the risk";
    }
    if (tagged(s, "dns.switch") && !has_ancestor_tagged(plan, s.index, "dns.ttl-check") &&
        !warned.count("dns:" + s.name)) {
      warned.insert("dns:" + s.name);
      auto& d = diags.error(DiagCode::DnsWithoutTtlCheck, s.loc,
                            "'" + s.name + "' switches DNS without checking the record's TTL first");
      d.help = "run it after a check tagged \"dns.ttl-check\" (e.g. = dns.ttl_at_most(...)): a long TTL keeps "
               "clients on the old site";
    }
    if (tagged(s, "db.destroy") && !has_gate_ancestor(plan, s.index) && !warned.count("destroy:" + s.name)) {
      warned.insert("destroy:" + s.name);
      diags.error(DiagCode::UnguardedDestruction, s.loc, "'" + s.name + "' destroys a database without a gate before it")
          .help = "add a gate that names the database (ask = \"Drop and recreate ${db} on ${target}?\") to its after list";
    }
  }
  for (const auto& p : program.plan().params) {
    if (!used_params.count(p.name)) {
      diags.warning(DiagCode::UnusedParam, p.loc, "param '" + p.name + "' is never used").help =
          "remove it, or use it as ${" + p.name + "}";
    }
  }
}

}  // namespace drplan
