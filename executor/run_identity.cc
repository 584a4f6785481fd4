#include "executor/run_identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace drplan {

std::string current_user() {
  if (const char* sudo = std::getenv("SUDO_USER")) return std::string(sudo) + " (via sudo)";
  if (passwd* pw = getpwuid(getuid())) return pw->pw_name;
  return "uid " + std::to_string(getuid());
}

std::string current_host() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string current_operator() { return current_user() + "@" + current_host(); }

}  // namespace drplan
