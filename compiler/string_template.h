#pragma once
// Splits the raw contents of a string literal into literal text and `${path}` /
// `${path | raw}` / `${path | glob}` interpolations, decoding escapes (\" \\ \n \t \$) and keeping each
// interpolation's location for diagnostics. `$NAME` without braces is left to the shell.
#include <string>
#include <vector>

#include "compiler/diagnostics.h"

namespace drplan {

struct StringPiece {
  bool is_interpolation = false;
  std::string literal;            ///< decoded text
  std::vector<std::string> path;  ///< interpolation: `a.b.c`
  bool raw = false;               ///< `| raw`: unquoted
  bool glob = false;              ///< `| glob`: quoted except `*` and `?`
  Loc loc;                        ///< the whole ${...}
};

/// Returns false (after reporting) on a malformed interpolation.
/// `verbatim` ("""...""" strings) keeps backslashes as written, except `\${`.
bool split_string(std::string_view raw, Loc content, DiagnosticEngine& diags, std::vector<StringPiece>& out,
                  bool verbatim = false);


}  // namespace drplan
