#include "executor/ssh_jump.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <functional>
#include <sstream>

#include "compiler/shell_quote.h"
#include "executor/ssh_connect.h"

namespace drplan {
namespace {

std::string hop_user(const JumpHop& hop, const Host& host) { return hop.user.empty() ? host.ssh.user : hop.user; }

// The options every hop's ssh gets: no user or system config (a plan's behaviour must not
// change with someone's ~/.ssh/config), never a prompt, the inventory's known_hosts only.
std::string common_options(const Host& host, const SshOptions& options, const std::string& known_hosts) {
  std::string o = "-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=";
  o += options.accept_new_host_keys ? "accept-new" : "yes";
  o += " -o UserKnownHostsFile=" + shell_quote(known_hosts) + " -o GlobalKnownHostsFile=/dev/null";
  o += " -o ConnectTimeout=" + std::to_string(connect_timeout_seconds(host, options));
  o += " -o ServerAliveInterval=" + std::to_string(options.keepalive_interval.count()) + " -o ServerAliveCountMax=3";
  o += " -o LogLevel=ERROR";
  if (!host.ssh.identity.empty()) {
    o += " -o IdentitiesOnly=yes -i " + shell_quote(expand_home(host.ssh.identity));
  }
  if (!host.ssh.certificate.empty()) o += " -o CertificateFile=" + shell_quote(host.ssh.certificate);
  return o;
}

// The shared connections' sockets live in a directory only this user can enter: a socket
// another user planted at a guessable path in /tmp would otherwise carry our sessions.
std::string control_dir(std::string* error) {
  const std::string dir = "/tmp/drplan-ssh-" + std::to_string(getuid());
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + dir + ": " + std::strerror(errno);
    return "";
  }
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
    *error = dir + " is not a private directory of this user (owner, mode 0700, no symlink): remove it";
    return "";
  }
  return dir;
}

std::string target_of(const std::string& address, int port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

std::string jump_label(const Host& host) {
  if (host.ssh.jump.empty()) return "";
  std::string out = host.ssh.jump.size() == 1 ? "bastion " : "bastions ";
  for (size_t i = 0; i < host.ssh.jump.size(); ++i) {
    JumpHop hop = host.ssh.jump[i];
    if (hop.user.empty()) hop.user = host.ssh.user;
    out += (i ? ", " : "") + hop.text();
  }
  return out;
}

std::string jump_proxy_command(const Host& host, const SshOptions& options, const std::string& known_hosts,
                               const std::string& errfile, std::string* error) {
  const std::string common = common_options(host, options, known_hosts);
  const auto& hops = host.ssh.jump;
  // Innermost first: hop 1 is dialled directly; hop k through the command of hop k-1.
  const std::string dir = control_dir(error);
  if (dir.empty()) return "";
  std::string proxy;
  for (size_t k = 0; k < hops.size(); ++k) {
    const JumpHop& hop = hops[k];
    const bool last = k + 1 == hops.size();
    const std::string next = last ? target_of(host.address, host.ssh.port)
                                  : target_of(hops[k + 1].address, hops[k + 1].port);
    std::string cmd = "ssh " + common;
    if (!proxy.empty()) cmd += " -o ProxyCommand=" + shell_quote(proxy);
    if (last) {
      // One connection to the last bastion for every target behind it (and every reconnect).
      std::hash<std::string> h;
      std::ostringstream path;
      path << dir << "/" << std::hex << (h(common + proxy + hop.text() + hop_user(hop, host)) & 0xffffffffu);
      cmd += " -o ControlMaster=auto -o ControlPath=" + path.str() + " -o ControlPersist=10";
    }
    const std::string user = hop_user(hop, host);
    cmd += " -p " + std::to_string(hop.port) + " -W " + shell_quote(next) + " " +
           shell_quote((user.empty() ? "" : user + "@") + hop.address);
    proxy = std::move(cmd);
  }
  std::string out = "exec " + proxy + " 2>>" + shell_quote(errfile);
  if (out.find('%') != std::string::npos) {
    *error = "a path or name on the way to " + host.name + " holds '%', which libssh's ProxyCommand cannot take";
    return "";
  }
  return out;
}

JumpFailure jump_failure(const std::string& proxy_stderr) {
  JumpFailure f;
  std::istringstream in(proxy_stderr);
  std::string first_fatal, last;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.empty()) continue;
    last = l;
    const bool fatal = l.find("host key") != std::string::npos || l.find("Host key") != std::string::npos ||
                       l.find("HOST IDENTIFICATION") != std::string::npos ||
                       l.find("Permission denied") != std::string::npos;
    if (fatal && first_fatal.empty()) first_fatal = l;
  }
  if (!first_fatal.empty()) {
    f.transient = false;  // a host key or a login refused: the operator must act
    f.reason = first_fatal == last ? last : first_fatal + " " + last;
  } else {
    f.reason = last.empty() ? "the bastion's ssh gave no reason" : last;
  }
  return f;
}

}  // namespace drplan
