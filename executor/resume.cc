#include "executor/resume.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "executor/journal.h"

namespace drplan {

bool load_resume_point(const std::string& run_dir, const CompiledPlan& plan, ResumePoint& out, std::string* error) {
  std::string path = (std::filesystem::path(run_dir) / "journal.jsonl").string();
  auto records = read_journal(path, &out.torn_lines, &out.problems);
  out.run_dir = run_dir;
  return resume_point_from(records, plan, out, error);
}

bool resume_point_from(const std::vector<nlohmann::json>& journal, const CompiledPlan& plan, ResumePoint& out,
                       std::string* error) {
  const auto all = records::read_records(journal);
  const auto* first = all.empty() || all.front().type != "run_start"
                          ? nullptr : std::get_if<records::RunStart>(&all.front().body);
  if (!first) {
    *error = "no readable journal in " + out.run_dir;
    return false;
  }
  out.run_start = *first;
  std::map<std::string, int> index;
  for (const auto& s : plan.steps) index[s.id] = s.index;
  out.steps.assign(plan.steps.size(), StepRun{});
  std::set<int> started, ended, cut_short, undoing;
  std::map<int, EarlierAttempt> last_command;  // per step: its newest command's token
  size_t sequence = 0;
  auto step_of = [&](const std::string& id) {
    auto it = index.find(id);
    return it == index.end() ? -1 : it->second;
  };
  // The newest command of step `i`, by its token (a command, not a wait or a gate).
  auto note_command = [&](int i, const std::optional<std::string>& token, long long ts_ms, bool rollback) {
    if (token && !token->empty()) last_command[i] = {i, *token, ts_ms, rollback};
  };
  for (const auto& rec : all) {
    if (const auto* r = std::get_if<records::StepStart>(&rec.body)) {
      const int i = step_of(r->step);
      if (i < 0) continue;
      note_command(i, r->token, rec.ts_ms, false);
      started.insert(i);
      ended.erase(i);
      undoing.erase(i);  // running again: its new end decides, not an earlier one
      out.steps[i] = StepRun{};
    } else if (const auto* r = std::get_if<records::StepEnd>(&rec.body)) {
      const int i = step_of(r->step);
      if (i < 0) continue;
      StepRun& st = out.steps[i];
      ended.insert(i);
      const std::string& status = r->status;
      st.status = status == "ok" ? StepStatus::Succeeded : status == "warned" ? StepStatus::Warned
                  : status == "skipped" ? StepStatus::Skipped : StepStatus::Pending;
      // An unknown outcome (journaled as such) is unfinished: idempotent, it reruns; else
      // the operator decides (--assume-done after checking, or --rerun). Killed half-way
      // (timeout, Ctrl-C, a dropped connection), it may or may not have taken effect,
      // exactly like a command whose end was never written. An action whose run succeeded
      // and whose verify failed did change the world: like an unknown outcome, it is not
      // rerun silently unless idempotent.
      const bool killed = r->result && r->result->killed();
      const bool ran = plan.steps[i].kind == StepKind::Action && r->result && r->result->exit == 0;
      if ((status == "failed" && (killed || ran)) || status == "unknown")
        cut_short.insert(i);
      else
        cut_short.erase(i);
      st.output = r->output.value_or("");
      st.reason = r->reason.value_or("");
      st.from_journal = satisfied(st.status);
      st.completion = static_cast<long long>(sequence++);  // keeps the rollback order across resumes
    } else if (const auto* r = std::get_if<records::RollbackStart>(&rec.body)) {
      const int i = step_of(r->step);
      if (i < 0) continue;
      note_command(i, r->token, rec.ts_ms, true);
      undoing.insert(i);
    } else if (const auto* r = std::get_if<records::RollbackEnd>(&rec.body)) {
      const int i = step_of(r->step);
      if (i < 0) continue;
      undoing.erase(i);
      if (r->ok) {
        out.steps[i] = StepRun{};  // undone: it has to run again
        cut_short.erase(i);
      } else if (r->result && r->result->killed()) {
        undoing.insert(i);  // half undone, as if the rollback never ended
      }                     // a rollback that ran and failed leaves the action done
    }
  }
  for (int i : started)
    if ((!ended.count(i) || cut_short.count(i)) && !undoing.count(i)) out.unfinished.push_back(i);
  // Half undone: neither done nor undone. Like an unfinished step, it runs again (idempotent,
  // or --rerun) or is declared done (--assume-done); which is the operator's call.
  for (int i : undoing) {
    out.steps[i] = StepRun{};
    out.unfinished.push_back(i);
    out.half_rolled_back.push_back(i);
  }
  std::sort(out.unfinished.begin(), out.unfinished.end());
  out.unfinished.erase(std::unique(out.unfinished.begin(), out.unfinished.end()), out.unfinished.end());
  for (int i : out.unfinished)
    if (auto it = last_command.find(i); it != last_command.end()) out.earlier.push_back(it->second);
  return true;
}

std::vector<int> revalidate_guards(const CompiledPlan& plan, std::vector<StepRun>& steps) {
  // What an action depends on guards it. A check that guards an action not done runs
  // again, unless an action already done depends on it too: the world was changed on its
  // word and it may no longer hold (dr_db_healthy, "is a replica", guarded the promotion).
  auto ancestors = [&](bool done) {
    std::vector<bool> mark(plan.steps.size());
    std::vector<int> stack;
    for (const auto& s : plan.steps)
      if (s.kind == StepKind::Action && satisfied(steps[s.index].status) == done) stack.push_back(s.index);
    while (!stack.empty()) {
      int i = stack.back();
      stack.pop_back();
      for (int d : plan.steps[i].deps)
        if (!mark[d]) mark[d] = true, stack.push_back(d);
    }
    return mark;
  };
  const std::vector<bool> consumed = ancestors(true);
  std::vector<bool> guards = ancestors(false);
  for (size_t i = 0; i < guards.size(); ++i) guards[i] = guards[i] && !consumed[i];
  std::vector<int> reset;
  for (const auto& s : plan.steps) {
    StepRun& st = steps[s.index];
    const bool guard_kind = s.kind == StepKind::Check || s.kind == StepKind::Wait || s.kind == StepKind::Gate;
    if (!guards[s.index] || !guard_kind || !st.from_journal || st.status == StepStatus::Skipped) continue;
    StepRun fresh;
    fresh.reason = "was " + std::string(status_name(st.status)) + " in the interrupted run; checked again";
    st = std::move(fresh);
    reset.push_back(s.index);
  }
  return reset;
}

std::string digest_changes(const records::RunStart& run_start, const CompiledPlan& plan) {
  std::string changes;
  if (run_start.plan_digest != plan.plan_digest)
    changes += "the plan (or a module it uses) changed since the run started";
  if (run_start.inventory_digest != plan.inventory_digest)
    changes += std::string(changes.empty() ? "" : "; ") + "the inventory changed since the run started";
  return changes;
}

}  // namespace drplan
