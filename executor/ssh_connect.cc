#include "executor/ssh_connect.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include "executor/ssh_jump.h"

namespace drplan {
namespace {

// known_hosts files may be shared by several hosts' threads: serialize updates.
std::mutex known_hosts_mu;

// The one next step for each way a TCP connection fails.
std::string connect_hint(const std::string& why, const Host& host, const SshOptions& options) {
  const std::string port = std::to_string(host.ssh.port);
  if (why.find("resolve") != std::string::npos)
    return ". The name does not resolve here: check the host's address in the inventory (or this machine's DNS)";
  if (why.find("refused") != std::string::npos)
    return ". Nothing listens on port " + port + " there: is sshd running, and is the port right?";
  if (why.find("Timeout") != std::string::npos || why.find("timed out") != std::string::npos)
    return ". No answer within " +
           std::to_string(connect_timeout_seconds(host, options)) +
           " s: the host is down, a firewall drops the traffic, or it is only reachable through a bastion (jump)";
  if (why.find("unreachable") != std::string::npos || why.find("No route") != std::string::npos)
    return ". No route to it from here: check the network path (VPN, routes), or reach it through a bastion (jump)";
  return "";
}

std::string known_hosts_path(const SshOptions& options) {
  if (!options.known_hosts.empty()) return expand_home(options.known_hosts);
  return expand_home("~/.ssh/known_hosts");
}

/// "[addr]:port" or "addr", as the entry appears in known_hosts.
std::string known_hosts_name(const Host& host) {
  if (host.ssh.port == 22) return host.address;
  return "[" + host.address + "]:" + std::to_string(host.ssh.port);
}

/// "ssh-ed25519 SHA256:..." for a key; empty on failure.
std::string key_fingerprint(ssh_key key) {
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0) return {};
  char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
  ssh_clean_pubkey_hash(&hash);
  if (text == nullptr) return {};
  const char* type = ssh_key_type_to_char(ssh_key_type(key));
  std::string out = std::string(type ? type : "key") + " " + text;
  ssh_string_free_char(text);
  return out;
}

void enable_tcp_keepalive(ssh_session session, const SshOptions& options) {
  socket_t fd = ssh_get_fd(session);
  if (fd < 0) return;
  int on = 1;
  int idle = static_cast<int>(options.keepalive_interval.count());
  int interval = 5;
  int count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

bool set_options(ssh_session s, const Host& host, const SshOptions& options, const std::string& known_hosts) {
  int port = host.ssh.port;
  long timeout = connect_timeout_seconds(host, options);
  int nodelay = 1;
  int process_config = 0;
  bool ok = ssh_options_set(s, SSH_OPTIONS_HOST, host.address.c_str()) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_PORT, &port) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &timeout) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_NODELAY, &nodelay) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str()) == 0 &&
            ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == 0;
  if (ok && !host.ssh.user.empty()) ok = ssh_options_set(s, SSH_OPTIONS_USER, host.ssh.user.c_str()) == 0;
  return ok;
}

