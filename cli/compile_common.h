#pragma once
// Shared by check, plan, graph and apply: compile one plan file and print its diagnostics.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "compiler/compile.h"

namespace drplan::cli {

struct Compiled {
  SourceManager sm;
  DiagnosticEngine diags;
  std::unique_ptr<CompiledPlan> plan;
};

/// Compiles `file` with the common options; prints diagnostics to stderr (text) unless
/// `quiet`. Returns the result (plan is null after errors).
std::unique_ptr<Compiled> compile_one(const std::string& file, const CommonOptions& o, bool quiet = false);

/// For commands that exit right after using a compilation (check, plan, graph): the
/// compilation and its AST are never freed; the process exit reclaims them at once.
void keep_until_exit(std::unique_ptr<Compiled> c);

/// The inputs of a one-plan command (plan, graph, apply): exactly one plan file, an
/// inventory when `needs_inventory`, both readable. Reports and returns false otherwise
/// (exit 2: a usage or I/O problem, not a plan error).
bool single_plan_inputs(const char* command, const CommonOptions& o, bool needs_inventory);

/// Reports an unreadable plan or inventory (an I/O problem: exit 2, not a plan error).
bool inputs_readable(const std::string& plan, const std::string& inventory);

/// "1 error and 2 warnings generated." or "".
std::string diagnostic_summary(size_t errors, size_t warnings);

}  // namespace drplan::cli
