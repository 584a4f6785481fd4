#pragma once
// Diagnostics are values: a code, a severity, a location, a message, notes and a hint.
// Every compiler phase adds to one DiagnosticEngine; renderers turn them into clang-style
// text (for people) or JSON (for CI annotations).
#include <string>
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

class DiagnosticEngine {
 public:
  Diagnostic& error(DiagCode code, Loc loc, std::string message);
  Diagnostic& warning(DiagCode code, Loc loc, std::string message);
  void add(Diagnostic d) { diags_.push_back(std::move(d)); }

  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  /// Turns every warning into an error (`--werror`).
  void promote_warnings();
  /// Sorts by file, offset, then severity; drops exact duplicates.
  void sort();
  const std::vector<Diagnostic>& all() const { return diags_; }
  void clear() { diags_.clear(); }

 private:
  std::vector<Diagnostic> diags_;
};

/// clang-style: `path:line:col: error: message [E0203]`, the source line, `^~~~`, notes, help.
std::string render_text(const SourceManager& sm, const std::vector<Diagnostic>& diags, bool color);
/// One JSON object per diagnostic in an array (file, line, column, severity, code, message...).
std::string render_json(const SourceManager& sm, const std::vector<Diagnostic>& diags);

/// Edit distance for "did you mean" hints (case-insensitive, capped).
size_t edit_distance(std::string_view a, std::string_view b);
/// The closest candidate within a sensible distance, or "".
std::string closest(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace drplan
