#pragma once
// The dependency graph of step instances (Boost.Graph): cycle detection with the cycle's
// path, a topological order, the parallel waves, and the critical path.
#include "compiler/diagnostics.h"
#include "compiler/plan_ir.h"

namespace drplan {

/// Reports cycles (each once, as a path of step names). Returns false if there are any.
bool check_cycles(const CompiledPlan& plan, DiagnosticEngine& diags);

/// Reorders plan.steps topologically (stable: declaration order among equals), renumbers
/// deps, fills dependents, waves and the critical path. Requires an acyclic graph.
void order_plan(CompiledPlan& plan);

/// Estimated duration used for the critical path: the timeout, else 1s.
Millis estimated_duration(const StepInstance& s);

}  // namespace drplan
