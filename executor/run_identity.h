#pragma once
// Who runs drplan, where: recorded in journals, locks and gate decisions.
#include <string>

namespace drplan {

std::string current_user();
std::string current_host();
/// "user@host": who decided a gate or a rollback.
std::string current_operator();

}  // namespace drplan
