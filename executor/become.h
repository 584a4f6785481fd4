#pragma once
// Privilege escalation on a remote host: how a command is wrapped in `sudo -n`, and what
// the operator reads when sudo refuses (never a password prompt, never a hang).
#include <string>
#include <string_view>

namespace drplan {

/// The line the shell started by sudo prints first: its absence means sudo refused.
inline constexpr std::string_view kBecomeMarker = "drplan-become";

/// `sudo -n -H -u USER -- /bin/sh -c SCRIPT`, quoted for the login shell. sudo resets the
/// environment, so anything the script needs (secrets on stdin) is read inside it.
std::string sudo_command(std::string_view user, std::string_view script);

/// The error for a command sudo did not start: names the host, the users and sudo's own
/// words (its first stderr line), and says what to change.
std::string become_refusal(std::string_view host, std::string_view login_user, std::string_view run_as,
                           std::string_view stderr_text);

}  // namespace drplan
