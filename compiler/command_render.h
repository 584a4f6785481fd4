#pragma once
// Turns an evaluated value into a shell command. Only text the author wrote (string
// literals of plans and modules, joined with '+', and what defs build from them) becomes
// command text; every interpolated value is data and is quoted for the shell context it
// lands in, which a ShellScanner tracks through the command text (compiler/shell_context.h).
// A context no quoting makes safe is a located error. `| raw` and sh.raw(x) insert a value
// unquoted: a warning (W0503), shown by `drplan plan`.
#include "compiler/diagnostics.h"
#include "compiler/inventory.h"
#include "compiler/plan_ir.h"
#include "compiler/value.h"

namespace drplan {

/// Renders `v` (a command attribute written at `loc`) into `out`. Reports and returns
/// false when it cannot be made safe.
bool render_shell_command(const ValuePtr& v, const Inventory* inventory, DiagnosticEngine& diags, Command& out,
                          Loc loc);

}  // namespace drplan
