#pragma once
// An `expect` pattern, compiled once by the compiler with RE2: matching is linear in the
// text, never recursive and bounded in memory, so no probe output can hang or crash a run,
// and a pattern `drplan check` accepted is the very object `drplan apply` matches with.
// RE2 refuses what needs backtracking (backreferences, lookaround); help() says so.
// Copies share the compiled form; matching is const and safe from several threads.
// RE2's header stays in pattern.cc: this one is included by the whole plan IR.
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace drplan {

class Pattern {
 public:
  /// Memory RE2 may use for one pattern's compiled form and its DFA cache; a pattern that
  /// needs more is refused ("pattern too large"). Matching past the cache falls back to a
  /// slower, still linear, NFA.
  static constexpr long long kMaxMem = 8ll << 20;
  /// The syntax people should read when RE2 refuses a pattern.
  static constexpr const char* kSyntaxUrl = "https://github.com/google/re2/wiki/Syntax";

  Pattern() = default;  ///< no pattern: everything matches
  /// Compiles `text`; when RE2 refuses it, ok() is false and error()/help() say why.
  explicit Pattern(std::string text);

  const std::string& text() const { return text_; }
  bool empty() const { return text_.empty(); }
  bool ok() const { return empty() || re_ != nullptr; }
  /// RE2's reason ("missing ): ^(a"); empty when ok().
  const std::string& error() const { return error_; }
  /// What to do instead, for a diagnostic's help line; empty when ok().
  const std::string& help() const { return help_; }

  /// True when the pattern matches somewhere in `s` (a search, as grep does, not a full
  /// match); always for an empty pattern, never for one RE2 refused.
  bool search(std::string_view s) const;

 private:
  std::string text_;
  std::shared_ptr<const re2::RE2> re_;
  std::string error_, help_;
};

}  // namespace drplan
