#pragma once
// Gates: a person decides. On a terminal the operator approves, rejects, or asks for the
// details; without one, `--approve NAME` and `--yes` decide. Who decided, and how, goes
// into the journal.
#include <mutex>
#include <set>
#include <string>

#include "compiler/plan_ir.h"

namespace drplan {

struct GateDecision {
  bool approved = false;
  std::string by;   ///< user@host
  std::string how;  ///< "terminal", "--approve", "--yes", "no terminal"
};

class GatePrompter {
 public:
  virtual ~GatePrompter() = default;
  /// Blocks until decided. Called from worker threads; implementations serialize prompts.
  virtual GateDecision decide(const StepInstance& gate) = 0;
  /// Yes/no question outside a gate (e.g. "roll back?"); `fallback` without a terminal.
  virtual bool confirm(const std::string& question, bool fallback) = 0;
};

/// Decides from the command line; refuses what it was not told to approve.
class FlagPrompter : public GatePrompter {
 public:
  FlagPrompter(std::set<std::string> approve, bool yes) : approve_(std::move(approve)), yes_(yes) {}
  GateDecision decide(const StepInstance& gate) override;
  bool confirm(const std::string&, bool fallback) override { return fallback; }

 private:
  std::set<std::string> approve_;
  bool yes_;
};

/// Asks on the terminal (/dev/tty), unless the flags already decided.
class TerminalPrompter : public GatePrompter {
 public:
  TerminalPrompter(std::set<std::string> approve, bool yes) : flags_(std::move(approve), yes), yes_(yes) {}
  GateDecision decide(const StepInstance& gate) override;
  bool confirm(const std::string& question, bool fallback) override;
  /// Held while prompting so the live display does not draw over the question.
  std::mutex& screen() { return mu_; }

 private:
  FlagPrompter flags_;
  bool yes_;
  std::mutex mu_;
};

}  // namespace drplan
