#pragma once
// Commands at run time: another step's output replaces its placeholder (quoted as a word,
// escaped for the backquotes around it, unless raw); a secret stays a reference to the
// environment variable that carries its value.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan_ir.h"

namespace drplan {

/// Output of a step instance by id (completed before the command runs).
using OutputLookup = std::function<std::string(const std::string& id)>;

/// The command as /bin/sh will read it. A step output holding a NUL byte cannot be passed
/// on (the command would be cut at it): the result is empty and `error` says why.
std::string render_command(const Command& c, const OutputLookup& output, std::string* error = nullptr);

/// The environment entries that carry the command's secrets.
std::vector<std::pair<std::string, std::string>> secret_env(const Command& c,
                                                            const std::map<std::string, std::string>& secrets);

/// Evaluates a runtime `when`. `ok` tells whether a step succeeded.
bool evaluate_condition(const Condition& c, const OutputLookup& output, const std::function<bool(const std::string&)>& ok);

}  // namespace drplan
