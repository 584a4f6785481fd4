#pragma once
// A Transport for tests: nothing runs. Each command gets a scripted result — chosen by the
// step id, else by a substring of the command, else the default — after a scripted delay
// (which honours the request's timeout and cancellation like a real process would). Every
// call is recorded (order, start and end, what it saw), with the highest concurrency seen
// overall and per host, so tests can assert ordering and caps. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "executor/transport.h"

namespace drplan {

/// What a scripted command does.
struct FakeScript {
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
  std::chrono::milliseconds delay{0};
  /// The first `fail_times` calls matching this script exit with `fail_exit` instead.
  int fail_times = 0;
  int fail_exit = 1;
  /// Reported as a transport failure (SSH dropped mid-command) rather than an exit code.
  bool connection_lost = false;
  /// The first `lost_times` calls lose their connection mid-command; later ones run.
  int lost_times = 0;
  /// Every call is refused before the command starts (sshd down).
  bool refused = false;
};

class FakeTransport : public Transport {
 public:
  using Clock = std::chrono::steady_clock;

  struct Call {
    int seq = 0;  ///< order of starts
    std::string step_id;
    std::string host;  ///< "local" when the request has no host
    std::string command;
    std::vector<std::pair<std::string, std::string>> env;
    Clock::time_point start, end;
    ExecResult result;
  };

  /// Commands containing `substring` get `script` (rules are tried in the order added).
  void on_command(std::string substring, FakeScript script);
  /// Every command of step instance `step_id` ("name" or "name@host") gets `script`;
  /// step rules win over command rules.
  void on_step(std::string step_id, FakeScript script);
  /// For commands no rule matches.
  void set_default(FakeScript script);

  ExecResult exec(const ExecRequest& req) override;

  std::vector<Call> calls() const;
  /// Calls whose command contains `substring`, in start order.
  std::vector<Call> calls_matching(const std::string& substring) const;
  /// Calls of one step instance, in start order.
  std::vector<Call> calls_of(const std::string& step_id) const;
  int max_concurrency() const;
  int max_concurrency(const std::string& host) const;

 private:
  struct Rule {
    std::string key;
    FakeScript script;
    int used = 0;
  };
  Rule* match(const ExecRequest& req);

  mutable std::mutex mu_;
  std::vector<Rule> step_rules_, command_rules_;
  Rule default_;
  std::vector<Call> calls_;
  int running_ = 0, max_running_ = 0;
  std::map<std::string, int> running_per_host_, max_per_host_;
};

}  // namespace drplan
