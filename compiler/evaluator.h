#pragma once
// Name resolution and constant evaluation of expressions. A Scope says what a name can
// mean where the expression is written (template or def params, the plan's params and
// steps, the current instance's host); the evaluator walks dotted paths through sites,
// hosts, vars and secrets of the inventory, calls defs, and renders text into commands
// with every interpolated value shell-quoted unless `| raw`.
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <string>
#include <vector>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/eval_budget.h"
#include "compiler/inventory.h"
#include "compiler/plan_ir.h"
#include "compiler/program.h"
#include "compiler/string_template.h"
#include "compiler/value.h"

namespace drplan {

/// Steps named by an expression (`${a.output}`, `when b.ok`): implicit dependencies.
struct StepRef {
  std::string step;
  Loc loc;
};

struct Scope {
  const ast::Unit* unit = nullptr;           ///< where local templates/defs/aliases are found
  std::map<std::string, ValuePtr> locals;    ///< template or def parameters
  bool plan_scope = false;                   ///< the plan's params and steps are visible
  int target = -1;                           ///< the instance's host; -1 local
  std::string target_label;                  ///< symbolic target when there is no inventory
  std::vector<StepRef>* refs = nullptr;      ///< collects step references
  int depth = 0;                             ///< def call depth (recursion guard)
};

/// What the evaluator knows about the whole compilation.
struct EvalContext {
  const Program* program = nullptr;
  const Inventory* inventory = nullptr;  ///< null: `drplan check` without -i
  std::map<std::string, ValuePtr> params;
  std::map<std::string, const ast::Param*> param_decls;
  std::set<std::string>* used_params = nullptr;
  /// Hashed: looked up per reference. Keys view the AST's names, which outlive the context.
  std::unordered_map<std::string_view, const ast::Step*> steps;
  DiagnosticEngine* diags = nullptr;
};

class Evaluator {
 public:
  explicit Evaluator(EvalContext& ctx) : ctx_(ctx) {}

  ValuePtr eval(const ast::Expr& e, const Scope& scope);
  /// Resolves `a.b.c` written at `loc`.
  ValuePtr lookup(const std::vector<std::string>& path, Loc loc, const Scope& scope);
  /// `base.name`.
  ValuePtr member(const ValuePtr& base, const std::string& name, Loc loc);

  /// Checks (and converts: "dr" -> site) a value against a declared type name.
  ValuePtr coerce(const ValuePtr& v, const std::string& type, Loc loc);
  static bool known_type(const std::string& type);
  static const std::vector<std::string>& type_names();

  /// Text into a command: literal text as written, each interpolated value quoted for the
  /// shell context it lands in (compiler/command_render.h).
  bool render_command(const ValuePtr& v, Command& out, Loc loc);
  /// Text where no shell is involved (gate questions, titles): values as they are.
  std::optional<std::string> render_plain(const ValuePtr& v, Loc loc, const char* what);

  /// Binds call arguments (evaluated in `caller`) to parameters, into `callee.locals`:
  /// positional, then named, then defaults, which are evaluated in `callee` and so see the
  /// parameters bound before them.
  bool bind(const ast::Expr& call, const std::vector<ast::Param>& params, const Scope& caller, Scope& callee);

  /// Finds a template or def for a call's path from `scope`'s unit.
  /// `command_key`: the attribute a def would go in for this step ("run", or "probe" for a
  /// check or wait), for the hint when `call` names a def.
  const ast::Template* find_template(const ast::Expr& call, const Scope& scope, const ast::Unit** unit,
                                     const std::string& command_key = "run");
  const ast::Def* find_def(const ast::Expr& call, const Scope& scope, const ast::Unit** unit, bool report);

  DiagnosticEngine& diags() { return *ctx_.diags; }
  EvalContext& context() { return ctx_; }

 private:
  /// A `${name}` in a string that names nothing of drplan's: the hint for a shell variable,
  /// after the guess `near` only when that looks like a typo.
  void shell_variable_hint(Diagnostic& d, const std::vector<std::string>& path, const std::string& near) const;
  ValuePtr string_literal(const ast::Expr& e, const Scope& scope);
  ValuePtr quantity(const ast::Expr& e);
  ValuePtr call(const ast::Expr& e, const Scope& scope);
  /// The escape hatch `sh.raw(x)`: x inserted into commands unquoted.
  ValuePtr sh_raw(const ast::Expr& e, const Scope& scope);
  ValuePtr compare(const ast::Expr& e, const Scope& scope);
  ValuePtr logic(const ast::Expr& e, const Scope& scope);
  ValuePtr host_member(const Host& h, const std::string& name, Loc loc);
  ValuePtr var_value(const VarValue& v, Loc loc);
  ValuePtr unknown(const std::string& what, const std::string& name, Loc loc,
                   const std::vector<std::string>& candidates, const std::string& help = "");
  ValuePtr unknown_near(const std::string& what, const std::string& name, Loc loc, const std::string& near,
                        const std::string& help);
  bool interpolating_ = false;  ///< looking up a `${...}` inside a string
  /// The inventory's host names for a hint; none once errors are only counted.
  std::vector<std::string> host_candidates() const;
  /// Text for people: values as they are (no shell involved).
  void plain_piece(const ValuePtr& v, Command& out, Loc loc, bool& ok);

  EvalContext& ctx_;
  EvalBudget budget_;
  struct SplitString {
    bool ok = false;
    std::vector<StringPiece> pieces;
    ValuePtr plain;  ///< set when there is nothing to interpolate
  };
  std::unordered_map<const ast::Expr*, SplitString> strings_;  ///< by string literal
};

/// Appends text to a command, merging with a trailing text part.
void append_text(Command& c, const std::string& text);

}  // namespace drplan
