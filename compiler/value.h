#pragma once
// Values the compiler computes while resolving a plan: literals, params, inventory
// objects, step references and text with interpolations still to be rendered. Text keeps
// its interpolated pieces apart so quoting can be decided where the text lands (a command
// shell-quotes them, a gate question does not).
#include <memory>
#include <string>
#include <vector>

#include "compiler/source.h"

namespace drplan {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

struct TextPiece {
  std::string literal;  ///< used when value is null: text the author wrote (command text)
  ValuePtr value;       ///< an interpolated value: data, quoted for where it lands
  bool raw = false;     ///< `${x | raw}` or sh.raw(x): inserted unquoted (a warning)
  bool glob = false;    ///< `${x | glob}`: quoted except `*` and `?`
  Loc loc;              ///< the `${...}` (or the expression) it came from
};

struct Value {
  enum class Kind {
    Error,     ///< already reported; suppresses follow-up errors
    String,    ///< plain text without interpolations
    Text,      ///< text with interpolated pieces
    Int, Bool, Duration, Size, Percent,
    Site,      ///< name
    Hosts,     ///< one or more hosts (indices; symbolic when no inventory)
    List,
    None,      ///< `none "reason"`
    Secret,    ///< name of an inventory secret
    StepOutput,  ///< another step's stdout, known at run time
    StepOk,      ///< whether another step succeeded, known at run time
    Ident,     ///< a bare word used as an enum value (warn, rollback, stop...)
  };
  Kind kind = Kind::Error;
  std::string str;          ///< String, Site, None reason, Secret, Step name, Ident, symbolic host label
  long long num = 0;        ///< Int; Duration in ms; Size in bytes; Percent
  bool boolean = false;
  std::vector<int> hosts;   ///< Hosts
  std::vector<TextPiece> pieces;  ///< Text
  std::vector<ValuePtr> items;    ///< List
  Loc loc;
  /// String: text written in a plan or module (a literal, or joined from literals), so it
  /// may be command text. Everything else that is a string (--set, params, inventory,
  /// secrets, outputs, and what defs compute from them) is data: it is only ever quoted.
  bool code = false;

  static ValuePtr error() { return std::make_shared<Value>(); }
  static ValuePtr string(std::string s, Loc l = {});
  /// A string the author wrote: it may become command text.
  static ValuePtr code_string(std::string s, Loc l = {});
  /// The same value as data: a param's default is authored, but --set could replace it.
  static ValuePtr as_data(const ValuePtr& v);
  static ValuePtr integer(long long n, Loc l = {});
  static ValuePtr boolean_value(bool b, Loc l = {});
};

const char* value_kind_name(Value::Kind k);
/// "an int", "a string": for messages.
std::string with_article(std::string_view word);

}  // namespace drplan
