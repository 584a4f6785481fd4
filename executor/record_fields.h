#pragma once
// Journal and lock records are read back from disk, where anything may have happened to them
// (a hand edit, a newer or older drplan, a bad disk). nlohmann::json's value<T>() and get<T>()
// throw on a field of the wrong type, so every record is checked once, when it is read: a
// known field with the wrong type is dropped (readers then see its default) and described;
// unknown fields are kept as they are. Add a field here when a reader starts to use it.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drplan {

/// Drops the known fields of `record` (an object) whose type is wrong, and of its "result";
/// the entries of "sets" must be strings (a number or a boolean becomes its text). Returns
/// one message per field dropped or repaired: "field 'pid' is a string, expected an integer".
std::vector<std::string> drop_mistyped_fields(nlohmann::json& record);

}  // namespace drplan
