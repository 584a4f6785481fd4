#pragma once
// What the operator sees during `apply`. On a terminal: the running steps (host, elapsed,
// last output line) kept live at the bottom, finished steps scrolling above. Otherwise:
// plain timestamped lines. Every text shown has passed through the Masker, and its control
// characters are rendered visibly (visible_controls): step output cannot drive the terminal.
#include <memory>
#include <string>
#include <string_view>

#include "compiler/plan_ir.h"
#include "executor/run_state.h"

namespace drplan {

class Display {
 public:
  virtual ~Display() = default;
  virtual void started(const StepInstance& s, int attempt) = 0;
  virtual void line(const StepInstance& s, std::string_view text) = 0;
  virtual void finished(const StepInstance& s, const StepRun& r) = 0;
  /// A run-level message: "stopping: ...", "rolling back ...".
  virtual void note(std::string_view text) = 0;
  /// Stops live redrawing (before the summary or a prompt).
  virtual void pause() {}
};

/// `live`: redraw running steps in place (a terminal whose TERM is known); else plain lines. `out` is stdout.
std::unique_ptr<Display> make_display(bool live, bool color);
/// For tests: shows nothing.
std::unique_ptr<Display> make_silent_display();

}  // namespace drplan
