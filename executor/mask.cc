#include "executor/mask.h"

#include <algorithm>

namespace drplan {

void Masker::add(std::string secret) {
  // A multi-line secret (a key file) is also masked line by line: tails cut lines apart.
  if (secret.empty()) return;
  size_t start = 0;
  while (secret.find('\n', start) != std::string::npos) {
    size_t nl = secret.find('\n', start);
    std::string line = secret.substr(start, nl - start);
    if (line.size() >= 8) secrets_.push_back(line);
    start = nl + 1;
  }
  if (start > 0 && secret.size() - start >= 8) secrets_.push_back(secret.substr(start));  // the last line
  secrets_.push_back(std::move(secret));
  std::sort(secrets_.begin(), secrets_.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

std::string Masker::mask(std::string text) const {
  for (const auto& s : secrets_) {
    size_t pos = 0;
    while ((pos = text.find(s, pos)) != std::string::npos) {
      text.replace(pos, s.size(), "****");
      pos += 4;
    }
  }
  return text;
}

}  // namespace drplan
