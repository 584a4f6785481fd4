#pragma once
// What `drplan apply` was asked, as plain data: the CLI fills it from its flags and the
// executor's apply workflow (apply_run.h) acts on it. Also the operator's side of that
// workflow (ApplyIo): messages and yes/no questions, so the executor owns no terminal.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace drplan {

/// --only / --skip, and --force / --reason to get past the safety refusals.
struct StepSelection {
  std::vector<std::string> only, skip;
  bool force = false;
  std::string reason;  ///< why a safety step is skipped (journaled)
};

/// --resume and what decides the steps it finds unfinished.
struct ResumeRequest {
  bool resume = false;
  std::string run;  ///< --run: a run id or (local store) its directory; empty = the plan's latest
  std::vector<std::string> assume_done, rerun;
  std::string earlier = "wait";  ///< an earlier attempt still running: wait | kill
};

struct ApplyRequest {
  std::string inventory;  ///< -i, as given
  std::string state_dir;  ///< --state-dir; empty = .drplan/ beside the inventory
  /// --set values; a resume without --set uses the run's own (resumed_sets).
  std::vector<std::pair<std::string, std::string>> sets;
  StepSelection selection;
  ResumeRequest resume;
  std::vector<std::string> approve;  ///< --approve GATE
  bool yes = false;
  bool interactive = false;  ///< stdin and stdout are a terminal
  bool checks_only = false;
  std::string on_failure;  ///< rollback | stop | "" (the plan's policy)
  int jobs = 0, per_host = 0;  ///< 0 = defaults (8, 4)
  bool accept_new_host_keys = false;
  std::vector<std::string> argv;  ///< the command line as typed, for the journal
};

enum class Say { Error, Warning, Help, Note };

/// The operator's side of the workflow: the CLI prints "drplan: error: TEXT", "drplan:
/// warning: TEXT", "help: TEXT", "drplan: TEXT" and asks on /dev/tty; tests record.
struct ApplyIo {
  std::function<void(Say, const std::string&)> say;
  /// A yes/no question on the operator's terminal; null: nobody to ask (no).
  std::function<bool(const std::string&)> confirm;

  void tell(Say kind, const std::string& text) const {
    if (say) say(kind, text);
  }
  bool ask(const std::string& question) const { return confirm && confirm(question); }
};

}  // namespace drplan
