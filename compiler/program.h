#pragma once
// A plan and every module it uses, parsed. `use stdlib/postgres as pg` is looked up as
// stdlib/postgres.dr in the plan's directory and its parents, then in the module dirs.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"

namespace drplan {

struct Program {
  std::vector<std::unique_ptr<ast::Unit>> units;  ///< units[0] is the plan
  /// For each unit: alias -> the module unit it names.
  std::map<const ast::Unit*, std::map<std::string, const ast::Unit*>> aliases;
  const ast::Unit& plan() const { return *units.front(); }
  /// sha256 over the plan and its modules' texts; empty when not asked for.
  std::string digest;
};

/// Parses the plan at `path` and its modules, hashing their texts when `digest`. nullptr
/// after errors.
std::unique_ptr<Program> load_program(SourceManager& sm, const std::string& path,
                                      const std::vector<std::string>& module_dirs, DiagnosticEngine& diags,
                                      bool digest = true);

}  // namespace drplan
