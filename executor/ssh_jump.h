#pragma once
// Reaching a host through bastions (jump hosts), in process. Each bastion of a chain gets one
// libssh session, shared by every target behind it; every target connection is a
// direct-tcpip channel on it, and a pump thread per bastion session copies bytes between
// those channels and socketpairs whose other ends are the target sessions' sockets
// (SSH_OPTIONS_FD). Every hop's host key is checked like the target's, against the same
// known_hosts. docs/architecture.md says why this and not OpenSSH's `ssh -W`.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "compiler/inventory.h"
#include "executor/ssh_transport.h"

namespace drplan {

struct SshConnectError;

/// "bastion ops@10.0.0.5:22" or "bastions a:22, b:22" for messages; empty without a jump.
std::string jump_label(const Host& host);

/// The bastion sessions of one SSH transport, by chain.
class JumpTunnels {
 public:
  JumpTunnels();
  ~JumpTunnels();
  JumpTunnels(const JumpTunnels&) = delete;
  JumpTunnels& operator=(const JumpTunnels&) = delete;

  /// A connected stream socket to `host`'s SSH port through its bastions, owned by the
  /// caller; -1 with `error` ("cannot reach X through bastion Y: ...") when a hop fails.
  /// Connects (or reconnects) the bastions on the way as needed.
  int open(const Host& host, const SshOptions& options, SshConnectError* error);

  class Tunnel;

 private:
  int forward(const Host& host, size_t depth, const std::string& address, int port, const SshOptions& options,
              SshConnectError* error);

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Tunnel>> tunnels_;
};

}  // namespace drplan
