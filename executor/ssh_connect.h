#pragma once
// Opening one authenticated libssh session: options, TCP connect, host-key verification
// against the inventory's known_hosts file, then public-key authentication. Used by the SSH
// transport's per-host connection threads and by the bastion tunnels (ssh_jump.h).
#include <string>

#include <libssh/libssh.h>

#include "executor/ssh_transport.h"

namespace drplan {

/// Why a session could not be opened.
struct SshConnectError {
  std::string message;
  /// True when retrying later may help (refused, unreachable, dropped); false for
  /// authentication and host-key refusals, which need the operator.
  bool transient = false;
};

/// "name (user@address:port)" for messages.
std::string ssh_host_label(const Host& host);

/// The host's connect_timeout from the inventory, else the transport's.
long connect_timeout_seconds(const Host& host, const SshOptions& options);

class JumpTunnels;

/// Connects (through `tunnels` when the host has bastions), verifies the host key and
/// authenticates. Returns a connected session in blocking mode, or nullptr with `error` filled.
ssh_session ssh_open_session(const Host& host, const SshOptions& options, JumpTunnels& tunnels,
                             SshConnectError* error);

/// The same over `fd`, a stream already connected to the host's SSH port (a bastion's
/// channel), which the session takes over (closed on failure too); -1 dials TCP.
ssh_session ssh_open_session_over(const Host& host, const SshOptions& options, int fd, SshConnectError* error);

}  // namespace drplan
