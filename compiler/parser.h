#pragma once
// The front end: source text -> drplan's AST. Valid input takes the hand-written fast path
// (fast_parser.h); anything it does not accept goes to the ANTLR parser, which reports the
// syntax errors (all of them, up to a cap) through the diagnostics engine. ANTLR's headers
// are included by parser.cc alone, and ANTLR itself never prints anything.
#include <memory>

#include "compiler/ast.h"
#include "compiler/diagnostics.h"

namespace drplan {

/// Parses `file` of `sm`. Returns nullptr when the file has syntax errors, or is not text:
/// invalid UTF-8 (E0002), a NUL or another control character but tab, LF, CR (E0004).
std::unique_ptr<ast::Unit> parse_file(const SourceManager& sm, int file, DiagnosticEngine& diags);

/// For tests that hold the two paths to the same result: parse_file with the ANTLR parser
/// only, and with the fast parser only (nullptr where parse_file would fall back; reports
/// nothing, not even invalid UTF-8 or a NUL: both refuse them, as parse_file does).
std::unique_ptr<ast::Unit> parse_file_antlr(const SourceManager& sm, int file, DiagnosticEngine& diags);
std::unique_ptr<ast::Unit> parse_file_fast(const SourceManager& sm, int file);

/// Limits that keep hostile input from exhausting the stack or the terminal.
inline constexpr int kMaxNesting = 200;
inline constexpr int kMaxOperatorsPerExpression = 1000;
inline constexpr int kMaxSyntaxErrors = 50;

}  // namespace drplan
