#pragma once
// The work a def call may cause. Each call evaluates its def's body anew, so defs that use
// another def twice double the work at every level (`d1(x) = d0(x) + d0(x)` ... `d30`:
// 2^31 calls), and text that holds a value twice doubles what rendering writes out
// (`t(t(t(...)))` with `t(y) = y + y`). A call written outside any def's body (in a step,
// a template, a param's default) therefore gets a budget for everything it leads to:
// evaluation steps (each call's body nodes, and every piece and scalar of each call's
// result, counted as rendering would write it out) and bytes of text in those results.
// Past either, the call is an error located at it, and the def is remembered: a later call
// of it fails at once (a step fanned out over 2,000 hosts does not spend 2,000 budgets).
#include <unordered_map>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"
#include "compiler/value.h"

namespace drplan {

class EvalBudget {
 public:
  /// Far beyond a real def: stdlib's largest calls take under 200 steps and 1 KiB.
  static constexpr long long kMaxSteps = 100000;
  /// Text in all the results together (a result that becomes part of another counts in
  /// both, as it is copied). A command is run by `sh -c`, which takes at most 128 KiB
  /// (Linux's MAX_ARG_STRLEN), so this leaves room for many levels of defs.
  static constexpr long long kMaxBytes = 16 << 20;

  /// A new budget, for a call outside any def.
  void start();
  /// Spends the body of a call of `def` at `loc`: its number of expression nodes.
  bool spend_body(const ast::Def& def, Loc loc);
  /// Spends the result `v` of a call of `def` at `loc`: a step per piece or scalar, the
  /// bytes of its text; a value it holds twice counts twice. Stops as soon as it is spent.
  bool spend_value(const Value& v, const ast::Def& def, Loc loc);
  /// Stops every call until the outermost returns: an error was reported elsewhere (calls
  /// nested too deep), and `f(x) + f(x) + f(x)` must not go on to make 3^32 calls.
  void abort() { spent_ = reported_ = true; }
  bool spent() const { return spent_; }
  /// Whether an outermost call of `def` ran out before.
  bool known_costly(const ast::Def& def) const { return costly_.count(&def) != 0; }
  /// Reports the outermost call `call` of `def` as over budget (once per budget), and
  /// remembers the def. Returns an error value.
  ValuePtr report(const ast::Expr& call, const ast::Def& def, DiagnosticEngine& diags);

 private:
  bool spend(long long steps, long long bytes, const ast::Def& def, Loc loc);
  bool walk(const Value& v, const ast::Def& def, Loc loc);

  long long steps_ = kMaxSteps, bytes_ = kMaxBytes;
  bool spent_ = false, reported_ = false;
  Loc where_;                        ///< the call that was running when it ran out
  const ast::Def* where_def_ = nullptr;
  std::unordered_map<const ast::Def*, size_t> body_nodes_;
  std::unordered_map<const ast::Def*, bool> costly_;  ///< def -> ran out of bytes (else steps)
};

}  // namespace drplan
