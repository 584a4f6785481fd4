#pragma once
// Quoting a value for the place it lands in a POSIX shell command. The compiler decides the
// place (compiler/shell_context.h); these functions do the quoting, at compile time for
// values it knows and at run time (executor/interpolate.cc) for step outputs. Facts behind
// them: docs/security.md ("Commands").
#include <string>
#include <string_view>

namespace drplan {

/// One shell word with exactly the bytes of `s`: unchanged when every byte is plainly
/// safe, else single-quoted with each `'` as `'\''`. Empty gives `''`.
std::string shell_quote(std::string_view s);

/// A glob pattern as one word: `*` and `?` stay active, every other byte is quoted.
std::string shell_quote_glob(std::string_view s);

/// Escapes text for one level of backquote substitution: the shell removes a backslash
/// before `\`, `` ` `` and `$` inside backquotes before it parses the inner command.
std::string backquote_escape(std::string_view s, int levels);

/// Where a quoted value lands, as the executor needs to know it for run-time values.
struct ShellSlot {
  int backquotes = 0;  ///< enclosing backquote substitutions (each adds one escape level)
};

/// `s` as one word at `slot`: shell_quote, then escaped for each backquote level.
std::string quote_for_slot(std::string_view s, ShellSlot slot);

}  // namespace drplan
