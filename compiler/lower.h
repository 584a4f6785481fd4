#pragma once
// Lowering: the resolved plan becomes step instances. Params get their values (defaults,
// then --set, type-checked), each step's target becomes one instance per host, templates
// are expanded (the step's own attributes override the template's), attributes are
// type-checked and commands rendered, and dependencies are collected: explicit `after`,
// implicit reads of another step's output, and phase order (through barrier instances).
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/plan_ir.h"
#include "compiler/program.h"

namespace drplan {

struct LowerInput {
  const Program* program = nullptr;
  const Inventory* inventory = nullptr;  ///< null: targets and vars stay symbolic
  std::vector<std::pair<std::string, std::string>> sets;
};

/// Fills `out` (steps unsorted, deps set, phases, params). False after errors.
bool lower_plan(const LowerInput& in, DiagnosticEngine& diags, CompiledPlan& out,
                std::set<std::string>& used_params);

}  // namespace drplan
