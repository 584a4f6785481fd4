#include "executor/resume_policy.h"

#include <algorithm>
#include <set>

namespace drplan {

nlohmann::json sets_json(const std::vector<std::pair<std::string, std::string>>& sets) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : sets) j[k] = v;
  return j;
}

std::string latest_run(StateStore& store, const std::string& plan_name) {
  auto runs = store.list_runs();
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    auto records = store.read_run(*it);
    if (records.empty()) continue;
    const auto first = records::read_record(records.front());
    const auto* start = std::get_if<records::RunStart>(&first.body);
    if (start && start->plan == plan_name) return *it;
  }
  return "";
}

std::string run_to_resume(StateStore& store, const ResumeRequest& rq, const std::string& plan_name) {
  return rq.run.empty() ? latest_run(store, plan_name) : rq.run;
}

bool load_resume_point(StateStore& store, const std::string& run, const CompiledPlan& plan, ResumePoint& out,
                       std::string* error) {
  auto records = store.read_run(run, &out.torn_lines, &out.problems);
  out.run_dir = store.run_location(run);
  return resume_point_from(records, plan, out, error);
}

std::vector<std::pair<std::string, std::string>> resumed_sets(StateStore& store, const ApplyRequest& rq,
                                                              const CompiledPlan& plan) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!rq.resume.resume || !rq.sets.empty()) return out;
  const std::string prior = run_to_resume(store, rq.resume, plan.name);
  ResumePoint rp;
  std::string error;
  if (!store.has_run(prior) || !load_resume_point(store, prior, plan, rp, &error)) return out;
  if (!rp.run_start.sets) return out;
  for (const auto& [k, v] : rp.run_start.sets->items())
    if (v.is_string()) out.emplace_back(k, v.get<std::string>());
  return out;
}

bool decide_unfinished(const ResumeRequest& rq, bool ask, const CompiledPlan& plan, const ResumePoint& rp,
                       std::vector<StepRun>& initial, const ApplyIo& io) {
  std::set<std::string> assume(rq.assume_done.begin(), rq.assume_done.end()), rerun(rq.rerun.begin(), rq.rerun.end());
  std::vector<std::string> undecided;
  for (int i : rp.unfinished) {
    const auto& s = plan.steps[i];
    const bool undo = std::find(rp.half_rolled_back.begin(), rp.half_rolled_back.end(), i) != rp.half_rolled_back.end();
    const std::string what = undo ? "'s rollback started but never finished (or was killed half-way)"
                                  : " started but never finished (or was killed half-way)";
    if (assume.count(s.name) || assume.count(s.id)) {
      initial[i].status = StepStatus::Succeeded;
      initial[i].from_journal = true;
      initial[i].reason = "assumed done (--assume-done)";
    } else if (rerun.count(s.name) || rerun.count(s.id) || s.idempotent || s.kind != StepKind::Action) {
      // checks, waits and gates change nothing: running them again is safe
    } else if (!(ask && io.ask("Step " + s.id + " on " + s.host_name + what + ", and it is not idempotent. Run it again?"))) {
      undecided.push_back(s.id + (undo ? " (half rolled back)" : ""));
    }
  }
  if (undecided.empty()) return true;
  std::string list;
  for (const auto& id : undecided) list += " " + id;
  io.tell(Say::Error, "these actions started but never finished (or were killed half-way), and are not idempotent:" + list);
  io.tell(Say::Help, "check on the host whether each took effect, then pass --assume-done STEP or --rerun STEP");
  return false;
}

int prepare_resume(StateStore& store, const ApplyRequest& rq, const CompiledPlan& plan, const std::string& state_dir,
                   std::string& run, std::vector<StepRun>& initial, std::vector<EarlierAttempt>& earlier,
                   const ApplyIo& io) {
  run = run_to_resume(store, rq.resume, plan.name);
  if (!store.has_run(run)) {
    io.tell(Say::Error, "no run of plan '" + plan.name + "' to resume in " + state_dir);
    return 2;
  }
  ResumePoint rp;
  std::string error;
  if (!load_resume_point(store, run, plan, rp, &error)) {
    io.tell(Say::Error, error);
    return 2;
  }
  for (const auto& p : rp.problems) io.tell(Say::Warning, p);
  if (rp.run_start.checks_only) {
    io.tell(Say::Error, "run " + store.run_location(run) + " was a --checks-only drill; start a new run instead");
    return 1;
  }
  std::string changed = digest_changes(rp.run_start, plan);
  if (!rq.sets.empty() && rp.run_start.sets && *rp.run_start.sets != sets_json(rq.sets))
    changed += std::string(changed.empty() ? "" : "; ") + "the --set values differ from the run's (" +
               rp.run_start.sets->dump() + ")";
  if (!changed.empty() && !rq.selection.force) {
    io.tell(Say::Error, "refusing to resume: " + changed);
    io.tell(Say::Help, "review the change; --force resumes anyway");
    return 1;
  }
  initial = rp.steps;
  earlier = rp.earlier;
  if (!decide_unfinished(rq.resume, rq.interactive && !rq.yes, plan, rp, initial, io)) return 1;
  // What was true before the interruption may not be now (the DC came back): the checks
  // and gates that guard actions not yet done run again.
  auto again = revalidate_guards(plan, initial);
  if (!again.empty()) {
    std::string list;
    for (int i : again) list += (list.empty() ? "" : ", ") + plan.steps[i].id;
    io.tell(Say::Note, "checked again before any action they guard: " + list);
  }
  return 0;
}

}  // namespace drplan
