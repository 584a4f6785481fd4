#pragma once
// Diagnostics are values: a code, a severity, a location, a message, notes and a hint.
// Every compiler phase adds to one DiagnosticEngine; renderers turn them into clang-style
// text (for people) or JSON (for CI annotations).
#include <string>
#include <unordered_set>
#include <vector>

#include "compiler/source.h"

namespace drplan {

enum class Severity { Error, Warning, Note };

/// Stable diagnostic codes; the table in diagnostics.cc names each one.
enum class DiagCode {
  Syntax = 1,          // E0001
  BadEncoding = 2,     // E0002
  InputTooLarge = 3,   // E0003
  ControlCharacter = 4,  // E0004: NUL or another control character in a source
  UnknownName = 101,
  DuplicateName = 102,
  UnknownModule = 103,
  UnknownTemplate = 104,
  UnknownAttribute = 105,
  MissingAttribute = 106,
  BadArgument = 107,
  TypeMismatch = 201,
  BadUnit = 202,
  UnknownHost = 203,
  UnknownTarget = 204,
  BadValue = 205,
  BadPattern = 206,    // an `expect` regex RE2 refuses
  Cycle = 301,
  SelfDependency = 302,
  UndefinedVariable = 303,
  AmbiguousOutput = 304,
  UnfencedPromotion = 401,
  DnsWithoutTtlCheck = 402,
  UnguardedDestruction = 403,
  UnsafeInterpolation = 404,  // a value where no shell quoting makes it safe
  DataAsCommand = 405,        // data (params, inventory, outputs) used as command text
  NoRollback = 501,    // warning
  UnusedParam = 502,   // warning
  RawFragment = 503,   // warning: `| raw` / sh.raw inserts a value unquoted
  Inventory = 601,
  MissingSecret = 602,
};

struct DiagNote {
  Loc loc;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  DiagCode code = DiagCode::Syntax;
  Loc loc;
  std::string message;
  std::vector<DiagNote> notes;
  std::string help;
  bool hide_source = false;  ///< the line may hold a secret: show only the location
};

/// "E0203" / "W0501".
std::string code_name(const Diagnostic& d);

/// Collects a compilation's diagnostics, each once (a repeat of one already kept, at the
/// same place with the same code and message, is dropped). Past kMaxKept errors (or
/// warnings) further ones are only counted: 4,000 unknown names make 100 errors to read, not 4,000, and cost no
/// more than counting. sort() then ends the list with a note that says how many were left out.
class DiagnosticEngine {
 public:
  static constexpr size_t kMaxKept = 100;

  /// Past the limit, returns a scratch diagnostic: filling it in is harmless.
  Diagnostic& error(DiagCode code, Loc loc, std::string message);
  Diagnostic& warning(DiagCode code, Loc loc, std::string message);
  void add(Diagnostic d);

  bool has_errors() const;
  /// Kept and left out alike.
  size_t error_count() const;
  size_t warning_count() const;
  /// True once further errors are only counted: callers skip costly extras ("did you mean").
  bool errors_full() const { return kept_[0] >= kMaxKept; }
  /// Turns every warning into an error (`--werror`).
  void promote_warnings();
  /// Sorts by file, offset, then severity; drops exact duplicates; ends with the note on
  /// what was left out, if anything was.
  void sort();
  const std::vector<Diagnostic>& all() const { return diags_; }
  void clear();
  /// The diagnostics added since all() had `mark` entries that point into another file than
  /// `at` move to `at`, with a note saying `note` where they pointed: an error inside a
  /// template is reported at the call that used it.
  void relocate_since(size_t mark, Loc at, const std::string& note);

 private:
  Diagnostic& keep(Diagnostic d);

  std::vector<Diagnostic> diags_;
  /// Location, code and message of each kept one: a step fanned out over 2,000 hosts
  /// reports the same error 2,000 times, which must count once and not fill the list.
  std::unordered_set<std::string> seen_;
  size_t kept_[2] = {0, 0};     ///< errors, warnings stored (before sort() drops duplicates)
  size_t omitted_[2] = {0, 0};  ///< errors, warnings only counted
  Diagnostic scratch_;
};

/// clang-style: `path:line:col: error: message [E0203]`, the source line, `^~~~`, notes, help.
std::string render_text(const SourceManager& sm, const std::vector<Diagnostic>& diags, bool color);
/// One JSON object per diagnostic in an array (file, line, column, severity, code, message...).
std::string render_json(const SourceManager& sm, const std::vector<Diagnostic>& diags);

/// Edit distance for "did you mean" hints (case-insensitive; 1000 for names over 64 bytes).
size_t edit_distance(std::string_view a, std::string_view b);
/// The same, but any distance over `limit` is limit + 1: computed in a band of the table,
/// stopping as soon as no path can stay within it.
size_t edit_distance_within(std::string_view a, std::string_view b, size_t limit);

/// "Did you mean": the candidate closest to a name, within a distance that grows with the
/// name's length (at most 3). Candidates further apart in length than the best so far cost
/// a comparison of sizes; the others a banded edit distance with an early exit.
class Closest {
 public:
  explicit Closest(std::string_view name);
  /// Among equally close candidates, the first offered wins...
  void offer(std::string_view candidate);
  /// ...except among these (names from a hash table): the smallest wins, so hints do not
  /// depend on hashing.
  void offer_unordered(std::string_view candidate);
  const std::string& best() const { return best_; }

 private:
  bool better(std::string_view candidate, size_t* d) const;

  std::string_view name_;
  std::string best_;
  size_t best_d_;
  bool best_unordered_ = false;
};

/// The closest candidate within a sensible distance, or "".
std::string closest(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace drplan
