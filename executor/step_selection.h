#pragma once
// --only / --skip with dependency safety: a step that runs never depends on one that does
// not run and is not done already (from the journal of a resumed run), and a step a
// safety rule protects is skipped only with --force --reason.
#include <string>
#include <vector>

#include "compiler/plan_ir.h"
#include "executor/apply_request.h"
#include "executor/run_state.h"

namespace drplan {

/// Steps a safety rule of the compiler protects (compiler/validate.cc): fencing before a
/// promotion, the TTL check before a DNS switch, a guard of data a later step destroys.
bool safety_protected(const StepInstance& s);

/// Marks the steps `sel` leaves out as Skipped in `state` (ids in `excluded`). Decided on
/// the state before any step is marked, so a skip cannot satisfy its own dependents.
/// Returns 0, or 2 after telling `io` why it refuses (nothing is marked then).
int select_steps(const CompiledPlan& plan, const StepSelection& sel, std::vector<StepRun>& state,
                 std::vector<std::string>& excluded, const ApplyIo& io);

}  // namespace drplan
