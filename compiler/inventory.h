#pragma once
// The inventory: sites, hosts, groups, variables and secret references, read from TOML.
// Secrets are references only (an environment variable or a file); their values are read
// by the executor when a step needs them, never by the compiler.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/diagnostics.h"

namespace drplan {

/// A value from the inventory's `vars` tables: strings, integers, booleans, lists thereof.
struct VarValue {
  enum class Kind { String, Int, Bool, Float, List } kind = Kind::String;
  std::string text;  ///< the value as a string (lists: space-separated)
  long long integer = 0;
  bool boolean = false;
  std::vector<std::string> items;
  Loc loc;
};

/// One hop on the way to a host: a bastion (jump host) reached over SSH.
struct JumpHop {
  std::string user;  ///< empty: the host's own SSH user
  std::string address;
  int port = 22;
  std::string text() const;  ///< "user@address:port" (as written back for messages)
};

/// Parses "[user@]address[:port]" ("[v6]:port" for IPv6); nullopt when it is not one.
std::optional<JumpHop> parse_jump_hop(std::string_view text);

struct SshConfig {
  std::string user;
  int port = 22;
  std::string identity;  ///< private key file; empty = ssh-agent / default keys
  /// Privilege escalation: "" (commands run as `user`) or "sudo" (always `sudo -n`).
  std::string become;
  /// Whom commands run as under become, unless a step names its own `become_user`.
  std::string become_user = "root";
  /// Bastions, in order: the first is dialled directly, each next one (and the host)
  /// through the previous. Empty: a direct connection.
  std::vector<JumpHop> jump;
  /// Seconds to wait for the TCP connection and the SSH handshake; 0: the transport's default.
  int connect_timeout = 0;
  /// An OpenSSH user certificate for `identity` (signed by a CA the servers trust).
  std::string certificate;
  /// `ssh_config = true` (~/.ssh/config) or a path: the client config whose Host entry for
  /// the host's address (an alias) gives HostName, User, Port, IdentityFile, ProxyJump.
  std::string ssh_config;
};

/// "~/x" with $HOME in front (unchanged without HOME, or without the "~/").
std::string expand_home(const std::string& path);

/// A user name drplan passes to sudo: letters, digits, `.`, `_`, `-` (not first), `$` last.
bool valid_user_name(std::string_view name);

struct Host {
  std::string name;
  std::string site;
  std::string address;
  std::vector<std::string> roles;
  std::string transport = "ssh";  ///< "ssh" or "local" (run on this machine)
  SshConfig ssh;
  std::map<std::string, VarValue> vars;
  Loc loc;
  /// What the ssh_config entry set ("alias x: HostName ..., User ..."), for `drplan plan`.
  std::string ssh_config_applied;
};

struct Site {
  std::string name;
  std::string title;
  std::optional<std::vector<JumpHop>> jump;  ///< [sites.X.ssh] jump: for the site's hosts
  std::map<std::string, VarValue> vars;
  Loc loc;
};

struct SecretRef {
  std::string name;
  std::string env;   ///< read from this environment variable, or
  std::string file;  ///< from this file (trailing newline removed)
  Loc loc;
};

/// `[state]`: where runs keep their lock and journal. "local" (files; the default) or
/// "etcd" (a cluster shared by every controller; docs/state.md).
struct StateConfig {
  std::string backend = "local";
  std::vector<std::string> endpoints;  ///< "http://host:2379" (a bare host:port gets http://)
  std::string prefix = "/drplan";
  int lease_ttl = 10;                  ///< seconds
  std::string ca_file, cert_file, key_file;
  std::string user;
  std::string password_secret;  ///< the name of a [secrets] entry
  Loc loc;
};

struct Inventory {
  std::string path;
  std::string name;
  std::string known_hosts;  ///< empty: ~/.ssh/known_hosts
  std::vector<Host> hosts;
  /// Host name -> index in hosts, filled once the hosts are read (groups of 2,000 hosts
  /// name each one; fan-out looks each up). Empty: lookups scan hosts.
  std::unordered_map<std::string, int> host_by_name;
  std::vector<Site> sites;
  std::map<std::string, std::vector<std::string>> groups;
  std::map<std::string, VarValue> vars;
  std::map<std::string, SecretRef> secrets;
  StateConfig state;
  std::string digest;  ///< sha256 of the file's bytes

  const Host* host(std::string_view name) const;
  int host_index(std::string_view name) const;
  const Site* site(std::string_view name) const;
  std::vector<std::string> host_names() const;
};

/// Reads and validates an inventory; errors are located in `sm`. Returns nullopt on errors.
std::optional<Inventory> load_inventory(SourceManager& sm, const std::string& path,
                                        DiagnosticEngine& diags);
/// Same, from text already registered in `sm` as `file`.
std::optional<Inventory> parse_inventory(SourceManager& sm, int file, DiagnosticEngine& diags);

}  // namespace drplan
