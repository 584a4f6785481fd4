// A run's journal from arbitrary bytes, through what reads one: the records (parse_journal,
// each re-serialised as `drplan log --format json` does) and the resume point against a
// real compiled plan (fuzz/journal/plan.dr, the plan that wrote the seed journals), then the
// guards' re-validation. Nothing may throw or crash, and a resume point must be one the
// executor can act on: a state per step, the unfinished steps sorted, unique, not done, the
// half rolled back among them.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "compiler/compile.h"
#include "executor/journal.h"
#include "executor/resume.h"

namespace {

using drplan::CompiledPlan;

const CompiledPlan& seed_plan() {
  static const std::unique_ptr<CompiledPlan> plan = [] {
    drplan::SourceManager sm;
    drplan::DiagnosticEngine diags;
    drplan::CompileOptions opts;
    opts.plan_path = DRPLAN_SOURCE_DIR "/fuzz/journal/plan.dr";
    opts.inventory_path = DRPLAN_SOURCE_DIR "/fuzz/journal/inventory.toml";
    opts.module_dirs = {DRPLAN_SOURCE_DIR};
    auto p = drplan::compile_plan(sm, opts, diags);
    if (!p) {
      std::fprintf(stderr, "journal_fuzzer: cannot compile its plan:\n%s", render_text(sm, diags.all(), false).c_str());
      std::abort();
    }
    return p;
  }();
  return *plan;
}

void fail(const char* what) {
  std::fprintf(stderr, "journal_fuzzer: inconsistent resume point: %s\n", what);
  std::abort();
}

void check(const drplan::ResumePoint& rp, const CompiledPlan& plan) {
  const int n = static_cast<int>(plan.steps.size());
  if (static_cast<int>(rp.steps.size()) != n) fail("not one state per step");
  if (!std::is_sorted(rp.unfinished.begin(), rp.unfinished.end()) ||
      std::adjacent_find(rp.unfinished.begin(), rp.unfinished.end()) != rp.unfinished.end())
    fail("unfinished steps not sorted and unique");
  for (int i : rp.unfinished) {
    if (i < 0 || i >= n) fail("an unfinished step out of range");
    if (drplan::satisfied(rp.steps[i].status)) fail("a step both done and unfinished");
  }
  for (int i : rp.half_rolled_back)
    if (!std::binary_search(rp.unfinished.begin(), rp.unfinished.end(), i)) fail("half rolled back, not unfinished");
  for (const auto& st : rp.steps)
    if (st.from_journal && !drplan::satisfied(st.status)) fail("from the journal but not done");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const CompiledPlan& plan = seed_plan();
  drplan::ResumePoint rp;
  rp.run_dir = "fuzz";
  const auto records = drplan::parse_journal(std::string_view(reinterpret_cast<const char*>(data), size),
                                             "journal.jsonl", &rp.torn_lines, &rp.problems);
  for (const auto& r : records) (void)r.dump();
  std::string error;
  if (!drplan::resume_point_from(records, plan, rp, &error)) return 0;
  (void)drplan::digest_changes(rp.run_start, plan);
  check(rp, plan);
  // What --resume does next: the checks and gates guarding actions not yet done run again.
  std::vector<drplan::StepRun> steps = rp.steps;
  for (int i : drplan::revalidate_guards(plan, steps))
    if (i < 0 || i >= static_cast<int>(steps.size()) || steps[i].from_journal) fail("a guard re-checked out of range");
  return 0;
}
