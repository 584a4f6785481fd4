// drplan's command line: one table of subcommands. This is the only file that includes
// CLI11 (a heavy header); it fills the option structs of commands.h and dispatches.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/heap_tuning.h"
#include "compiler/install_paths.h"
#include "executor/terminal.h"

namespace {

using namespace drplan::cli;

// --set k=v: parsed here, type-checked by the compiler against the plan's params.
void add_common(CLI::App* cmd, CommonOptions& o, std::vector<std::string>& sets, bool files_required) {
  auto* f = cmd->add_option("files", o.files, "Plan files (*.dr), or names of standard plans (failover)");
  if (files_required) f->required();
  cmd->add_option("-i,--inventory", o.inventory, "Inventory file (TOML)");
  cmd->add_option("--set", sets, "Override a plan parameter: --set name=value (repeatable)");
  cmd->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"text", "json"}));
}

// -j and --per-host size the worker pool and the load on one host: a typo (-j 0, -j 100000)
// is refused before anything starts, never silently replaced nor left to abort half-way.
constexpr int kMaxParallel = 256;
CLI::Validator parallelism() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        int n = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, n);
        if (ec == std::errc() && p == end && n >= 1 && n <= kMaxParallel) return "";
        return "expected a number of parallel steps from 1 to " + std::to_string(kMaxParallel) + ", got '" + text + "'";
      },
      "1.." + std::to_string(kMaxParallel));
}

bool split_sets(const std::vector<std::string>& raw, CommonOptions& o) {
  for (const auto& s : raw) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "drplan: error: --set expects name=value, got '%s'\n", s.c_str());
      return false;
    }
    o.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  return true;
}

// `drplan check failover`: a bare name is a standard plan unless the cwd holds that name.
void resolve_plans(CommonOptions& o) {
  for (auto& f : o.files) f = drplan::resolve_plan_argument(f);
}

}  // namespace

