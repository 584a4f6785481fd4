#pragma once
// The mutable state of one run, kept apart from the immutable compiled plan: so `plan`
// and `apply` share one graph, and a resumed run starts from what its journal recorded.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiler/plan_ir.h"
#include "executor/earlier_process.h"
#include "executor/transport.h"

namespace drplan {

/// Unknown: an action whose command started and then lost its connection, timed out or was
/// cancelled, and whose verify could not prove either way: it may have taken effect.
enum class StepStatus { Pending, Running, Succeeded, Warned, Failed, Skipped, Cancelled, Unknown };

const char* status_name(StepStatus s);
/// Done in a way that lets dependents run.
inline bool satisfied(StepStatus s) {
  return s == StepStatus::Succeeded || s == StepStatus::Warned || s == StepStatus::Skipped;
}

struct StepRun {
  StepStatus status = StepStatus::Pending;
  int remaining_deps = 0;
  long long started_ms = 0;
  long long ended_ms = 0;
  int attempts = 0;
  ExecResult result;          ///< of the last attempt (run, probe or verify): data, mask it to show it
  std::string output;         ///< trimmed stdout, unmasked: what ${step.output} reads
  std::string reason;         ///< why skipped / failed, in words
  long long completion = -1;  ///< order of completion (rollback runs in reverse)
  bool from_journal = false;  ///< completed in an earlier attempt of this run (resume)
  std::string gate_by;        ///< who decided a gate
};

/// A command an interrupted run started, by the token it carried (see earlier_process.h).
struct EarlierAttempt {
  int step = -1;
  std::string token;
  long long started_ms = 0;  ///< when it started (the journal's ts_ms)
  bool rollback = false;     ///< its rollback command, not its run
};

struct RunOptions {
  int jobs = 8;
  int per_host = 4;
  bool yes = false;
  std::set<std::string> approve;
  bool interactive = false;
  std::optional<OnFailure> on_failure;  ///< --on-failure; else the plan's
  bool checks_only = false;
  /// Makes each command's token (DRPLAN_STEP_TOKEN) unique to this drplan process: the run
  /// id, pid and start time; empty: no tokens (tests).
  std::string token_prefix;
  /// Attempts of an interrupted run whose processes may still run (from the journal): each is
  /// looked for, and waited for or stopped, before anything runs.
  std::vector<EarlierAttempt> earlier;
  EarlierPolicy earlier_policy = EarlierPolicy::Wait;
};

/// Trims trailing newlines and surrounding blanks: what `${step.output}` means.
std::string trim_output(std::string_view s);

}  // namespace drplan
