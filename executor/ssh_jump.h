#pragma once
// Reaching a host through bastions (jump hosts). The chain is dialled by OpenSSH's client as
// libssh's ProxyCommand: each hop's host key is checked by it against the same known_hosts
// file and with the same strictness as the target's (which libssh still checks itself), and
// the last bastion's connection is a ControlMaster that every target behind it shares.
// docs/architecture.md says why this and not direct-tcpip channels in process.
#include <string>

#include "compiler/inventory.h"
#include "executor/ssh_transport.h"

namespace drplan {

/// "bastion ops@10.0.0.5:22" or "bastions a:22, b:22" for messages; empty without a jump.
std::string jump_label(const Host& host);

/// The ProxyCommand that connects stdin/stdout to `host`'s SSH port through its bastions,
/// its stderr appended to `errfile`. Empty with `error` set when a value cannot be used
/// (libssh expands '%' in it).
std::string jump_proxy_command(const Host& host, const SshOptions& options, const std::string& known_hosts,
                               const std::string& errfile, std::string* error);

/// What went wrong on the way, from the proxy's stderr: the last line that says something,
/// and whether retrying later may help (refused, unreachable) or the operator must act (host
/// key, authentication).
struct JumpFailure {
  std::string reason;
  bool transient = true;
};
JumpFailure jump_failure(const std::string& proxy_stderr);

}  // namespace drplan
