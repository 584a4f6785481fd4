#pragma once
// An earlier attempt's process that may outlive the drplan that started it (kill -9 of
// drplan, a dropped SSH connection: the command runs on). Every step's command starts with
// a few shell builtins that write, before the command proper runs, the shell's pid (the
// leader of the command's process group), its start time and the attempt's token into
// ~/.drplan/proc/STEP (one file per step, rewritten by each attempt) on the host that runs
// it; the token (RUN:STEP:WHAT:N) is journaled in
// the step's start record, before the command starts. Before the step runs again, the file
// tells whether that very process (pid and start time: a reused pid is not it) still runs;
// if so it is waited for, up to what it had left of its timeout, or stopped (TERM, then
// KILL, of its process group): the step never runs beside it. A service the command
// started in a session of its own is not the attempt and is left alone.
#include <functional>
#include <string>

#include "executor/transport.h"

namespace drplan {

/// The shell text that goes before a command: it records the attempt under `token`.
std::string record_attempt_prefix(const std::string& token);

enum class EarlierPolicy { Wait, Kill };

/// What the look-up found and did.
struct Settled {
  enum class Kind {
    None,      ///< the attempt does not run (it ended, or never started)
    Ended,     ///< it ran, and ended on its own while waited for
    Stopped,   ///< it ran, and was stopped (TERM or KILL)
    Survived,  ///< it runs on after KILL
    Unknown,   ///< the look-up failed (no connection, no /proc, no ~/.drplan/proc)
  } kind = Kind::Unknown;
  std::string pid;     ///< the attempt's process (and group) id, when it ran
  std::string detail;  ///< human-readable
  bool safe() const { return kind == Kind::None || kind == Kind::Ended || kind == Kind::Stopped; }
};

/// The POSIX sh script that finds the attempt recorded under `token`, waits up to
/// `wait_seconds` for it (none under Kill), then stops its process group (TERM,
/// `grace_seconds`, KILL); it removes the record once settled, and records older than a week.
std::string earlier_process_script(const std::string& token, long long wait_seconds, EarlierPolicy policy,
                                   int grace_seconds = 5);

/// Reads what the script printed.
Settled parse_earlier_process(const ExecResult& r);

/// Runs the script for `token` on `host` (nullptr: this machine) through `transport`, as
/// `run_as` when the step ran under become; `on_running` hears of a live attempt as soon as
/// it is found (its pid).
Settled settle_earlier_process(Transport& transport, const Host* host, const std::string& run_as,
                               const std::string& token, long long wait_seconds, EarlierPolicy policy,
                               const CancelToken* cancel,
                               const std::function<void(const std::string& pid)>& on_running = {});

}  // namespace drplan
