#pragma once
// A detailed log of the run through spdlog: every step event, note and (within a budget per
// step) output line goes to drplan.log in the run's directory (0600), masked like everything
// else, control characters rendered visibly. It wraps the
// operator's display, so both see the same events. The log is bounded: it rotates
// (drplan.1.log ... drplan.N.log), and a chatty step's output beyond its budget is counted,
// not logged; the journal keeps every step's output tail.
#include <cstddef>
#include <memory>
#include <string>

#include "executor/display.h"

namespace drplan {

struct LogLimits {
  size_t file_bytes = 10 * 1024 * 1024;  ///< drplan.log rotates past this size
  size_t rotated_files = 3;              ///< drplan.1.log (newest) ... kept; older ones go
  size_t step_output_bytes = 256 * 1024;  ///< output logged per step attempt; the rest is counted
};

/// Returns a display that logs to `dir`/drplan.log and forwards to `inner`.
std::unique_ptr<Display> make_logging_display(std::unique_ptr<Display> inner, const std::string& dir,
                                              LogLimits limits = {});

}  // namespace drplan
