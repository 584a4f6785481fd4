#pragma once
// The end of `drplan apply`: what ran, how long, what failed and why (with its output
// tail), what was rolled back, what needs a person, the reports (estimated RPO, measured
// RTO...), the critical path as it really ran, and where the journal is.
#include <string>

#include "cli/plan_view.h"
#include "executor/scheduler.h"

namespace drplan::cli {

/// Outputs in `out` are data: what of them is shown passes through `masker` here.
/// `journal` names where the records went; `run_dir` is the local directory `drplan log` reads.
void print_run_summary(const CompiledPlan& plan, const RunOutcome& out, const std::string& run_id,
                       const std::string& journal, const std::string& run_dir, const Style& st, const Masker& masker);

}  // namespace drplan::cli
