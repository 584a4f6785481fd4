#include "cli/run_summary.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "executor/terminal.h"

namespace drplan::cli {

namespace {

std::string secs(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

std::string last_lines(std::string text, int n) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  size_t pos = text.size();
  for (int k = 0; k < n; ++k) {
    if (pos == 0) return text;
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return text.substr(pos + 1);
}

void indent(const std::string& text, const char* prefix) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    std::printf("%s%s\n", prefix, visible_controls(line).c_str());
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

// The chain of steps that really determined the wall time: from the last step to end,
// back through the dependency that finished last.
std::vector<int> actual_critical_path(const CompiledPlan& plan, const std::vector<StepRun>& runs) {
  int last = -1;
  for (const auto& s : plan.steps)
    if (runs[s.index].ended_ms && !runs[s.index].from_journal && (last < 0 || runs[s.index].ended_ms > runs[last].ended_ms))
      last = s.index;
  std::vector<int> path;
  for (int v = last; v >= 0;) {
    if (plan.steps[v].kind != StepKind::Barrier) path.push_back(v);
    int next = -1;
    for (int d : plan.steps[v].deps)
      if (runs[d].ended_ms && !runs[d].from_journal && (next < 0 || runs[d].ended_ms > runs[next].ended_ms)) next = d;
    v = next;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

void print_run_summary(const CompiledPlan& plan, const RunOutcome& out, const std::string& run_id,
                       const std::string& journal, const std::string& run_dir, const Style& st,
                       const Masker& masker) {
  // Tails of kOutputCap bytes were cut at their start.
  auto shown = [&](const std::string& text) {
    return masker.mask(text, text.size() >= kOutputCap ? Masker::kCutAtStart : Masker::kWhole);
  };
  const auto& runs = out.steps;
  int counts[7] = {0};
  for (const auto& s : plan.steps)
    if (s.kind != StepKind::Barrier) counts[static_cast<int>(runs[s.index].status)]++;
  std::printf("\n%s%s── Run %s: %s in %s%s\n", st.bold(), out.success ? st.green() : st.red(), run_id.c_str(),
              out.success ? "SUCCEEDED" : out.interrupted ? "INTERRUPTED" : "FAILED",
              secs(out.ended_ms - out.started_ms).c_str(), st.reset());
  std::printf("  steps: %d ok, %d warned, %d failed, %d skipped, %d not run\n", counts[2], counts[3], counts[4],
              counts[5], counts[0] + counts[6]);

  std::printf("\n  %-30s %-8s %-8s %9s  %s\n", "step", "host", "status", "duration", "note");
  std::string not_run;
  for (const auto& s : plan.steps) {
    if (s.kind == StepKind::Barrier) continue;
    const StepRun& r = runs[s.index];
    if (r.status == StepStatus::Pending) {
      not_run += (not_run.empty() ? "" : ", ") + s.id;
      continue;
    }
    std::string dur = r.from_journal ? "(earlier)" : r.ended_ms ? secs(r.ended_ms - r.started_ms) : "-";
    const char* color = r.status == StepStatus::Failed || r.status == StepStatus::Unknown ? st.red()
                        : r.status == StepStatus::Warned                                    ? st.yellow()
                                                                                            : "";
    std::string note = r.reason.size() > 70 ? r.reason.substr(0, 67) + "..." : r.reason;
    std::printf("  %-30s %-8s %s%-8s%s %9s  %s\n", s.id.c_str(), s.host_name.c_str(), color, status_name(r.status),
                st.reset(), dur.c_str(), visible_controls(note).c_str());
  }

  if (!not_run.empty()) std::printf("  not run: %s\n", not_run.c_str());

  for (const auto& s : plan.steps) {
    const StepRun& r = runs[s.index];
    if (r.status != StepStatus::Failed && r.status != StepStatus::Warned) continue;
    std::printf("\n  %s%s %s on %s%s: %s\n", r.status == StepStatus::Failed ? st.red() : st.yellow(),
                r.status == StepStatus::Failed ? "FAILED" : "WARNING", s.id.c_str(), s.host_name.c_str(), st.reset(),
                visible_controls(r.reason).c_str());
    std::string tail = last_lines(shown(r.result.stdout_text) + shown(r.result.stderr_text), 8);
    if (!tail.empty()) indent(tail, "    | ");
  }

  // An unknown outcome is neither done nor failed: say what it may mean and what is kept.
  for (int i : out.unknown) {
    const StepInstance& s = plan.steps[i];
    std::printf("\n  %sOUTCOME UNKNOWN %s on %s%s: %s\n", st.red(), s.id.c_str(), s.host_name.c_str(), st.reset(),
                visible_controls(runs[i].reason).c_str());
    bool promote = std::find(s.tags.begin(), s.tags.end(), "db.promote") != s.tags.end();
    std::printf("    it may have taken effect%s; drplan did not retry it blindly nor roll back what it depends on\n",
                promote ? (" (" + s.host_name + " may now be primary)").c_str() : "");
    if (!s.verify.empty())
      std::printf("    check by hand: %s\n", visible_controls(s.verify.display(), /*keep_newlines=*/true).c_str());
  }

  if (!out.rollbacks.empty() || out.stopped_at_no_return >= 0 || !out.manual.empty() || out.rollback_declined ||
      !out.kept.empty()) {
    std::printf("\n  %sRollback%s\n", st.bold(), st.reset());
    for (const auto& rb : out.rollbacks) {
      std::printf("    %s %s%s\n", rb.ok ? "rolled back" : "ROLLBACK FAILED:", plan.steps[rb.step].id.c_str(),
                  rb.ok ? "" : (" — " + visible_controls(rb.error)).c_str());
      const std::string tail = rb.ok ? "" : last_lines(shown(rb.output), 8);
      if (!tail.empty()) indent(tail, "      | ");
    }
    if (out.stopped_at_no_return >= 0) {
      const auto& s = plan.steps[out.stopped_at_no_return];
      std::printf("    stopped at %s: a point of no return, not undone automatically%s%s\n", s.id.c_str(),
                  s.rollback_none_reason.empty() ? "" : " (", s.rollback_none_reason.empty() ? "" : (s.rollback_none_reason + ")").c_str());
      std::printf("    left as they are:");
      for (int i : out.not_rolled_back) std::printf(" %s", plan.steps[i].id.c_str());
      std::printf("\n    decide: finish the run (fix the cause, then `drplan apply --resume`) or undo by hand / with the failback plan\n");
    }
    if (out.rollback_declined) {
      std::printf("    not rolled back (%s):", masker.mask(out.rollback_declined_why.empty() ? "declined" : out.rollback_declined_why).c_str());
      for (int i : out.not_rolled_back) std::printf(" %s", plan.steps[i].id.c_str());
      std::printf("\n");
    }
    for (int i : out.kept)
      std::printf("    kept: %s (a step that depends on it is still in effect, or may be)\n", plan.steps[i].id.c_str());
    for (int i : out.manual)
      std::printf("    needs manual attention: %s (no rollback: %s)\n", plan.steps[i].id.c_str(),
                  plan.steps[i].rollback_none_reason.empty() ? "none given" : plan.steps[i].rollback_none_reason.c_str());
  }

  bool any_report = false;
  for (const auto& s : plan.steps) {
    const StepRun& r = runs[s.index];
    if (s.report.empty() || r.output.empty()) continue;
    if (!any_report) std::printf("\n  %sReports%s\n", st.bold(), st.reset());
    any_report = true;
    // A report of a step that failed says so: it is what was found, not what was achieved.
    const bool failed = r.status == StepStatus::Failed || r.status == StepStatus::Unknown;
    std::printf("    %s (%s%s): %s\n", s.report.c_str(), s.id.c_str(), failed ? ", FAILED" : "",
                visible_controls(last_lines(shown(r.output), 3), /*keep_newlines=*/true).c_str());
  }
  for (const auto& s : plan.steps) {
    const StepRun& r = runs[s.index];
    if (std::find(s.tags.begin(), s.tags.end(), "rto.end") == s.tags.end() || r.status != StepStatus::Succeeded) continue;
    if (r.from_journal || r.ended_ms < out.started_ms) continue;  // it ended in an earlier attempt (resumed run)
    std::printf("\n  %sMeasured RTO%s (run start to %s): %s\n", st.bold(), st.reset(), s.id.c_str(),
                secs(r.ended_ms - out.started_ms).c_str());
  }

  const bool any_action = std::any_of(plan.steps.begin(), plan.steps.end(),
                                      [](const StepInstance& s) { return s.kind == StepKind::Action; });
  if (!out.success && any_action) {
    // The state of the world as drplan knows it, action by action, for the next decision.
    std::printf("\n  %sState of the actions%s\n", st.bold(), st.reset());
    for (const auto& s : plan.steps) {
      if (s.kind != StepKind::Action) continue;
      const StepRun& r = runs[s.index];
      std::string state = r.status == StepStatus::Succeeded ? "done" : r.status == StepStatus::Unknown ? "UNKNOWN"
                          : r.status == StepStatus::Failed  ? "failed (not done)" : r.status == StepStatus::Skipped ? "skipped"
                          : r.status == StepStatus::Cancelled ? "cancelled" : "not run";
      for (const auto& rb : out.rollbacks)
        if (rb.step == s.index) state = rb.ok ? "undone" : "done (rollback FAILED)";
      if (std::find(out.kept.begin(), out.kept.end(), s.index) != out.kept.end()) state = "done (kept)";
      // What is still (or may be) in effect, in the plan's words: "point servicedesk at 10.0.0.21".
      const bool in_effect = state.starts_with("done") || r.status == StepStatus::Unknown;
      if (in_effect && !s.title.empty()) state += ": " + visible_controls(s.title);
      std::printf("    %-30s %-8s %s\n", s.id.c_str(), s.host_name.c_str(), state.c_str());
    }
  }

  auto cp = actual_critical_path(plan, runs);
  if (!cp.empty()) {
    std::printf("\n  critical path: ");
    for (size_t k = 0; k < cp.size(); ++k)
      std::printf("%s%s (%s)", k ? " -> " : "", plan.steps[cp[k]].id.c_str(),
                  secs(runs[cp[k]].ended_ms - runs[cp[k]].started_ms).c_str());
    std::printf("\n");
  }
  std::printf("  total wall time: %s\n", secs(out.ended_ms - out.started_ms).c_str());
  std::printf("\n  journal: %s\n  read it: drplan log %s\n", journal.c_str(), run_dir.c_str());
  if (!out.success)
    std::printf("  continue it: drplan apply %s -i %s --resume --run %s\n", plan.file.c_str(),
                plan.inventory && !plan.inventory->path.empty() ? plan.inventory->path.c_str() : "<inventory>",
                run_id.c_str());
}

}  // namespace drplan::cli
