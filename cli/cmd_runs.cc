// `drplan runs` lists the journaled runs; `drplan log RUN` prints one journal readably.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "executor/journal_records.h"
#include "compiler/diagnostics.h"
#include "compiler/inventory.h"
#include "compiler/source.h"
#include "executor/state_backend.h"
#include "executor/state_store.h"
#include "executor/terminal.h"

namespace drplan::cli {

namespace fs = std::filesystem;

namespace {

std::string state_dir_of(const std::string& state_dir, const std::string& inventory) {
  if (!state_dir.empty()) return state_dir;
  if (!inventory.empty()) return (fs::absolute(inventory).parent_path() / ".drplan").string();
  return ".drplan";
}

// The store of --state, else of the inventory's [state] (when -i names one), else local.
std::unique_ptr<StateStore> store_of(const std::string& state, const std::string& state_dir,
                                     const std::string& inventory_path) {
  std::optional<Inventory> inventory;
  if (state.empty() && !inventory_path.empty()) {
    SourceManager sm;
    DiagnosticEngine diags;
    inventory = load_inventory(sm, inventory_path, diags);
    if (!inventory) {
      diags.sort();
      std::fputs(render_text(sm, diags.all(), false).c_str(), stderr);
      return nullptr;
    }
  }
  std::string why;
  auto store = open_state_store(state, inventory ? &*inventory : nullptr, state_dir_of(state_dir, inventory_path), &why);
  if (!store) std::fprintf(stderr, "drplan: error: %s\n", why.c_str());
  return store;
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


// One line of `drplan log` for record `r` of kind `Rec`.
void print(const records::Record& r, const records::RunStart& x) {
  std::printf("%s  %s %s of plan %s by %s@%s (pid %lld)\n         plan digest %s, inventory digest %s\n", r.ts.c_str(),
              x.resume ? "RESUME" : "START", x.run.c_str(), x.plan.c_str(), x.user.c_str(), x.host.c_str(), x.pid,
              x.plan_digest.substr(0, 16).c_str(), x.inventory_digest.substr(0, 16).c_str());
}
void print(const records::Record& r, const records::StepStart& x) {
  std::printf("%s  start  %s on %s (attempt %d)\n", r.ts.c_str(), x.step.c_str(), x.host.c_str(), x.attempt);
}
void print(const records::Record& r, const records::StepEnd& x) {
  std::printf("%s  %-6s %s%s%s\n", r.ts.c_str(), x.status.c_str(), x.step.c_str(),
              x.duration_ms ? (" (" + seconds(*x.duration_ms) + ")").c_str() : "",
              x.reason ? (": " + visible_controls(*x.reason)).c_str() : "");
  if (x.result && x.result->stderr_tail && x.status == "failed")
    std::printf("         stderr: %s\n", visible_controls(*x.result->stderr_tail, true).c_str());
}
void print(const records::Record& r, const records::GateDecision& x) {
  std::printf("%s  gate   %s %s by %s (%s)\n", r.ts.c_str(), x.step.c_str(), x.decision.c_str(), x.by.c_str(),
              x.how.c_str());
}
void print(const records::Record& r, const records::StepRetry& x) {
  std::printf("%s  retry  %s after attempt %d: %s\n", r.ts.c_str(), x.step.c_str(), x.attempt,
              visible_controls(x.reason).c_str());
}
void print(const records::Record& r, const records::RollbackEnd& x) {
  std::printf("%s  %s %s\n", r.ts.c_str(), x.ok ? "undone" : "ROLLBACK FAILED", x.step.c_str());
}
void print(const records::Record& r, const records::NoReturnDecision& x) {
  std::printf("%s  %s at %s (point of no return)%s\n", r.ts.c_str(),
              x.decision == "cross" ? "rollback crossed" : "rollback stopped", x.step.c_str(),
              x.by.empty() ? "" : (" by " + x.by).c_str());
}
void print(const records::Record& r, const records::RollbackStop& x) {
  std::printf("%s  rollback stopped at %s (point of no return)\n", r.ts.c_str(), x.step.c_str());
}
void print(const records::Record& r, const records::Interrupt& x) {
  if (x.hangup)
    std::printf("%s  interrupted (the terminal hung up; nothing rolled back)\n", r.ts.c_str());
  else
    std::printf("%s  interrupted (Ctrl-C #%d)\n", r.ts.c_str(), x.presses);
}
void print(const records::Record& r, const records::RunEnd& x) {
  std::printf("%s  END    %s after %s\n", r.ts.c_str(), x.status.c_str(), seconds(x.duration_ms.value_or(0)).c_str());
}
// Every other kind: its type and step.
template <typename Rec>
void print(const records::Record& r, const Rec& x) {
  std::string step;
  if constexpr (requires { x.step; }) step = x.step;
  std::printf("%s  %s %s\n", r.ts.c_str(), r.type.c_str(), step.c_str());
}

}  // namespace

int run_runs(const RunsOptions& o) {
  auto opened = store_of(o.state, o.state_dir, o.inventory);
  if (!opened) return 2;
  StateStore& store = *opened;
  auto runs = store.list_runs();
  if (runs.empty()) {
    std::printf("no runs in %s\n", store.run_location("").c_str());
    return 0;
  }
  std::printf("%-48s %-12s %-26s %-12s %s\n", "run", "plan", "started", "status", "by");
  for (const auto& id : runs) {
    std::vector<std::string> problems;
    auto records = records::read_records(store.read_run(id, nullptr, &problems));
    warn_about(problems);
    if (records.empty()) continue;
    std::string status = "interrupted (no end record)";
    for (const auto& rec : records)
      if (const auto* end = std::get_if<records::RunEnd>(&rec.body))
        status = (end->status.empty() ? "?" : end->status) + " in " + seconds(end->duration_ms.value_or(0));
      else if (rec.type == "run_resume")
        status = "resumed, unfinished";
    const auto* first = std::get_if<records::RunStart>(&records.front().body);
    const records::RunStart none;
    const records::RunStart& start = first ? *first : none;
    auto known = [](const std::string& s) { return s.empty() ? std::string("?") : s; };
    std::printf("%-48s %-12s %-26s %-12s %s@%s\n", id.c_str(), known(start.plan).c_str(),
                known(records.front().ts).c_str(), status.c_str(), known(start.user).c_str(), known(start.host).c_str());
  }
  return 0;
}

int run_log(const LogOptions& o) {
  auto opened = store_of(o.state, o.state_dir, o.inventory);
  if (!opened) return 2;
  StateStore& store = *opened;
  std::string run = o.run;
  if (run.empty()) {
    auto runs = store.list_runs();
    if (runs.empty()) {
      std::fprintf(stderr, "drplan: error: no runs in %s\n", store.run_location("").c_str());
      return 2;
    }
    run = runs.back();
  }
  int torn = 0;
  std::vector<std::string> problems;
  auto raw = store.read_run(run, &torn, &problems);
  warn_about(problems);
  if (raw.empty()) {
    std::fprintf(stderr, "drplan: error: no journal in %s\n", store.run_location(run).c_str());
    return 2;
  }
  if (o.format == "json") {
    for (const auto& r : raw) std::printf("%s\n", r.dump().c_str());
    return 0;
  }
  for (const auto& r : records::read_records(raw)) std::visit([&](const auto& x) { print(r, x); }, r.body);
  if (torn) std::printf("(%d torn or unreadable line%s skipped)\n", torn, torn == 1 ? "" : "s");
  return 0;
}

}  // namespace drplan::cli
