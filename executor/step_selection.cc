#include "executor/step_selection.h"

#include <map>
#include <set>

namespace drplan {

bool safety_protected(const StepInstance& s) {
  for (const auto& t : s.tags)
    if (t == "fence" || t == "dns.ttl-check" || t == "data.guard") return true;
  return false;
}

int select_steps(const CompiledPlan& plan, const StepSelection& sel, std::vector<StepRun>& state,
                 std::vector<std::string>& excluded_ids, const ApplyIo& io) {
  std::set<std::string> names;
  for (const auto& s : plan.steps) names.insert(s.name);
  for (const auto& list : {sel.only, sel.skip})
    for (const auto& n : list)
      if (!names.count(n)) {
        io.tell(Say::Error, "no step named '" + n + "' in plan " + plan.name);
        return 2;
      }
  std::set<std::string> only(sel.only.begin(), sel.only.end()), skip(sel.skip.begin(), sel.skip.end());
  auto excluded = [&](const StepInstance& s) {
    if (s.kind == StepKind::Barrier) return false;
    return skip.count(s.name) || (!only.empty() && !only.count(s.name));
  };
  std::vector<bool> done(plan.steps.size());
  for (const auto& s : plan.steps) done[s.index] = satisfied(state[s.index].status);
  std::map<std::string, std::set<std::string>> missing;  // excluded step -> steps that need it
  std::vector<std::string> guarded;
  for (const auto& s : plan.steps) {
    if (excluded(s)) {
      if (!done[s.index] && safety_protected(s)) guarded.push_back(s.id);
      continue;
    }
    if (s.kind == StepKind::Barrier) continue;  // its dependents are reported, not the barrier
    // A barrier stands for its phase: look through it.
    std::vector<int> stack(s.deps.begin(), s.deps.end());
    std::set<int> seen;
    while (!stack.empty()) {
      int d = stack.back();
      stack.pop_back();
      if (!seen.insert(d).second) continue;
      const auto& dep = plan.steps[d];
      if (dep.kind == StepKind::Barrier) {
        stack.insert(stack.end(), dep.deps.begin(), dep.deps.end());
        continue;
      }
      if (excluded(dep) && !done[d]) missing[dep.id].insert(s.id);
    }
  }
  int rc = 0;
  if (!missing.empty() && !sel.force) {
    for (const auto& [dep, users] : missing) {
      std::string list;
      for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
      io.tell(Say::Error, dep + " would not run, and " + list + " depend" + (users.size() == 1 ? "s" : "") + " on it");
    }
    io.tell(Say::Help, "select its dependencies too; --force runs the dependents anyway");
    rc = 2;
  }
  if (!guarded.empty() && (!sel.force || sel.reason.empty())) {
    for (const auto& g : guarded)
      io.tell(Say::Error, g + " is a safety step (fencing, the TTL check, or a guard of data a later step destroys) "
                              "and would not run");
    io.tell(Say::Help, "skipping it can give two primaries or a slow DNS switch; if it is done by hand, "
                       "pass --force --reason \"...\" (journaled)");
    rc = 2;
  }
  if (rc) return rc;
  for (const auto& s : plan.steps) {
    if (!excluded(s) || done[s.index]) continue;
    state[s.index].status = StepStatus::Skipped;
    state[s.index].reason = sel.skip.empty() ? "not in --only" : "--skip";
    excluded_ids.push_back(s.id);
  }
  return 0;
}

}  // namespace drplan
