#pragma once
// Replaces every secret value with **** in text that is kept or shown: journal records,
// output tails, the screen. Values shorter than 4 bytes are masked too (a short password
// is still a password), except the empty string.
#include <string>
#include <vector>

namespace drplan {

class Masker {
 public:
  void add(std::string secret);
  std::string mask(std::string text) const;
  bool empty() const { return secrets_.empty(); }

 private:
  std::vector<std::string> secrets_;  // longest first, so a secret containing another is masked whole
};

}  // namespace drplan
