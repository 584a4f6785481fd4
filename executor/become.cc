#include "executor/become.h"

#include "compiler/shell_quote.h"

namespace drplan {

std::string sudo_command(std::string_view user, std::string_view script) {
  // -n: fail instead of prompting (nobody can type into an SSH exec channel); `--` ends
  // sudo's options, so a script is never read as one.
  // -H: HOME is the user's, where its process records live, whatever sudoers keeps.
  return "sudo -n -H -u " + shell_quote(user) + " -- /bin/sh -c " + shell_quote(script);
}

std::string become_refusal(std::string_view host, std::string_view login_user, std::string_view run_as,
                           std::string_view stderr_text) {
  std::string_view first = stderr_text.substr(0, stderr_text.find('\n'));
  if (first.size() > 300) first = first.substr(0, 300);
  std::string said = first.empty() ? "no reason given" : std::string(first);
  std::string out = "sudo on " + std::string(host) + " did not run the command as '" + std::string(run_as) +
                    "' (" + said + "); the command did not start. ";
  const std::string login = login_user.empty() ? "the SSH user" : "'" + std::string(login_user) + "'";
  if (said.find("password is required") != std::string::npos || said.find("not allowed") != std::string::npos ||
      said.find("may not run") != std::string::npos)
    out += "drplan runs sudo -n, which never asks for a password: let " + login + " run /bin/sh as '" +
           std::string(run_as) + "' without one (a NOPASSWD rule in sudoers), or change become_user";
  else if (said.find("unknown user") != std::string::npos)
    out += "no user '" + std::string(run_as) + "' on " + std::string(host) + ": check become_user";
  else if (said.find("not found") != std::string::npos)
    out += "install sudo on " + std::string(host) + ", or log in as the user the commands need (no become)";
  else
    out += "check the sudo rules for " + login + " on " + std::string(host);
  return out;
}

}  // namespace drplan