int main(int argc, char** argv) {
  drplan::cli::tune_heap();
  // `drplan apply ... | head` must not kill a run half-way: a closed stdout is a write error
  // (the display notices and stops showing), never a signal. Spawned commands get the
  // default disposition back (LocalTransport).
  signal(SIGPIPE, SIG_IGN);
  CLI::App app{"drplan: disaster-recovery runbooks as code (check, plan, graph, apply)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "drplan 0.1.0");

  CheckOptions check;
  check.exits_after_compile = true;
  check.shows_digests = false;
  std::vector<std::string> check_sets;
  auto* c = app.add_subcommand("check", "Validate plans: located errors and warnings, nothing runs");
  add_common(c, check, check_sets, true);
  c->add_flag("--werror", check.werror, "Treat warnings as errors");

  PlanOptions plan;
  plan.exits_after_compile = true;
  std::vector<std::string> plan_sets;
  auto* p = app.add_subcommand("plan", "Dry run: every command per host, in the waves apply would use");
  add_common(p, plan, plan_sets, true);

  GraphOptions graph;
  graph.exits_after_compile = true;
  graph.shows_digests = false;
  std::vector<std::string> graph_sets;
  auto* g = app.add_subcommand("graph", "The plan's DAG as Graphviz DOT (or rendered with -o x.svg)");
  add_common(g, graph, graph_sets, true);
  g->add_option("-o,--output", graph.output, "Write to a file; .svg/.png/.pdf are rendered with dot");

  ApplyOptions apply;
  std::vector<std::string> apply_sets;
  auto* a = app.add_subcommand("apply", "Run a plan: dependency order, parallel, journaled, with rollback");
  add_common(a, apply, apply_sets, false);
  a->add_flag("-y,--yes", apply.yes, "Do not ask for confirmation; approve every gate");
  a->add_option("-j,--jobs", apply.jobs, "Steps run in parallel (default 8)")->check(parallelism());
  a->add_option("--per-host", apply.per_host, "Steps run in parallel on one inventory host (default 4); `on local` steps are bounded by -j only")
      ->check(parallelism());
  a->add_option("--approve", apply.approve, "Approve this gate non-interactively (repeatable)");
  a->add_option("--only", apply.only, "Run only these steps (and nothing that depends on others)");
  a->add_option("--skip", apply.skip, "Skip these steps (refused if a step that runs depends on them)");
  a->add_flag("--force", apply.force, "Override safety refusals (skips with dependents, changed digests)");
  a->add_option("--reason", apply.reason, "Why a safety step (fencing, the TTL check) is skipped: needed with --force, journaled");
  a->add_flag("--checks-only", apply.checks_only, "Rehearse: run every check and wait for real, no action or gate; those after an action are not rehearsable");
  a->add_option("--on-failure", apply.on_failure,
                "rollback | stop | ask (default: the plan's on_failure; ask without a terminal: the plan's unattended)")
      ->check(CLI::IsMember({"rollback", "stop", "ask"}));
  a->add_flag("--resume", apply.resume, "Continue the latest interrupted or failed run of this plan");
  a->add_option("--run", apply.resume_run, "With --resume: the run to continue");
  a->add_option("--assume-done", apply.assume_done, "With --resume: treat this unfinished step as done");
  a->add_option("--rerun", apply.rerun, "With --resume: run this unfinished step again");
  a->add_option("--earlier", apply.earlier,
                "An interrupted attempt that still runs: wait for it (up to its timeout), or kill it at once")
      ->check(CLI::IsMember({"wait", "kill"}));
  a->add_option("--state-dir", apply.state_dir, "Where runs are journaled (default .drplan/ beside the inventory)");
  a->add_option("--state", apply.state, "Where runs keep their lock and journal: local, or etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (default: the inventory's [state], else local)");
  a->add_flag("--accept-new-host-keys", apply.accept_new_host_keys,
              "Trust SSH host keys not yet in known_hosts (journaled); changed keys are always refused");

  RunsOptions runs;
  auto* r = app.add_subcommand("runs", "List journaled runs");
  r->add_option("--state-dir", runs.state_dir, "State directory");
  r->add_option("--state", runs.state, "Where runs keep their lock and journal: local, or etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (default: the inventory's [state], else local)");
  r->add_option("-i,--inventory", runs.inventory, "Inventory (its directory holds .drplan/)");

  LogOptions log;
  auto* l = app.add_subcommand("log", "Print one run's journal in readable form");
  l->add_option("run", log.run, "Run id (default: the latest)");
  l->add_option("--state-dir", log.state_dir, "State directory");
  l->add_option("--state", log.state, "Where runs keep their lock and journal: local, or etcd://HOST:PORT[,HOST:PORT...][/PREFIX] (default: the inventory's [state], else local)");
  l->add_option("-i,--inventory", log.inventory, "Inventory (its directory holds .drplan/)");
  l->add_option("--format", log.format, "Output format")->check(CLI::IsMember({"text", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  try {
    if (c->parsed()) {
      check.color = drplan::color_wanted(STDERR_FILENO);
      if (!split_sets(check_sets, check)) return 2;
      resolve_plans(check);
      return run_check(check);
    }
    if (p->parsed()) {
      plan.color = drplan::color_wanted(STDOUT_FILENO);
      if (!split_sets(plan_sets, plan)) return 2;
      resolve_plans(plan);
      return run_plan(plan);
    }
    if (g->parsed()) {
      if (!split_sets(graph_sets, graph)) return 2;
      resolve_plans(graph);
      return run_graph(graph);
    }
    if (a->parsed()) {
      apply.color = drplan::color_wanted(STDOUT_FILENO);
      apply.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
      apply.argv.assign(argv, argv + argc);
      if (!split_sets(apply_sets, apply)) return 2;
      resolve_plans(apply);
      return run_apply(apply);
    }
    if (r->parsed()) return run_runs(runs);
    if (l->parsed()) return run_log(log);
  } catch (const std::exception& e) {
    // Commands report their own errors; this is the last line of defence against a trace.
    std::fprintf(stderr, "drplan: internal error: %s\n", e.what());
    return 2;
  }
  return 2;
}
