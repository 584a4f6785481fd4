#pragma once
// What --resume does with a journaled run: which run it continues, whether it may (a
// changed plan, inventory or --set is refused without --force; a --checks-only drill is
// not continued), and what becomes of the steps that started and never finished:
// idempotent ones and read-only kinds run again, other actions need the operator's word
// (a confirmation on the terminal, --assume-done or --rerun).
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/plan_ir.h"
#include "executor/apply_request.h"
#include "executor/resume.h"
#include "executor/state_store.h"

namespace drplan {

/// The resolved --set values as the journal records them (name -> text).
nlohmann::json sets_json(const std::vector<std::pair<std::string, std::string>>& sets);

/// The newest run of `plan_name` in `store`, or "".
std::string latest_run(StateStore& store, const std::string& plan_name);
/// The run a --resume continues: --run, else the plan's latest; "" if none.
std::string run_to_resume(StateStore& store, const ResumeRequest& rq, const std::string& plan_name);
/// Reads run `run` of `store` against `plan`. False with `error` if unreadable.
bool load_resume_point(StateStore& store, const std::string& run, const CompiledPlan& plan, ResumePoint& out,
                       std::string* error);

/// A resumed run keeps the parameters it started with: without --set, the --set values of
/// the run to resume (empty when there are none, or no such run).
std::vector<std::pair<std::string, std::string>> resumed_sets(StateStore& store, const ApplyRequest& rq,
                                                              const CompiledPlan& plan);

/// Decides the unfinished steps of `rp` into `initial`: --assume-done marks them done;
/// --rerun, idempotence or a read-only kind lets them run again; otherwise `io` asks when
/// `ask` (a terminal without --yes). False after telling `io` which are undecided.
bool decide_unfinished(const ResumeRequest& rq, bool ask, const CompiledPlan& plan, const ResumePoint& rp,
                       std::vector<StepRun>& initial, const ApplyIo& io);

/// Loads the run to continue into `initial` and `earlier` (`run` receives its id or
/// directory). Returns 0, or the exit code of a refusal after telling `io` why.
int prepare_resume(StateStore& store, const ApplyRequest& rq, const CompiledPlan& plan, const std::string& state_dir,
                   std::string& run, std::vector<StepRun>& initial, std::vector<EarlierAttempt>& earlier,
                   const ApplyIo& io);

}  // namespace drplan
