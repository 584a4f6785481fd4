#include "executor/journal_records.h"

#include <map>
#include <type_traits>

namespace drplan::records {

namespace {

// Field readers that never throw: a missing or mistyped field reads as the default.
template <typename T>
std::optional<T> field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  bool typed;
  if constexpr (std::is_same_v<T, std::string>) typed = it->is_string();
  else if constexpr (std::is_same_v<T, bool>) typed = it->is_boolean();
  else typed = it->is_number_integer();
  return typed ? std::optional<T>(it->get<T>()) : std::nullopt;
}
std::optional<std::string> maybe_text(const nlohmann::json& j, const char* key) { return field<std::string>(j, key); }
std::optional<long long> maybe_integer(const nlohmann::json& j, const char* key) { return field<long long>(j, key); }
std::string text(const nlohmann::json& j, const char* key, const std::string& def = "") {
  return field<std::string>(j, key).value_or(def);
}
long long integer(const nlohmann::json& j, const char* key, long long def = 0) {
  return field<long long>(j, key).value_or(def);
}
bool flag(const nlohmann::json& j, const char* key) { return field<bool>(j, key).value_or(false); }
std::vector<std::string> texts(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& e : *it)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}
template <typename T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

std::optional<CommandResult> read_result(const nlohmann::json& j) {
  auto it = j.find("result");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  const nlohmann::json& r = *it;
  CommandResult out;
  if (auto e = maybe_integer(r, "exit")) out.exit = static_cast<int>(*e);
  out.duration_ms = integer(r, "duration_ms");
  out.signal = maybe_text(r, "signal");
  out.timed_out = flag(r, "timed_out");
  out.cancelled = flag(r, "cancelled");
  out.connection_lost = flag(r, "connection_lost");
  out.error = maybe_text(r, "error");
  out.stdout_tail = maybe_text(r, "stdout_tail");
  out.stderr_tail = maybe_text(r, "stderr_tail");
  return out;
}

RunStart read_run_start(const nlohmann::json& j, bool resume) {
  RunStart r;
  r.resume = resume;
  r.run = text(j, "run");
  r.plan = text(j, "plan");
  r.file = text(j, "file");
  r.inventory = text(j, "inventory");
  r.plan_digest = text(j, "plan_digest");
  r.inventory_digest = text(j, "inventory_digest");
  r.user = text(j, "user");
  r.host = text(j, "host");
  r.pid = integer(j, "pid");
  r.args = texts(j, "args");
  if (auto it = j.find("selection"); it != j.end() && it->is_object()) {
    r.selection.only = texts(*it, "only");
    r.selection.skip = texts(*it, "skip");
    r.selection.excluded = texts(*it, "excluded");
    r.selection.force = flag(*it, "force");
    r.selection.reason = maybe_text(*it, "reason");
  }
  r.checks_only = flag(j, "checks_only");
  r.yes = flag(j, "yes");
  if (auto it = j.find("sets"); it != j.end() && it->is_object()) r.sets = *it;
  return r;
}

