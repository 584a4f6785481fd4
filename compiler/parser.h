#pragma once
// The front end: source text -> drplan's AST. This is the only code that sees ANTLR; its
// headers are included by parser.cc alone. Syntax errors are reported (all of them, up to a
// cap) through the diagnostics engine; ANTLR itself never prints anything.
#include <memory>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"

namespace drplan {

/// Parses `file` of `sm`. Returns nullptr when the file has syntax errors.
std::unique_ptr<ast::Unit> parse_file(const SourceManager& sm, int file, DiagnosticEngine& diags);

/// Limits that keep hostile input from exhausting the stack or the terminal.
inline constexpr int kMaxNesting = 200;
inline constexpr int kMaxOperatorsPerExpression = 1000;
inline constexpr int kMaxSyntaxErrors = 50;

}  // namespace drplan
