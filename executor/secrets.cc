#include "executor/secrets.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace drplan {

std::optional<std::string> read_secret(const SecretRef& ref, std::string* error) {
  if (!ref.env.empty()) {
    const char* v = std::getenv(ref.env.c_str());
    if (!v) {
      *error = "secret '" + ref.name + "': environment variable " + ref.env + " is not set";
      return std::nullopt;
    }
    return std::string(v);
  }
  std::ifstream in(ref.file, std::ios::binary);
  if (!in) {
    *error = "secret '" + ref.name + "': cannot read " + ref.file;
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string v = ss.str();
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  if (v.find('\0') != std::string::npos) {  // it travels in an environment variable, which ends at a NUL
    *error = "secret '" + ref.name + "': " + ref.file + " holds a NUL byte; a secret must be text";
    return std::nullopt;
  }
  return v;
}

}  // namespace drplan
