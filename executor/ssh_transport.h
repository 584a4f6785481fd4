#pragma once
// The SSH transport: runs steps on remote hosts through libssh.
//
// One SSH session per host, opened on first use and reused; every command gets a new
// channel on it. libssh sessions are not thread-safe, so each host has one connection
// thread that owns its session and runs an event loop over all of that host's channels;
// exec() (called from scheduler workers) posts a request to that thread and waits for
// the result, relaying output lines on the caller's own thread. A per-host semaphore
// bounds the concurrent channels (OpenSSH allows 10 sessions per connection by default;
// killing a timed-out command needs one more).
//
// Remote side: the login shell (assumed POSIX) prints its pid -- under sshd it leads its
// own session and process group -- then becomes `/bin/sh -c CMD`, so a timeout or
// cancellation can kill the whole remote group (TERM, then KILL after a grace period)
// through a second channel. Secrets (ExecRequest::env) travel on the channel's stdin as
// shell-quoted `export` lines that the wrapper evaluates, never on a command line; stdin
// is then closed so commands see EOF.
//
// Host keys are verified against the inventory's known_hosts file only. An unknown key
// is refused (with its SHA256 fingerprint and what to do) unless the operator allowed
// accepting new keys; a changed key is always refused.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "executor/transport.h"

namespace drplan {

struct SshOptions {
  /// known_hosts file used for verification (and updated on accept); empty = ~/.ssh/known_hosts.
  std::string known_hosts;
  /// Operator's explicit consent to add unknown host keys. Changed keys are never accepted.
  bool accept_new_host_keys = false;
  /// Called (from a connection thread) after an unknown key was added, for the journal.
  std::function<void(const Host& host, const std::string& fingerprint, const std::string& known_hosts)>
      on_host_key_accepted;
  int max_channels_per_host = 8;
  std::chrono::seconds connect_timeout{10};
  /// Idle interval between keepalive messages on an open session.
  std::chrono::seconds keepalive_interval{15};
  /// After a timeout or cancellation: TERM to the remote process group, KILL after this.
  std::chrono::milliseconds kill_grace{2000};
};

class HostConnection;
class JumpTunnels;

/// Transport over SSH. Thread-safe; see the file comment for the design.
class SshTransport : public Transport {
 public:
  explicit SshTransport(SshOptions options = {});
  ~SshTransport() override;
  SshTransport(const SshTransport&) = delete;
  SshTransport& operator=(const SshTransport&) = delete;

  /// Runs `req.command` on `req.host` (which must be set). Transport failures come back in
  /// the result: `connection_lost` for a refused or dropped connection (the next exec
  /// reconnects), `error` alone for authentication and host-key refusals.
  ExecResult exec(const ExecRequest& req) override;
  /// Closes every session; later exec() calls reconnect.
  void shutdown() override;

 private:
  HostConnection& connection_for(const Host& host);

  SshOptions options_;
  std::unique_ptr<JumpTunnels> tunnels_;  // outlives hosts_: their sessions run through it
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<HostConnection>> hosts_;
};

/// The remote command line that runs `command` under the wrapper that reports its process
/// group and, when `reads_env`, first reads ssh_env_script() from stdin. With `run_as`, the
/// command runs through `sudo -n -u run_as` (become), which prints kBecomeMarker first.
std::string ssh_remote_command(std::string_view command, bool reads_env, std::string_view run_as = {});

/// The stdin script carrying `env` to the wrapper (shell-quoted export lines).
std::string ssh_env_script(const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace drplan
