#pragma once
// Checks on the lowered, acyclic plan: missing rollbacks, unused params, and the safety
// rules of disaster recovery that the compiler enforces (tags name what a step does):
//  - a step tagged "db.promote" must come after a step tagged "fence" (the old primary is
//    isolated) or a gate tagged "accept-split-brain";
//  - a step tagged "dns.switch" must come after a step tagged "dns.ttl-check";
//  - a step tagged "db.destroy" must come after a gate (an operator confirms the loss).
#include <functional>
#include <set>
#include <string>

#include "compiler/diagnostics.h"
#include "compiler/plan_ir.h"
#include "compiler/program.h"

namespace drplan {

void validate_plan(const Program& program, const CompiledPlan& plan, const std::set<std::string>& used_params,
                   DiagnosticEngine& diags);

/// True if some transitive dependency of `step` satisfies `pred`.
bool any_ancestor(const CompiledPlan& plan, int step, const std::function<bool(const StepInstance&)>& pred);
/// True if some transitive dependency of `step` carries `tag` (and, if given, is of `kind`).
bool has_ancestor_tagged(const CompiledPlan& plan, int step, std::string_view tag);
/// True if some transitive dependency of `step` is a gate.
bool has_gate_ancestor(const CompiledPlan& plan, int step);

}  // namespace drplan