using Reader = Body (*)(const nlohmann::json&);

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> table = {
      {"run_start", [](const nlohmann::json& j) -> Body { return read_run_start(j, false); }},
      {"run_resume", [](const nlohmann::json& j) -> Body { return read_run_start(j, true); }},
      {"step_start",
       [](const nlohmann::json& j) -> Body {
         return StepStart{text(j, "step"), text(j, "kind"), text(j, "host"), static_cast<int>(integer(j, "attempt", 1)),
                          maybe_text(j, "token")};
       }},
      {"step_end",
       [](const nlohmann::json& j) -> Body {
         StepEnd r;
         r.step = text(j, "step");
         r.status = text(j, "status");
         if (auto a = maybe_integer(j, "attempts")) r.attempts = static_cast<int>(*a);
         r.duration_ms = maybe_integer(j, "duration_ms");
         r.result = read_result(j);
         r.reason = maybe_text(j, "reason");
         r.output = maybe_text(j, "output");
         return r;
       }},
      {"step_unknown",
       [](const nlohmann::json& j) -> Body {
         return StepUnknown{text(j, "step"), static_cast<int>(integer(j, "attempt")), text(j, "reason")};
       }},
      {"step_retry",
       [](const nlohmann::json& j) -> Body {
         return StepRetry{text(j, "step"), static_cast<int>(integer(j, "attempt")), text(j, "reason"),
                          integer(j, "backoff_ms")};
       }},
      {"gate",
       [](const nlohmann::json& j) -> Body {
         return GateDecision{text(j, "step"), text(j, "ask"), text(j, "decision"), text(j, "by"), text(j, "how")};
       }},
      {"earlier_process",
       [](const nlohmann::json& j) -> Body {
         return EarlierProcess{text(j, "step"), text(j, "token"), text(j, "found"), text(j, "pid"), text(j, "detail")};
       }},
      {"no_return_decision",
       [](const nlohmann::json& j) -> Body {
         return NoReturnDecision{text(j, "step"), text(j, "decision", "stop"), text(j, "by")};
       }},
      {"rollback_skipped", [](const nlohmann::json& j) -> Body { return RollbackSkipped{text(j, "reason")}; }},
      {"rollback_begin", [](const nlohmann::json& j) -> Body { return RollbackBegin{integer(j, "actions")}; }},
      {"rollback_stop", [](const nlohmann::json& j) -> Body { return RollbackStop{text(j, "step"), text(j, "reason")}; }},
      {"rollback_keep", [](const nlohmann::json& j) -> Body { return RollbackKeep{text(j, "step"), text(j, "reason")}; }},
      {"rollback_start",
       [](const nlohmann::json& j) -> Body {
         return RollbackStart{text(j, "step"), text(j, "host"), maybe_text(j, "token")};
       }},
      {"rollback_end",
       [](const nlohmann::json& j) -> Body { return RollbackEnd{text(j, "step"), flag(j, "ok"), read_result(j)}; }},
      {"rollback_end_all", [](const nlohmann::json&) -> Body { return RollbackEndAll{}; }},
      {"interrupt",
       [](const nlohmann::json& j) -> Body {
         return Interrupt{static_cast<int>(integer(j, "presses", 1)), flag(j, "hangup")};
       }},
      {"host_key_accepted",
       [](const nlohmann::json& j) -> Body {
         return HostKeyAccepted{text(j, "host"), text(j, "fingerprint"), text(j, "known_hosts"), text(j, "by")};
       }},
      {"run_end",
       [](const nlohmann::json& j) -> Body {
         return RunEnd{text(j, "status"), maybe_text(j, "reason"), maybe_integer(j, "duration_ms")};
       }},
  };
  return table;
}

}  // namespace

Record read_record(const nlohmann::json& j) {
  Record r;
  if (!j.is_object()) {
    r.body = Other{};
    return r;
  }
  r.type = text(j, "type");
  r.ts = text(j, "ts");
  r.ts_ms = integer(j, "ts_ms");
  auto it = readers().find(r.type);
  r.body = it != readers().end() ? it->second(j) : Body(Other{r.type, text(j, "step")});
  return r;
}

std::vector<Record> read_records(const std::vector<nlohmann::json>& records) {
  std::vector<Record> out;
  out.reserve(records.size());
  for (const auto& j : records) out.push_back(read_record(j));
  return out;
}

void to_json(nlohmann::json& j, const CommandResult& r) {
  j = {{"exit", r.exit.value_or(-1)}, {"duration_ms", r.duration_ms}};
  put(j, "signal", r.signal);
  if (r.timed_out) j["timed_out"] = true;
  if (r.cancelled) j["cancelled"] = true;
  if (r.connection_lost) j["connection_lost"] = true;
  put(j, "error", r.error);
  put(j, "stdout_tail", r.stdout_tail);
  put(j, "stderr_tail", r.stderr_tail);
}

