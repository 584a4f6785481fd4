#pragma once
// Runs commands on this machine: `/bin/sh -c CMD` in its own process group, stdin from
// /dev/null, stdout and stderr read through poll() into bounded tails and line callbacks.
// A timeout or a cancellation sends TERM to the whole group, then KILL after a grace
// period, so grandchildren die too. Secrets arrive in the environment, never in argv.
#include <chrono>

#include "executor/transport.h"

namespace drplan {

class LocalTransport : public Transport {
 public:
  explicit LocalTransport(std::chrono::milliseconds kill_grace = std::chrono::milliseconds(2000))
      : kill_grace_(kill_grace) {}
  ExecResult exec(const ExecRequest& req) override;

 private:
  std::chrono::milliseconds kill_grace_;
};

/// Signal number -> "TERM", "KILL", ...
std::string signal_name(int sig);

}  // namespace drplan
