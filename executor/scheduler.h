#pragma once
// The scheduler runs a compiled plan: a step becomes ready when its last dependency is
// done (join counters), ready steps start on worker threads up to -j and a per-host cap,
// and completions come back as events — no sleeps, no polling. On the first failure it
// schedules nothing new, lets running steps finish, then rolls back the completed actions
// in reverse completion order, never across a point of no return.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan_ir.h"
#include "executor/display.h"
#include "executor/gates.h"
#include "executor/journal.h"
#include "executor/journal_records.h"
#include "executor/mask.h"
#include "executor/run_state.h"
#include "executor/state_store.h"
#include "executor/transport.h"

namespace drplan {

/// Ctrl-C: the first press stops scheduling, the second cancels running steps.
struct Interrupts {
  std::atomic<int> presses{0};
  /// The terminal went away (SIGHUP): stop like a first Ctrl-C, and never roll back on
  /// nobody's say-so; the run is left for `--resume`.
  std::atomic<bool> hangup{false};
  std::function<void()> wake;  ///< set by the scheduler: makes its loop look at `presses`
};

struct RunHooks {
  Transport* transport = nullptr;
  GatePrompter* prompter = nullptr;
  Display* display = nullptr;
  /// The run's journal (open) and lock; may be null (tests). Before each new step the
  /// scheduler asks whether the lock is still held: if not, nothing new starts and the
  /// run fails as if that step had failed (rollback policy as usual).
  StateStore* store = nullptr;
  const Masker* masker = nullptr;
  std::map<std::string, std::string> secrets;                     ///< name -> value
  std::vector<std::pair<std::string, std::string>> local_env;      ///< DRPLAN_* for local steps
  Interrupts* interrupts = nullptr;
};

struct RollbackEntry {
  int step = -1;
  bool ok = false;
  std::string error;
  std::string output;  ///< what the rollback command printed (stdout, then stderr), unmasked data
};

struct RunOutcome {
  bool success = false;
  bool interrupted = false;
  int first_failure = -1;
  std::vector<RollbackEntry> rollbacks;   ///< in the order they ran
  std::vector<int> manual;                ///< completed actions with rollback = none
  int stopped_at_no_return = -1;          ///< rollback stopped before this action
  std::vector<int> not_rolled_back;       ///< completed actions left as they are (no-return or stop policy)
  bool rollback_declined = false;
  std::string rollback_declined_why;  ///< "on_failure = stop", "declined at the terminal", ...
  std::vector<int> unknown;  ///< actions whose outcome is unknown (they may have taken effect)
  std::vector<int> kept;     ///< not undone: an unknown or un-undone step depends on them
  std::vector<StepRun> steps;
  long long started_ms = 0, ended_ms = 0;
  /// Nothing ran: an earlier attempt may still run (why), or could not be looked for.
  std::string not_started;
};

/// The delay before the next retry: twice `delay`, but at most an hour (or `first`, the
/// step's backoff, when that is longer), so that retry = 100 neither waits for ages nor
/// overflows.
Millis next_retry_delay(Millis delay, Millis first);

class Scheduler {
 public:
  Scheduler(const CompiledPlan& plan, RunOptions options, RunHooks hooks);
  /// Runs from `initial` (all Pending for a new run; from the journal when resuming).
  RunOutcome run(std::vector<StepRun> initial);

 private:
  struct Completion {
    int step;
    StepRun result;
  };
  struct Job {
    int step;
    std::string command, verify;
    std::vector<std::pair<std::string, std::string>> env;
  };

  void worker();
  StepRun execute(const Job& job);
  StepRun run_command_step(const Job& job, const StepInstance& s);
  StepRun run_wait(const Job& job, const StepInstance& s);
  ExecResult exec(const StepInstance& s, const std::string& command, const std::vector<std::pair<std::string, std::string>>& env,
                  Millis timeout, bool quiet = false, const std::string& token = "");
  /// The token for the command of `s` about to start (empty without a prefix).
  std::string next_token(const StepInstance& s, const char* what, int attempt);
  /// Looks for the attempt with `token` on the host of `s`; waits up to `wait` for it, or
  /// stops it (the policy); journals and shows what it found.
  Settled settle(const StepInstance& s, const std::string& token, Millis wait);
  /// Settles every earlier attempt of an interrupted run; false (with `why`) if one may run on.
  bool settle_earlier(std::string* why);
  bool sleep_interruptibly(Millis d);
  template <typename Rec>
  bool journal(const Rec& record) {
    return !hooks_.store || hooks_.store->append(nlohmann::json(record));
  }
  /// False (and the run stops) once the store says the lock was lost.
  bool lock_still_held(int i);
  StepRun not_journaled(const StepInstance& s) const;
  void dispatch();
  void start(int i);
  void complete(int i, StepRun r);
  void skip(int i, std::string reason);
  /// Fails a step before it runs: its command cannot be formed (a NUL in an output).
  void refuse(int i, std::string reason);
  bool ready_to_start(int i) const;
  void rollback(RunOutcome& out);
  /// Marks everything `i` depends on (transitively) as kept.
  void keep_dependencies(int i, std::vector<bool>& kept) const;
  std::string output_of(const std::string& id) const;
  Millis rollback_timeout(const StepInstance& s) const;
  bool cross_point_of_no_return(const StepInstance& s, size_t left);

  const CompiledPlan& plan_;
  RunOptions opt_;
  RunHooks hooks_;
  CancelToken cancel_;

  std::mutex mu_;
  std::condition_variable cv_;       // scheduler: completions, interrupts
  std::condition_variable work_cv_;  // workers: jobs
  std::vector<Job> jobs_;
  std::vector<Completion> done_;
  bool shutting_down_ = false;

  std::vector<StepRun> state_;
  /// --checks-only: the skipped action upstream of each step ("" if none): what it cannot rehearse.
  std::vector<std::string> rehearsal_blocked_;
  std::map<std::string, int> by_id_;
  std::map<std::string, int> running_per_host_;
  int running_ = 0;
  long long completions_ = 0;
  bool stopping_ = false;
  bool hangup_seen_ = false;
  int first_failure_ = -1;
  std::vector<int> ready_;
};

}  // namespace drplan
