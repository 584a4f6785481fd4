#pragma once
// The shell oracle: renders a value into command templates that cover every supported
// shell context, runs the commands under real shells (dash and bash), and checks that the
// program received exactly the value's bytes. Shared by the ctest (shell_oracle_test.cc)
// and the fuzz target. A template is command text with `@` where the value goes; it must
// print the value (with its prefix/suffix) exactly once with printf '%s'. Command
// substitutions end their output with a marker, so trailing newlines survive; the marker
// is printed, never cut off (bash 5.2's ${x%x} garbles invalid UTF-8 in a UTF-8 locale).
#include <string>
#include <vector>

#include "compiler/value.h"
#include "tests/rng.h"

namespace drplan::oracle {

struct Template {
  const char* text;    ///< `@` marks each interpolation of the value
  const char* before;  ///< what the command prints before the value
  const char* after;   ///< ... and after it
};

/// The corpus: unquoted words, "...", $(...) and backquotes nested, case, for, pipes,
/// assignments, a heredoc and a comment before the value.
const std::vector<Template>& templates();

/// One case: `value` into `t`, compile-time (a string) or run-time (a step's output).
struct Case {
  std::string value;
  size_t template_index = 0;
  bool as_output = false;
};

/// `text` (author text, `@` where `v` goes) rendered as drplan renders a command, with
/// `runtime_value` as the output of any step output; empty with `error` set when refused.
std::string render_text(const std::string& text, const ValuePtr& v, const std::string& runtime_value,
                        std::string* error = nullptr);

/// A step's output (its value is the `runtime_value` of render_text).
ValuePtr step_output();

/// The command drplan runs for `c`; empty with `error` set when the compiler refuses it.
std::string render(const Case& c, std::string* error);

/// Cases as one script: each case's output follows a NUL.
struct Batch {
  std::string script;
  std::vector<std::string> expected;
  std::vector<size_t> which;          ///< index into the cases, per expected output
  std::vector<std::string> failures;  ///< cases the compiler refused
};
Batch make_batch(const std::vector<Case>& cases);

/// One line per case whose output in `out` (the script's stdout) differs from the value.
std::vector<std::string> check_batch(const Batch& b, const std::vector<Case>& cases, const std::string& out,
                                     const std::string& label);

/// Runs every case under `shell` (one script); returns one line per case whose output
/// differs (empty: all received their bytes).
std::vector<std::string> run(const std::vector<Case>& cases, const std::string& shell);

/// Random values with every byte 1-255, quotes, $(), backquotes, globs, ;, newlines,
/// leading '-', long UTF-8.
std::string random_value(test_support::Rng& rng);

}  // namespace drplan::oracle
