#pragma once
// The part of OpenSSH's client configuration (ssh_config(5)) an inventory may opt into with
// `ssh_config = true`: for a host's alias, its HostName, User, Port, IdentityFile and
// ProxyJump, as OpenSSH would pick them (the first value found for each keyword, from the
// `Host` blocks whose patterns match). Off by default: a plan must not change behaviour with
// someone's ~/.ssh/config.
#include <optional>
#include <string>
#include <string_view>

namespace drplan {

struct SshConfigEntry {
  std::optional<std::string> hostname, user, identity, proxy_jump;
  std::optional<int> port;
  /// Keywords of the matching blocks drplan does not apply (Match blocks, Include, ProxyCommand...).
  std::string ignored;
  bool matched = false;  ///< some Host block matched the alias
};

/// OpenSSH's Host patterns: `*`, `?`, a list, `!` negation.
bool ssh_host_matches(std::string_view patterns, std::string_view name);

/// Looks `alias` up in the text of a config file.
SshConfigEntry lookup_ssh_config(std::string_view text, std::string_view alias);

}  // namespace drplan
