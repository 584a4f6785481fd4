#pragma once
// The journal's records, typed. Every writer builds one of these structs and every reader
// gets one back from `read_record`, so the field names live here alone. On disk a record
// is one JSON object: "type" names the kind, "ts"/"ts_ms" are added by the store when it is
// appended. The names and meanings are those of every journal drplan ever wrote; a reader
// tolerates missing or mistyped fields (defaults), so old and hand-edited journals read.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace drplan::records {

/// What a command did ("result" of step_end and rollback_end); masked output tails.
struct CommandResult {
  std::optional<int> exit;  ///< -1 when killed or never started; absent only in damaged records
  long long duration_ms = 0;
  std::optional<std::string> signal;  ///< "TERM"...
  bool timed_out = false, cancelled = false, connection_lost = false;
  std::optional<std::string> error, stdout_tail, stderr_tail;
  /// Cut short: it may or may not have taken effect.
  bool killed() const { return timed_out || cancelled || connection_lost || signal.has_value(); }
};

/// --only/--skip and what they resolved to ("selection" of run_start).
struct Selection {
  std::vector<std::string> only, skip, excluded;
  bool force = false;
  std::optional<std::string> reason;  ///< --reason, masked
};

/// "run_start", or "run_resume" when `resume`: the run's identity and what it was asked.
struct RunStart {
  bool resume = false;
  std::string run, plan, file, inventory, plan_digest, inventory_digest, user, host;
  long long pid = 0;
  std::vector<std::string> args;  ///< the command line as typed, masked
  Selection selection;
  bool checks_only = false, yes = false;
  std::optional<nlohmann::json> sets;  ///< --set values: an object, name -> text
};

/// "step_start": a command (or a gate's question) is about to start.
struct StepStart {
  std::string step, kind, host;
  int attempt = 1;
  std::optional<std::string> token;  ///< DRPLAN_STEP_TOKEN of the command (commands and not waits)
};

/// "step_end": how a step ended ("ok", "failed", "skipped", "warned", "unknown"...).
struct StepEnd {
  std::string step, status;
  std::optional<int> attempts;
  std::optional<long long> duration_ms;
  std::optional<CommandResult> result;
  std::optional<std::string> reason, output;
};

/// "step_unknown": an attempt of an action was cut off; whether it took effect is not known.
struct StepUnknown {
  std::string step;
  int attempt = 0;
  std::string reason;
};

/// "step_retry": an attempt failed and another follows after `backoff_ms`.
struct StepRetry {
  std::string step;
  int attempt = 0;
  std::string reason;
  long long backoff_ms = 0;
};

/// "gate": an operator's (or a flag's) decision on a gate.
struct GateDecision {
  std::string step, ask, decision, by, how;  ///< decision: "approved" | "rejected"
};

/// "earlier_process": what was found of an interrupted run's command at --resume.
struct EarlierProcess {
  std::string step, token, found, pid, detail;  ///< found: none | ended | stopped | survived | unknown
};

/// "no_return_decision": the operator's word on rolling back past a point of no return.
struct NoReturnDecision {
  std::string step, decision, by;  ///< decision: "cross" | "stop"
};

/// "rollback_skipped": a failed run is not rolled back, and why.
struct RollbackSkipped {
  std::string reason;
};

/// "rollback_begin": the rollback of `actions` completed actions starts.
struct RollbackBegin {
  long long actions = 0;
};

/// "rollback_stop": the rollback stops before `step` (a point of no return).
struct RollbackStop {
  std::string step, reason;
};

/// "rollback_keep": `step` is not undone: something in effect depends on it.
struct RollbackKeep {
  std::string step, reason;
};

/// "rollback_start": the rollback command of `step` is about to start.
struct RollbackStart {
  std::string step, host;
  std::optional<std::string> token;
};

/// "rollback_end": how the rollback command of `step` ended.
struct RollbackEnd {
  std::string step;
  bool ok = false;
  std::optional<CommandResult> result;
};

/// "rollback_end_all": the rollback is over.
struct RollbackEndAll {};

/// "interrupt": Ctrl-C (the `presses`th) or SIGTERM; a lost terminal when `hangup`.
struct Interrupt {
  int presses = 1;
  bool hangup = false;
};

/// "host_key_accepted": a new host key was written to known_hosts (--accept-new-host-keys).
struct HostKeyAccepted {
  std::string host, fingerprint, known_hosts, by;
};

/// "run_end": "succeeded", "failed", "interrupted", or "not_started" (with `reason`).
struct RunEnd {
  std::string status;
  std::optional<std::string> reason;
  std::optional<long long> duration_ms;
};

/// A record of a kind this drplan does not know (a newer one wrote it): kept for display.
struct Other {
  std::string type, step;
};

using Body = std::variant<RunStart, StepStart, StepEnd, StepUnknown, StepRetry, GateDecision, EarlierProcess,
                          NoReturnDecision, RollbackSkipped, RollbackBegin, RollbackStop, RollbackKeep,
                          RollbackStart, RollbackEnd, RollbackEndAll, Interrupt, HostKeyAccepted, RunEnd, Other>;

/// One record read back: its kind and the time the store stamped on it.
struct Record {
  std::string type;
  std::string ts;
  long long ts_ms = 0;
  Body body;
};

/// Reads one record (an object from the journal); never throws.
Record read_record(const nlohmann::json& j);
/// The same for each record.
std::vector<Record> read_records(const std::vector<nlohmann::json>& records);

// The JSON of each record, for the store (nlohmann's to_json convention, so `json j = rec;`).
void to_json(nlohmann::json& j, const CommandResult& r);
void to_json(nlohmann::json& j, const RunStart& r);
void to_json(nlohmann::json& j, const StepStart& r);
void to_json(nlohmann::json& j, const StepEnd& r);
void to_json(nlohmann::json& j, const StepUnknown& r);
void to_json(nlohmann::json& j, const StepRetry& r);
void to_json(nlohmann::json& j, const GateDecision& r);
void to_json(nlohmann::json& j, const EarlierProcess& r);
void to_json(nlohmann::json& j, const NoReturnDecision& r);
void to_json(nlohmann::json& j, const RollbackSkipped& r);
void to_json(nlohmann::json& j, const RollbackBegin& r);
void to_json(nlohmann::json& j, const RollbackStop& r);
void to_json(nlohmann::json& j, const RollbackKeep& r);
void to_json(nlohmann::json& j, const RollbackStart& r);
void to_json(nlohmann::json& j, const RollbackEnd& r);
void to_json(nlohmann::json& j, const RollbackEndAll& r);
void to_json(nlohmann::json& j, const Interrupt& r);
void to_json(nlohmann::json& j, const HostKeyAccepted& r);
void to_json(nlohmann::json& j, const RunEnd& r);

}  // namespace drplan::records