/// Verifies the server's key; may add an unknown one when the operator allowed it.
bool verify_host_key(ssh_session s, const Host& host, const SshOptions& options, const std::string& known_hosts,
                     SshConnectError* error) {
  ssh_key server_key = nullptr;
  if (ssh_get_server_publickey(s, &server_key) != SSH_OK) {
    error->message = "cannot read the host key of " + ssh_host_label(host) + ": " + ssh_get_error(s);
    return false;
  }
  std::string fingerprint = key_fingerprint(server_key);
  ssh_key_free(server_key);

  std::unique_lock<std::mutex> lock(known_hosts_mu);
  enum ssh_known_hosts_e state = ssh_session_is_known_server(s);
  const std::string name = known_hosts_name(host);
  switch (state) {
    case SSH_KNOWN_HOSTS_OK:
      return true;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      error->message = "HOST KEY CHANGED for " + ssh_host_label(host) + ": the server offers " + fingerprint +
                       ", which does not match the key recorded for " + name + " in " + known_hosts +
                       ". This can be a reinstalled host or a man-in-the-middle attack; drplan never accepts "
                       "a changed key. Verify the new fingerprint on the host itself (ssh-keygen -lf "
                       "/etc/ssh/ssh_host_*_key.pub), then remove the old entry (ssh-keygen -R '" +
                       name + "' -f " + known_hosts + ") and add the new one.";
      return false;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (options.accept_new_host_keys) {
        if (ssh_session_update_known_hosts(s) != SSH_OK) {
          error->message =
              "cannot add the host key of " + ssh_host_label(host) + " to " + known_hosts + ": " + ssh_get_error(s);
          return false;
        }
        lock.unlock();  // the journal's callback may be slow
        if (options.on_host_key_accepted) options.on_host_key_accepted(host, fingerprint, known_hosts);
        return true;
      }
      error->message = "unknown host key for " + ssh_host_label(host) + ": the server offers " + fingerprint +
                       ", and " + name + " is not in " + known_hosts +
                       ". Compare this fingerprint with the host's own (ssh-keygen -lf "
                       "/etc/ssh/ssh_host_*_key.pub on it); if it matches, add it (ssh-keyscan -p " +
                       std::to_string(host.ssh.port) + " " + host.address + " >> " + known_hosts +
                       ") or rerun accepting new host keys.";
      return false;
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  error->message =
      "cannot check the host key of " + ssh_host_label(host) + " against " + known_hosts + ": " + ssh_get_error(s);
  return false;
}

bool authenticate(ssh_session s, const Host& host, SshConnectError* error) {
  int rc = SSH_AUTH_DENIED;
  std::string tried;
  if (!host.ssh.identity.empty()) {
    const std::string path = expand_home(host.ssh.identity);
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &key) != SSH_OK) {
      error->message = "cannot load identity file " + path + " for " + ssh_host_label(host) +
                       " (missing, unreadable, or passphrase-protected: load such a key into "
                       "ssh-agent and leave the identity out)";
      return false;
    }
    tried = "identity " + path + " (" + key_fingerprint(key) + ")";
    if (!host.ssh.certificate.empty()) {
      // The certificate rides on the private key: the server checks its CA and principals.
      const std::string cert_path = expand_home(host.ssh.certificate);
      ssh_key cert = nullptr;
      if (ssh_pki_import_cert_file(cert_path.c_str(), &cert) != SSH_OK ||
          ssh_pki_copy_cert_to_privkey(cert, key) != SSH_OK) {
        if (cert) ssh_key_free(cert);
        ssh_key_free(key);
        error->message = "cannot use certificate " + cert_path + " with identity " + path + " for " +
                         ssh_host_label(host) + " (missing, unreadable, or not the certificate of that key)";
        return false;
      }
      ssh_key_free(cert);
      tried = "certificate " + cert_path + " of " + tried;
    }
    rc = ssh_userauth_publickey(s, nullptr, key);
    ssh_key_free(key);
  } else {
    tried = "ssh-agent and the default keys in ~/.ssh";
    if (std::getenv("SSH_AUTH_SOCK") != nullptr) rc = ssh_userauth_agent(s, nullptr);
    if (rc != SSH_AUTH_SUCCESS) rc = ssh_userauth_publickey_auto(s, nullptr, nullptr);
  }
  if (rc == SSH_AUTH_SUCCESS) return true;
  if (rc == SSH_AUTH_ERROR) {
    error->message = "SSH error while authenticating to " + ssh_host_label(host) + ": " + ssh_get_error(s);
    error->transient = true;
    return false;
  }
  error->message = "authentication failed for " + ssh_host_label(host) + ": the server refused " + tried +
                   (host.ssh.certificate.empty()
                        ? std::string(". Is the matching public key in the user's authorized_keys there?")
                        : ". Does the server trust the CA that signed it (TrustedUserCAKeys), is '" + host.ssh.user +
                              "' among its principals, and is it still valid (ssh-keygen -L -f " +
                              expand_home(host.ssh.certificate) + ")?");
  return false;
}

}  // namespace

std::string ssh_host_label(const Host& host) {
  std::string target = host.address + ":" + std::to_string(host.ssh.port);
  if (!host.ssh.user.empty()) target = host.ssh.user + "@" + target;
  if (host.name.empty()) return target;
  return "'" + host.name + "' (" + target + ")";
}

long connect_timeout_seconds(const Host& host, const SshOptions& options) {
  return host.ssh.connect_timeout > 0 ? host.ssh.connect_timeout : static_cast<long>(options.connect_timeout.count());
}

ssh_session ssh_open_session(const Host& host, const SshOptions& options, JumpTunnels& tunnels,
                             SshConnectError* error) {
  *error = {};
  int fd = -1;
  if (!host.ssh.jump.empty() && (fd = tunnels.open(host, options, error)) < 0) return nullptr;
  return ssh_open_session_over(host, options, fd, error);
}

ssh_session ssh_open_session_over(const Host& host, const SshOptions& options, int fd, SshConnectError* error) {
  *error = {};
  const std::string known_hosts = known_hosts_path(options);
  ssh_session s = ssh_new();
  if (s == nullptr) {
    if (fd >= 0) close(fd);
    error->message = "out of memory creating an SSH session";
    return nullptr;
  }
  if (!set_options(s, host, options, known_hosts) || (fd >= 0 && ssh_options_set(s, SSH_OPTIONS_FD, &fd) != 0)) {
    if (fd >= 0) close(fd);
    error->message = "invalid SSH options for " + ssh_host_label(host) + ": " + ssh_get_error(s);
    ssh_free(s);
    return nullptr;
  }
  if (ssh_connect(s) != SSH_OK) {  // from here on the session owns `fd`
    const std::string why = ssh_get_error(s);
    error->message = "cannot connect to " + ssh_host_label(host) + ": " + why + (fd < 0 ? connect_hint(why, host, options) : "");
    error->transient = true;
    ssh_free(s);
    return nullptr;
  }
  if (!verify_host_key(s, host, options, known_hosts, error) || !authenticate(s, host, error)) {
    ssh_disconnect(s);
    ssh_free(s);
    return nullptr;
  }
  if (fd < 0) enable_tcp_keepalive(s, options);
  return s;
}

}  // namespace drplan
