#pragma once
// A detailed log of the run through spdlog: every step event, output line and note goes to
// drplan.log in the run's directory (0600), masked like everything else; warnings also go
// to stderr. It wraps the operator's display, so both see the same events.
#include <memory>
#include <string>

#include "executor/display.h"

namespace drplan {

/// Returns a display that logs to `dir`/drplan.log and forwards to `inner`.
std::unique_ptr<Display> make_logging_display(std::unique_ptr<Display> inner, const std::string& dir);

}  // namespace drplan