void to_json(nlohmann::json& j, const RunStart& r) {
  nlohmann::json selection = {{"only", r.selection.only}, {"skip", r.selection.skip},
                              {"excluded", r.selection.excluded}, {"force", r.selection.force}};
  put(selection, "reason", r.selection.reason);
  j = {{"type", r.resume ? "run_resume" : "run_start"}, {"run", r.run}, {"plan", r.plan}, {"file", r.file},
       {"inventory", r.inventory}, {"plan_digest", r.plan_digest}, {"inventory_digest", r.inventory_digest},
       {"user", r.user}, {"host", r.host}, {"pid", r.pid}, {"args", r.args}, {"selection", selection},
       {"checks_only", r.checks_only}, {"yes", r.yes}};
  put(j, "sets", r.sets);
}

void to_json(nlohmann::json& j, const StepStart& r) {
  j = {{"type", "step_start"}, {"step", r.step}, {"kind", r.kind}, {"host", r.host}, {"attempt", r.attempt}};
  put(j, "token", r.token);
}

void to_json(nlohmann::json& j, const StepEnd& r) {
  j = {{"type", "step_end"}, {"step", r.step}, {"status", r.status}};
  put(j, "attempts", r.attempts);
  put(j, "duration_ms", r.duration_ms);
  put(j, "result", r.result);
  put(j, "reason", r.reason);
  put(j, "output", r.output);
}

void to_json(nlohmann::json& j, const StepUnknown& r) {
  j = {{"type", "step_unknown"}, {"step", r.step}, {"attempt", r.attempt}, {"reason", r.reason}};
}

void to_json(nlohmann::json& j, const StepRetry& r) {
  j = {{"type", "step_retry"}, {"step", r.step}, {"attempt", r.attempt}, {"reason", r.reason},
       {"backoff_ms", r.backoff_ms}};
}

void to_json(nlohmann::json& j, const GateDecision& r) {
  j = {{"type", "gate"}, {"step", r.step}, {"ask", r.ask}, {"decision", r.decision}, {"by", r.by}, {"how", r.how}};
}

void to_json(nlohmann::json& j, const EarlierProcess& r) {
  j = {{"type", "earlier_process"}, {"step", r.step}, {"token", r.token}, {"found", r.found}, {"pid", r.pid},
       {"detail", r.detail}};
}

void to_json(nlohmann::json& j, const NoReturnDecision& r) {
  j = {{"type", "no_return_decision"}, {"step", r.step}, {"decision", r.decision}, {"by", r.by}};
}

void to_json(nlohmann::json& j, const RollbackSkipped& r) { j = {{"type", "rollback_skipped"}, {"reason", r.reason}}; }

void to_json(nlohmann::json& j, const RollbackBegin& r) { j = {{"type", "rollback_begin"}, {"actions", r.actions}}; }

void to_json(nlohmann::json& j, const RollbackStop& r) {
  j = {{"type", "rollback_stop"}, {"step", r.step}, {"reason", r.reason}};
}

void to_json(nlohmann::json& j, const RollbackKeep& r) {
  j = {{"type", "rollback_keep"}, {"step", r.step}, {"reason", r.reason}};
}

void to_json(nlohmann::json& j, const RollbackStart& r) {
  j = {{"type", "rollback_start"}, {"step", r.step}, {"host", r.host}};
  put(j, "token", r.token);
}

void to_json(nlohmann::json& j, const RollbackEnd& r) {
  j = {{"type", "rollback_end"}, {"step", r.step}, {"ok", r.ok}};
  put(j, "result", r.result);
}

void to_json(nlohmann::json& j, const RollbackEndAll&) { j = {{"type", "rollback_end_all"}}; }

void to_json(nlohmann::json& j, const Interrupt& r) {
  j = {{"type", "interrupt"}, {"presses", r.presses}};
  if (r.hangup) j["hangup"] = true;
}

void to_json(nlohmann::json& j, const HostKeyAccepted& r) {
  j = {{"type", "host_key_accepted"}, {"host", r.host}, {"fingerprint", r.fingerprint},
       {"known_hosts", r.known_hosts}, {"by", r.by}};
}

void to_json(nlohmann::json& j, const RunEnd& r) {
  j = {{"type", "run_end"}, {"status", r.status}};
  put(j, "reason", r.reason);
  put(j, "duration_ms", r.duration_ms);
}

}  // namespace drplan::records
