#include "executor/gates.h"

#include <cctype>
#include <cstdio>
#include <iostream>

#include "executor/run_identity.h"
#include "executor/terminal.h"

namespace drplan {

namespace {

bool read_line(FILE* tty, std::string& line) {
  char buf[512];
  if (!std::fgets(buf, sizeof buf, tty)) return false;
  line = buf;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return true;
}

}  // namespace

GateDecision FlagPrompter::decide(const StepInstance& gate) {
  if (approve_.count(gate.name) || approve_.count(gate.id)) return {true, current_operator(), "--approve " + gate.name};
  if (yes_) return {true, current_operator(), "--yes"};
  return {false, current_operator(), "not approved: no terminal, and neither --approve " + gate.name + " nor --yes"};
}

GateDecision TerminalPrompter::decide(const StepInstance& gate) {
  GateDecision flagged = flags_.decide(gate);
  if (flagged.approved) return flagged;
  std::lock_guard<std::mutex> lock(mu_);
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) return flagged;
  GateDecision d{false, current_operator(), "terminal"};
  for (;;) {
    std::fprintf(tty, "\n\033[1;34m? gate %s\033[0m  %s\n  [a]pprove  [r]eject  [d]etails > ", gate.id.c_str(),
                 visible_controls(gate.ask).c_str());
    std::fflush(tty);
    std::string line;
    if (!read_line(tty, line)) break;
    if (line == "a" || line == "approve" || line == "y" || line == "yes") {
      d.approved = true;
      break;
    }
    if (line == "r" || line == "reject" || line == "n" || line == "no") break;
    if (line == "d" || line == "details") {
      std::fprintf(tty, "  %s\n", gate.details.empty() ? "(no details given)" : visible_controls(gate.details).c_str());
      if (!gate.title.empty()) std::fprintf(tty, "  %s\n", visible_controls(gate.title).c_str());
    }
  }
  std::fclose(tty);
  return d;
}

bool TerminalPrompter::confirm(const std::string& question, bool fallback) {
  if (yes_) return fallback;
  std::lock_guard<std::mutex> lock(mu_);
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) return fallback;
  // Only y/yes/n/no decide; anything else asks again (a stray key must not roll back, or
  // keep, a half-done failover). The end of input leaves it to `fallback`.
  std::fprintf(tty, "\n\033[1m%s\033[0m [y/n] > ", visible_controls(question).c_str());
  bool answer = fallback;
  for (std::string line;;) {
    std::fflush(tty);
    if (!read_line(tty, line)) break;
    for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (line == "y" || line == "yes" || line == "n" || line == "no") {
      answer = line[0] == 'y';
      break;
    }
    std::fprintf(tty, "  please answer y (yes) or n (no) > ");
  }
  std::fclose(tty);
  return answer;
}

}  // namespace drplan
