#pragma once
// The apply workflow, from a compiled plan and what the operator asked (ApplyRequest):
// prepare() checks the request, reads the secrets, takes the inventory's lock, loads the
// run to resume and selects the steps; start() opens the journal and records the run;
// execute() runs the scheduler with the real transports and journals the end. The CLI
// (cli/cmd_apply.cc) parses flags, confirms and prints; the terminal, signals and screen
// come in through ApplyIo and ApplyUi, so nothing here owns the terminal.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/plan_ir.h"
#include "executor/apply_request.h"
#include "executor/display.h"
#include "executor/gates.h"
#include "executor/mask.h"
#include "executor/run_state.h"
#include "executor/scheduler.h"
#include "executor/state_store.h"

namespace drplan {

/// --state-dir, else .drplan/ beside the inventory (absolute).
std::string state_dir_for(const ApplyRequest& rq);
/// The lock key: one apply per inventory, whatever the plan, the state dir or the spelling
/// of the inventory's path: its [inventory] name, or its real path when it has none.
std::string lock_key(const CompiledPlan& plan, const std::string& inventory_path);
/// A new run's id: UTC time, plan, pid ("20240102-030405-failover-1234").
std::string new_run_id(const std::string& plan_name);

/// What execute() needs from the operator's side: set up by the CLI, scripted in tests.
struct ApplyUi {
  GatePrompter* prompter = nullptr;
  /// The screen; execute() adds the run's detailed log (drplan.log) beside the journal.
  std::unique_ptr<Display> display;
  /// Turns Ctrl-C, SIGTERM and SIGHUP into `irq` while the returned guard lives; null: none.
  std::function<std::shared_ptr<void>(Interrupts& irq)> watch_interrupts;
  /// Runs the commands; null: local processes and SSH as the inventory says.
  Transport* transport = nullptr;
};

class ApplyRun {
 public:
  ApplyRun(const CompiledPlan& plan, ApplyRequest request, StateStore& store, ApplyIo io);
  /// Returns 0, or the exit code of a refusal (1 or 2) after telling `io` why.
  int prepare();
  /// Opens the journal and records the run's start; 0, or 2 after telling `io`.
  int start();
  /// Runs the plan (after prepare and start) and journals the run's end.
  RunOutcome execute(ApplyUi& ui);

  const std::string& run_id() const { return run_id_; }
  const Masker& masker() const { return masker_; }
  const ApplyRequest& request() const { return rq_; }
  /// The initial state of each step: from the journal of a resumed run, minus the selection.
  const std::vector<StepRun>& initial() const { return initial_; }

 private:
  bool check_approvals() const;
  bool read_secrets();
  RunOptions run_options() const;

  const CompiledPlan& plan_;
  ApplyRequest rq_;
  StateStore& store_;
  ApplyIo io_;
  Masker masker_;
  std::map<std::string, std::string> secrets_;
  std::string run_;     ///< the run's id, or (a local resume by --run DIR) its directory
  std::string run_id_;
  std::vector<StepRun> initial_;
  std::vector<EarlierAttempt> earlier_;
  std::vector<std::string> excluded_;
};

}  // namespace drplan
