#pragma once
// drplan's own syntax tree, built from the ANTLR parse tree by parser.cc. Nothing here
// depends on ANTLR. Later phases (resolve, typecheck, lower) read it and never modify it.
#include <memory>
#include <string>
#include <vector>

#include "compiler/source.h"

namespace drplan::ast {

struct Expr {
  enum class Kind { String, Number, Quantity, Bool, Path, Call, List, None, Not, Compare, And, Or, Concat };
  Kind kind = Kind::String;
  Loc loc;
  /// String: raw contents between the quotes (escapes and ${} still in it);
  /// Quantity: the literal ("30s"); Compare: the operator; None: the reason (raw).
  std::string text;
  uint32_t content_offset = 0;  ///< String: file offset of the first content byte
  bool verbatim = false;        ///< String: """...""" — no escapes except \${
  double number = 0;            ///< Number
  bool boolean = false;         ///< Bool
  std::vector<std::string> path;  ///< Path, and the callee of a Call
  std::vector<std::unique_ptr<Expr>> children;  ///< Call args, List items, operands
  std::vector<std::string> arg_names;           ///< Call: "" for a positional argument
  std::vector<Loc> arg_name_locs;

  std::string dotted() const;
};

struct Attr {
  std::string key;
  Loc key_loc;
  std::unique_ptr<Expr> value;
};

struct Param {
  std::string name;
  Loc loc;
  std::string type;
  Loc type_loc;
  std::unique_ptr<Expr> default_value;
};

struct Use {
  std::string path;  ///< "stdlib/postgres"
  Loc loc;
  std::string alias;  ///< defaults to the last path segment
  Loc alias_loc;
};

enum class StepKind { Check, Action, Gate, Wait };

struct Step {
  StepKind kind = StepKind::Action;
  Loc kind_loc;
  std::string name;
  Loc loc;
  std::vector<std::string> target;  ///< empty: no `on` clause (local)
  Loc target_loc;
  std::vector<std::pair<std::string, Loc>> after;
  std::unique_ptr<Expr> when;
  std::unique_ptr<Expr> uses;  ///< `= tmpl.call(...)`, a Call expression
  std::vector<Attr> attrs;
  int phase = -1;  ///< index into Unit::phases, -1 outside any phase
};

struct Template {
  std::string name;
  Loc loc;
  std::vector<Param> params;
  std::vector<Attr> attrs;
};

/// `def name(params) = expr`: a named expression, usually a command string.
struct Def {
  std::string name;
  Loc loc;
  std::vector<Param> params;
  std::unique_ptr<Expr> body;
};

struct Setting {
  std::string key;
  Loc loc;
  std::unique_ptr<Expr> value;
};

struct Phase {
  std::string title;
  Loc loc;
};

/// One parsed file: a plan or a module.
struct Unit {
  bool is_module = false;
  std::string name;
  Loc loc;
  int file = -1;
  std::vector<Setting> settings;
  std::vector<Param> params;
  std::vector<Use> uses;
  std::vector<Template> templates;
  std::vector<Def> defs;
  std::vector<Phase> phases;
  std::vector<Step> steps;
};

const char* kind_name(StepKind k);

}  // namespace drplan::ast
