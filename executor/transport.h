#pragma once
// One interface for everything that runs a command: the local process runner, the SSH
// runner, and the fakes used by scheduler tests. A transport call blocks its calling
// worker thread until the command ends; completions reach the scheduler as events.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compiler/inventory.h"

namespace drplan {

/// Raised by the operator (second Ctrl-C) or the scheduler: running commands must stop.
struct CancelToken {
  std::atomic<bool> cancelled{false};
};

struct ExecRequest {
  std::string command;  ///< run with /bin/sh -c on the target
  /// Extra environment (secrets among them). Values never appear on a command line.
  std::vector<std::pair<std::string, std::string>> env;
  std::chrono::milliseconds timeout{0};  ///< 0 = none
  std::string step_id;                   ///< for logs
  const Host* host = nullptr;            ///< nullptr = this machine
  std::string run_as;                    ///< become: run via `sudo -n -u run_as` (SSH hosts)
  /// Called with each output line as it arrives (stdout and stderr); may be empty. `cut`: an
  /// overlong line was cut for length and continues in the next call (masking spans the cut).
  std::function<void(std::string_view line, bool is_stderr, bool cut)> on_line;
  const CancelToken* cancel = nullptr;
};

struct ExecResult {
  int exit_code = -1;         ///< -1 when killed by a signal or never started
  std::string signal;         ///< "TERM", "KILL"... when killed by a signal
  bool timed_out = false;
  bool cancelled = false;
  bool connection_lost = false;  ///< the transport failed (SSH dropped, spawn failed)
  bool started = false;          ///< the command was handed to a shell: it may have run
  std::string error;             ///< transport error, human-readable
  std::string stdout_text;       ///< bounded: the last kOutputCap bytes
  std::string stderr_text;       ///< bounded likewise
  std::chrono::milliseconds duration{0};
  bool ok() const { return exit_code == 0 && !timed_out && !cancelled && error.empty(); }
  /// Started, then ended without finishing on its own: cut off (connection lost, timeout,
  /// cancel) or killed by a signal (directly, or as its shell's 128+N): it may have done
  /// part or all of its work.
  bool outcome_unknown() const {
    return started && (timed_out || cancelled || connection_lost || !signal.empty() || (exit_code > 128 && exit_code <= 192));
  }
};

/// Output kept per stream; older bytes are dropped (the tail is what operators need).
inline constexpr size_t kOutputCap = 64 * 1024;

class Transport {
 public:
  virtual ~Transport() = default;
  /// Runs one command to completion (or timeout / cancellation). Thread-safe.
  virtual ExecResult exec(const ExecRequest& req) = 0;
  /// Closes connections; called once at the end of a run.
  virtual void shutdown() {}
};

}  // namespace drplan
