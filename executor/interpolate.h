#pragma once
// Commands at run time: another step's output replaces its placeholder (shell-quoted unless
// raw), a secret stays a reference to the environment variable that carries its value.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compiler/plan_ir.h"

namespace drplan {

/// Output of a step instance by id (completed before the command runs).
using OutputLookup = std::function<std::string(const std::string& id)>;

std::string render_command(const Command& c, const OutputLookup& output);

/// The environment entries that carry the command's secrets.
std::vector<std::pair<std::string, std::string>> secret_env(const Command& c,
                                                            const std::map<std::string, std::string>& secrets);

/// Evaluates a runtime `when`. `ok` tells whether a step succeeded.
bool evaluate_condition(const Condition& c, const OutputLookup& output, const std::function<bool(const std::string&)>& ok);

}  // namespace drplan
