#pragma once
// Resuming a run from its journal: steps that finished (ok, warned, skipped) stay done and
// keep their outputs; failed steps and actions that were rolled back run again; a step
// that started but never finished -- or was killed half-way -- is reported, for the
// operator to decide unless it is idempotent; so is an action whose rollback started and
// never finished (or was killed half-way).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan_ir.h"
#include "executor/journal_records.h"
#include "executor/run_state.h"

namespace drplan {

struct ResumePoint {
  std::string run_dir;
  records::RunStart run_start;      ///< the run's first record
  std::vector<StepRun> steps;       ///< per plan step: done ones marked, the rest Pending
  std::vector<int> unfinished;      ///< started and never ended, or killed half-way (timeout, cancel, lost connection)
  std::vector<int> half_rolled_back;  ///< among `unfinished`: done, then a rollback began and never finished
  std::vector<EarlierAttempt> earlier;  ///< the newest command of each unfinished step, by its token
  int torn_lines = 0;
  std::vector<std::string> problems;  ///< "PATH:LINE: what" per damaged record (read_journal)
};

/// Reads `run_dir`/journal.jsonl against `plan`. False with `error` if unreadable.
bool load_resume_point(const std::string& run_dir, const CompiledPlan& plan, ResumePoint& out, std::string* error);
/// The same from records already read (parse_journal); `out.run_dir` names the run in errors.
bool resume_point_from(const std::vector<nlohmann::json>& records, const CompiledPlan& plan, ResumePoint& out,
                       std::string* error);

/// The world may have changed since the interruption: every check, wait and gate that
/// guards an action not yet done (one that depends on it, directly or not) goes back to
/// Pending, to run (or be asked) again; a failing re-check stops the run before any
/// action. Returns the steps reset, in plan order; their reason says when they were ok.
std::vector<int> revalidate_guards(const CompiledPlan& plan, std::vector<StepRun>& steps);

/// Describes digest differences between the journal's run and the plan compiled now ("" if none).
std::string digest_changes(const records::RunStart& run_start, const CompiledPlan& plan);

}  // namespace drplan
