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
  std::string literal;  ///< used when value is null
  ValuePtr value;       ///< an interpolated value
  bool raw = false;     ///< `${x | raw}`: not shell-quoted
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

  static ValuePtr error() { return std::make_shared<Value>(); }
  static ValuePtr string(std::string s, Loc l = {});
  static ValuePtr integer(long long n, Loc l = {});
  static ValuePtr boolean_value(bool b, Loc l = {});
};

const char* value_kind_name(Value::Kind k);
/// "an int", "a string": for messages.
std::string with_article(std::string_view word);

}  // namespace drplan
