// drplan's SSH transport alone: N sequential `true` commands on one host through
// SshTransport (one libssh session, a channel per command), with no compiler, scheduler or
// journal around it. bench/ssh.sh times the whole process (connect included) against
// `drplan apply` of N steps on the same host, which separates the transport's cost
// (channel round trip + the remote shell) from the executor's (journal fsyncs, scheduling).
//
//   ssh_transport_bench --host A [--port P] --user U --identity KEY --known-hosts FILE [-n N]
//
// Exits 1 if a command fails; prints the connect time and the mean per command.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "executor/ssh_transport.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

int usage() {
  std::fprintf(stderr,
               "usage: ssh_transport_bench --host A [--port P] --user U --identity KEY --known-hosts FILE [-n N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  drplan::Host host;
  host.name = "bench";
  drplan::SshOptions options;
  int n = 500;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--host") host.address = v;
    else if (k == "--port") host.ssh.port = std::atoi(v.c_str());
    else if (k == "--user") host.ssh.user = v;
    else if (k == "--identity") host.ssh.identity = v;
    else if (k == "--known-hosts") options.known_hosts = v;
    else if (k == "-n") n = std::atoi(v.c_str());
    else return usage();
  }
  if (host.address.empty() || n < 1) return usage();

  drplan::SshTransport transport(options);
  drplan::ExecRequest req;
  req.command = "true";
  req.host = &host;
  auto start = Clock::now();
  drplan::ExecResult first = transport.exec(req);
  if (!first.ok()) {
    std::fprintf(stderr, "ssh_transport_bench: %s\n", first.error.c_str());
    return 1;
  }
  const double connect_ms = ms_since(start);
  start = Clock::now();
  for (int i = 1; i < n; ++i) {
    drplan::ExecResult r = transport.exec(req);
    if (!r.ok()) {
      std::fprintf(stderr, "ssh_transport_bench: command %d: %s\n", i, r.error.c_str());
      return 1;
    }
  }
  const double rest_ms = ms_since(start);
  std::printf("connect + first command %.1f ms; %d more commands %.1f ms (%.2f ms each)\n", connect_ms, n - 1,
              rest_ms, n > 1 ? rest_ms / (n - 1) : 0.0);
  transport.shutdown();
  return 0;
}
