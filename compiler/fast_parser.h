#pragma once
// The fast path of the front end: source text straight to drplan's AST, with no ANTLR.
//
// A byte-level lexer and a recursive-descent parser for exactly the language of
// grammar/Drplan.g4, which stays the language's definition. It only knows how to accept:
// on anything it does not expect it gives up (returns nullptr) without a word, and
// parse_file runs the ANTLR parser, which reports the syntax errors. Whatever it accepts,
// it builds exactly the ast::Unit the ANTLR path builds, every Loc included
// (compiler/fast_parser_test.cc holds the two paths to that).
#include <memory>
#include <string_view>

#include "compiler/ast.h"

namespace drplan {

/// Parses `text`, the contents of file `file`, which must be valid UTF-8 without control
/// characters (find_source_problem; parse_file checks that first, and on other input this
/// returns a unit or nullptr, and nothing worse). Returns nullptr wherever the ANTLR path could report an error: invalid
/// syntax, a step with two `on` or `when` clauses, an attribute without '=' or a value,
/// nesting deeper than kMaxNesting, more than kMaxOperatorsPerExpression operators. Also for
/// a leading byte order mark: valid, but ANTLR's locations are shifted there (it drops the
/// BOM), and the fast path would not match them.
/// Its recursion is bounded by kMaxNesting (under 300 KB of stack), so unlike the ANTLR path
/// it needs no thread with a big stack of its own.
std::unique_ptr<ast::Unit> fast_parse(std::string_view text, int file);

}  // namespace drplan
