#include "compiler/compile.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "compiler/dag.h"
#include "compiler/install_paths.h"
#include "compiler/lower.h"
#include "compiler/program.h"
#include "compiler/validate.h"

namespace drplan {

namespace {
// DRPLAN_TIMING=1 prints how long each compiler phase took (for profiling, bench/).
struct PhaseClock {
  bool on = std::getenv("DRPLAN_TIMING") != nullptr;
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  void lap(const char* phase) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "timing: %-10s %8.1f ms\n", phase,
                 std::chrono::duration<double, std::milli>(now - t).count());
    t = now;
  }
};
}  // namespace

std::unique_ptr<CompiledPlan> compile_plan(SourceManager& sm, const CompileOptions& opts, DiagnosticEngine& diags) {
  PhaseClock clock;
  std::vector<std::string> dirs = opts.module_dirs.empty() ? default_module_dirs() : opts.module_dirs;
  auto program = load_program(sm, opts.plan_path, dirs, diags, opts.digests);
  struct KeepIfAsked {
    std::unique_ptr<Program>& p;
    bool keep;
    ~KeepIfAsked() {
      if (keep) (void)p.release();  // deliberately never freed: the process is about to exit
    }
  } keep{program, !opts.free_memory};
  clock.lap("parse");
  if (!program) return nullptr;

  std::shared_ptr<const Inventory> inventory;
  if (!opts.inventory_path.empty()) {
    auto inv = load_inventory(sm, opts.inventory_path, diags);
    if (!inv) return nullptr;
    inventory = std::make_shared<const Inventory>(std::move(*inv));
  }
  clock.lap("inventory");

  auto plan = std::make_unique<CompiledPlan>();
  plan->file = opts.plan_path;
  plan->inventory = inventory;
  plan->plan_digest = program->digest;
  plan->inventory_digest = inventory && opts.digests ? inventory->digest : "";
  std::set<std::string> used;
  LowerInput in{program.get(), inventory.get(), opts.sets};
  bool lowered = lower_plan(in, diags, *plan, used);
  clock.lap("lower");
  if (!lowered) return nullptr;
  if (!check_cycles(*plan, diags)) return nullptr;
  clock.lap("cycles");
  order_plan(*plan);
  clock.lap("order");
  size_t errors = diags.error_count();
  validate_plan(*program, *plan, used, diags);
  clock.lap("validate");
  if (diags.error_count() > errors) return nullptr;
  return plan;
}

}  // namespace drplan
