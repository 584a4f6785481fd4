#pragma once
// The fast parser against the ANTLR parser, which defines the language: one comparison for
// compiler/fast_parser_test.cc and the parser fuzzer (fuzz/parser_fuzzer.cc). The invariant,
// on every input: the fast parser accepts => ANTLR accepts without an error and builds the
// same ast::Unit (a canonical dump of every field and every Loc); ANTLR accepts => the fast
// parser accepts too (valid input must not fall back silently).
#include <string>

#include "compiler/ast.h"

namespace drplan::test_support {

struct ParseOutcome {
  bool antlr = false;   ///< ANTLR built a unit
  bool fast = false;    ///< the fast path built one
  std::string problem;  ///< "" when the invariant holds
  std::string error;    ///< ANTLR's first error, "line:col: message"
  std::string diagnostics;  ///< all that ANTLR reported, rendered as text (and as JSON, unkept)
};

/// Parses `text` both ways. `fallback_ok`: a valid input the fast path knowingly leaves to ANTLR.
ParseOutcome compare_parsers(const std::string& text, bool fallback_ok = false);

/// A canonical dump of every field and every Loc of `u`, one line per node.
std::string dump_ast(const ast::Unit& u);

}  // namespace drplan::test_support
