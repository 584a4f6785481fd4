#pragma once
// Secret values, read at run time from where the inventory's references point (an
// environment variable or a file). They never reach the plan IR; the Masker hides them.
#include <optional>
#include <string>

#include "compiler/inventory.h"

namespace drplan {

/// Reads a secret's value; on failure returns nullopt and fills `error` (never the value).
std::optional<std::string> read_secret(const SecretRef& ref, std::string* error);

}  // namespace drplan
