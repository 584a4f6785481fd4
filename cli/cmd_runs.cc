// `drplan runs` lists the journaled runs; `drplan log RUN` prints one journal readably.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "executor/journal.h"
#include "executor/terminal.h"

namespace drplan::cli {

namespace fs = std::filesystem;

namespace {

std::string state_dir_of(const std::string& state_dir, const std::string& inventory) {
  if (!state_dir.empty()) return state_dir;
  if (!inventory.empty()) return (fs::absolute(inventory).parent_path() / ".drplan").string();
  return ".drplan";
}

// Damaged records were skipped or read without their bad fields: say where, and go on.
void warn_about(const std::vector<std::string>& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "drplan: warning: %s\n", p.c_str());
}

std::string seconds(long long ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

}  // namespace

int run_runs(const RunsOptions& o) {
  std::string dir = state_dir_of(o.state_dir, o.inventory);
  auto runs = list_runs(dir);
  if (runs.empty()) {
    std::printf("no runs in %s\n", dir.c_str());
    return 0;
  }
  std::printf("%-48s %-12s %-26s %-12s %s\n", "run", "plan", "started", "status", "by");
  for (const auto& r : runs) {
    std::vector<std::string> problems;
    auto records = read_journal(r + "/journal.jsonl", nullptr, &problems);
    warn_about(problems);
    if (records.empty()) continue;
    const auto& first = records.front();
    std::string status = "interrupted (no end record)";
    for (const auto& rec : records)
      if (rec.value("type", "") == "run_end") status = rec.value("status", "?") + " in " + seconds(rec.value("duration_ms", 0LL));
      else if (rec.value("type", "") == "run_resume") status = "resumed, unfinished";
    std::printf("%-48s %-12s %-26s %-12s %s@%s\n", fs::path(r).filename().c_str(), first.value("plan", "?").c_str(),
                first.value("ts", "?").c_str(), status.c_str(), first.value("user", "?").c_str(),
                first.value("host", "?").c_str());
  }
  return 0;
}

int run_log(const LogOptions& o) {
  std::string dir = state_dir_of(o.state_dir, o.inventory);
  std::string run_dir;
  if (o.run.empty()) {
    auto runs = list_runs(dir);
    if (runs.empty()) {
      std::fprintf(stderr, "drplan: error: no runs in %s\n", dir.c_str());
      return 2;
    }
    run_dir = runs.back();
  } else {
    run_dir = fs::is_directory(o.run) ? o.run : dir + "/runs/" + o.run;
  }
  int torn = 0;
  std::vector<std::string> problems;
  auto records = read_journal(run_dir + "/journal.jsonl", &torn, &problems);
  warn_about(problems);
  if (records.empty()) {
    std::fprintf(stderr, "drplan: error: no journal in %s\n", run_dir.c_str());
    return 2;
  }
  if (o.format == "json") {
    for (const auto& r : records) std::printf("%s\n", r.dump().c_str());
    return 0;
  }
  for (const auto& r : records) {
    std::string type = r.value("type", "");
    std::string ts = r.value("ts", "");
    std::string step = r.value("step", "");
    if (type == "run_start" || type == "run_resume") {
      std::printf("%s  %s %s of plan %s by %s@%s (pid %d)\n         plan digest %s, inventory digest %s\n", ts.c_str(),
                  type == "run_start" ? "START" : "RESUME", r.value("run", "").c_str(), r.value("plan", "").c_str(),
                  r.value("user", "").c_str(), r.value("host", "").c_str(), r.value("pid", 0),
                  r.value("plan_digest", "").substr(0, 16).c_str(), r.value("inventory_digest", "").substr(0, 16).c_str());
    } else if (type == "step_start") {
      std::printf("%s  start  %s on %s (attempt %d)\n", ts.c_str(), step.c_str(), r.value("host", "").c_str(),
                  r.value("attempt", 1));
    } else if (type == "step_end") {
      std::printf("%s  %-6s %s%s%s\n", ts.c_str(), r.value("status", "").c_str(), step.c_str(),
                  r.contains("duration_ms") ? (" (" + seconds(r.value("duration_ms", 0LL)) + ")").c_str() : "",
                  r.contains("reason") ? (": " + visible_controls(r.value("reason", ""))).c_str() : "");
      if (r.contains("result") && r["result"].contains("stderr_tail") && r.value("status", "") == "failed")
        std::printf("         stderr: %s\n", visible_controls(r["result"].value("stderr_tail", ""), true).c_str());
    } else if (type == "gate") {
      std::printf("%s  gate   %s %s by %s (%s)\n", ts.c_str(), step.c_str(), r.value("decision", "").c_str(),
                  r.value("by", "").c_str(), r.value("how", "").c_str());
    } else if (type == "step_retry") {
      std::printf("%s  retry  %s after attempt %d: %s\n", ts.c_str(), step.c_str(), r.value("attempt", 0),
                  visible_controls(r.value("reason", "")).c_str());
    } else if (type == "rollback_end") {
      std::printf("%s  %s %s\n", ts.c_str(), r.value("ok", false) ? "undone" : "ROLLBACK FAILED", step.c_str());
    } else if (type == "no_return_decision" || type == "rollback_stop") {
      std::printf("%s  %s at %s (point of no return)%s\n", ts.c_str(),
                  r.value("decision", "stop") == "cross" ? "rollback crossed" : "rollback stopped", step.c_str(),
                  r.contains("by") ? (" by " + r.value("by", "")).c_str() : "");
    } else if (type == "interrupt") {
      if (r.value("hangup", false))
        std::printf("%s  interrupted (the terminal hung up; nothing rolled back)\n", ts.c_str());
      else
        std::printf("%s  interrupted (Ctrl-C #%d)\n", ts.c_str(), r.value("presses", 1));
    } else if (type == "run_end") {
      std::printf("%s  END    %s after %s\n", ts.c_str(), r.value("status", "").c_str(),
                  seconds(r.value("duration_ms", 0LL)).c_str());
    } else {
      std::printf("%s  %s %s\n", ts.c_str(), type.c_str(), step.c_str());
    }
  }
  if (torn) std::printf("(%d torn or unreadable line%s skipped)\n", torn, torn == 1 ? "" : "s");
  return 0;
}

}  // namespace drplan::cli
