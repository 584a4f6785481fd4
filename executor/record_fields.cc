#include "executor/record_fields.h"

#include <map>

namespace drplan {

namespace {

enum class Kind { String, Integer, Bool, Object, Array };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::String:
      return "a string";
    case Kind::Integer:
      return "an integer";
    case Kind::Bool:
      return "a boolean";
    case Kind::Object:
      return "an object";
    case Kind::Array:
      return "an array";
  }
  return "?";
}

const char* type_name(const nlohmann::json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a fractional number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  return "null";
}

bool has_kind(const nlohmann::json& v, Kind k) {
  switch (k) {
    case Kind::String:
      return v.is_string();
    case Kind::Integer:
      return v.is_number_integer();
    case Kind::Bool:
      return v.is_boolean();
    case Kind::Object:
      return v.is_object();
    case Kind::Array:
      return v.is_array();
  }
  return false;
}

// Fields of journal records (executor/journal_records.h) and of lock files
// (executor/lock.cc).
const std::map<std::string, Kind>& record_kinds() {
  static const std::map<std::string, Kind> kinds = {
      {"type", Kind::String},        {"ts", Kind::String},           {"ts_ms", Kind::Integer},
      {"run", Kind::String},         {"plan", Kind::String},         {"file", Kind::String},
      {"inventory", Kind::String},   {"plan_digest", Kind::String},  {"inventory_digest", Kind::String},
      {"user", Kind::String},        {"host", Kind::String},         {"pid", Kind::Integer},
      {"started", Kind::String},     {"args", Kind::Array},          {"checks_only", Kind::Bool},
      {"yes", Kind::Bool},           {"sets", Kind::Object},         {"step", Kind::String},
      {"kind", Kind::String},        {"attempt", Kind::Integer},     {"attempts", Kind::Integer},
      {"status", Kind::String},      {"duration_ms", Kind::Integer}, {"result", Kind::Object},
      {"reason", Kind::String},      {"output", Kind::String},       {"decision", Kind::String},
      {"by", Kind::String},          {"how", Kind::String},          {"ask", Kind::String},
      {"backoff_ms", Kind::Integer}, {"actions", Kind::Integer},     {"ok", Kind::Bool},
      {"presses", Kind::Integer},    {"hangup", Kind::Bool},         {"fingerprint", Kind::String},
      {"known_hosts", Kind::String},
  };
  return kinds;
}

// Fields of a step's "result" (result_json in executor/scheduler.cc).
const std::map<std::string, Kind>& result_kinds() {
  static const std::map<std::string, Kind> kinds = {
      {"exit", Kind::Integer},   {"duration_ms", Kind::Integer}, {"signal", Kind::String},
      {"timed_out", Kind::Bool}, {"cancelled", Kind::Bool},      {"connection_lost", Kind::Bool},
      {"error", Kind::String},   {"stdout_tail", Kind::String},  {"stderr_tail", Kind::String},
  };
  return kinds;
}

void drop(nlohmann::json& object, const std::map<std::string, Kind>& kinds, const std::string& prefix,
          std::vector<std::string>& problems) {
  for (const auto& [name, kind] : kinds) {
    auto it = object.find(name);
    if (it == object.end() || has_kind(*it, kind)) continue;
    problems.push_back("field '" + prefix + name + "' is " + type_name(*it) + ", expected " + kind_name(kind) +
                       "; ignored");
    object.erase(it);
  }
}

}  // namespace

std::vector<std::string> drop_mistyped_fields(nlohmann::json& record) {
  std::vector<std::string> problems;
  if (!record.is_object()) return {"not a JSON object"};
  drop(record, record_kinds(), "", problems);
  if (auto it = record.find("result"); it != record.end()) drop(*it, result_kinds(), "result.", problems);
  if (auto it = record.find("sets"); it != record.end()) {
    for (auto e = it->begin(); e != it->end();) {
      const std::string name = "sets." + e.key();
      if (e->is_string()) {
        ++e;
      } else if (e->is_number() || e->is_boolean()) {
        problems.push_back("field '" + name + "' is " + type_name(*e) + ", expected a string; read as " + e->dump());
        *e = e->dump();
        ++e;
      } else {
        problems.push_back("field '" + name + "' is " + type_name(*e) + ", expected a string; ignored");
        e = it->erase(e);
      }
    }
  }
  return problems;
}

}  // namespace drplan
