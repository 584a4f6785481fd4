#pragma once
// The compiler pipeline in one call: parse the plan and every module it uses, read the
// inventory, resolve names and expand templates, type-check, build the DAG, validate,
// lower to the plan IR. Each phase reports everything it finds; the pipeline stops after
// a phase with errors.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "compiler/diagnostics.h"
#include "compiler/plan_ir.h"

namespace drplan {

struct CompileOptions {
  std::string plan_path;
  std::string inventory_path;  ///< empty: compile without an inventory (targets unchecked)
  std::vector<std::pair<std::string, std::string>> sets;  ///< --set overrides
  /// Where `use stdlib/x` looks: the plan's directory and its parents, then these
  /// (empty: default_module_dirs() of compiler/install_paths.h).
  std::vector<std::string> module_dirs;
  /// false: never free the parsed sources (like a compiler's -disable-free). For commands
  /// that exit right after compiling: freeing a large plan's millions of small AST objects
  /// one by one costs more than reading it.
  bool free_memory = true;
  /// false: leave the plan and inventory digests empty (check and graph never show them;
  /// hashing a large plan is a noticeable share of a check).
  bool digests = true;
};

/// Returns the plan, or nullptr when errors were reported.
std::unique_ptr<CompiledPlan> compile_plan(SourceManager& sm, const CompileOptions& opts,
                                           DiagnosticEngine& diags);

}  // namespace drplan
