#pragma once
// How a compiled plan looks to people and tools: the step block of `drplan plan` (also
// shown by `apply` before it asks for confirmation) and the JSON form.
#include <nlohmann/json.hpp>
#include <string>

#include "compiler/plan_ir.h"

namespace drplan::cli {

struct Style {
  bool on = false;
  const char* bold() const { return on ? "\033[1m" : ""; }
  const char* dim() const { return on ? "\033[2m" : ""; }
  const char* red() const { return on ? "\033[31m" : ""; }
  const char* green() const { return on ? "\033[32m" : ""; }
  const char* yellow() const { return on ? "\033[33m" : ""; }
  const char* blue() const { return on ? "\033[34m" : ""; }
  const char* reset() const { return on ? "\033[0m" : ""; }
};

/// Prints one instance: kind, id, host, timeout/retry flags, commands, rollback, deps.
void print_step(const CompiledPlan& p, const StepInstance& s, const std::string& deps, const Style& st);

/// The whole plan as JSON: params, waves, steps (commands as `drplan plan` shows them).
nlohmann::json plan_to_json(const CompiledPlan& p);

}  // namespace drplan::cli
