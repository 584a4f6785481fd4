#include "executor/mask.h"

#include <algorithm>

namespace drplan {

namespace {

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

// The bytes of `text` that secrets cover, and where a new **** begins (a secret that starts
// right where another ends is a second one).
struct Cover {
  explicit Cover(size_t n) : covered(n, false), starts(n, false) {}
  void mark(size_t pos, size_t len) {
    if (len == 0) return;
    if (!covered[pos]) starts[pos] = true;
    for (size_t k = pos; k < pos + len; ++k) {
      if (k > pos) starts[k] = false;  // overlapping occurrences make one run
      covered[k] = true;
    }
  }
  std::string render(std::string_view text, size_t end) const {
    std::string out;
    for (size_t k = 0; k < end; ++k) {
      if (!covered[k]) {
        out += text[k];
      } else if (starts[k] || k == 0 || !covered[k - 1]) {
        out += "****";
      }
    }
    return out;
  }
  std::vector<bool> covered, starts;
};

Cover cover_of(const std::vector<std::string>& secrets, std::string_view text, unsigned cut) {
  Cover c(text.size());
  for (const auto& s : secrets) {
    for (size_t pos = text.find(s); pos != std::string_view::npos; pos = text.find(s, pos + 1)) c.mark(pos, s.size());
    // A cut boundary may run through a secret: mask its longest proper suffix / prefix there.
    const size_t most = std::min(s.size() - 1, text.size());
    if (cut & Masker::kCutAtStart)
      for (size_t k = most; k > 0; --k)
        if (text[k - 1] == s.back() && text.substr(0, k) == std::string_view(s).substr(s.size() - k)) {
          c.mark(0, k);
          break;
        }
    if (cut & Masker::kCutAtEnd)
      for (size_t k = most; k > 0; --k)
        if (text[text.size() - k] == s.front() && text.substr(text.size() - k) == std::string_view(s).substr(0, k)) {
          c.mark(text.size() - k, k);
          break;
        }
  }
  return c;
}

}  // namespace

void Masker::add(std::string secret) {
  if (secret.empty()) return;
  if (secret.find('\n') != std::string::npos) {
    size_t start = 0;
    for (;;) {
      const size_t nl = secret.find('\n', start);
      std::string line = secret.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!blank(line)) secrets_.push_back(std::move(line));
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  secrets_.push_back(std::move(secret));
  std::sort(secrets_.begin(), secrets_.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
}

std::string Masker::mask(std::string_view text, unsigned cut) const {
  if (secrets_.empty() || text.empty()) return std::string(text);
  return cover_of(secrets_, text, cut).render(text, text.size());
}

std::string StreamMasker::feed(std::string_view piece) {
  held_.append(piece);
  const size_t keep = masker_.longest() > 0 ? masker_.longest() - 1 : 0;
  if (held_.size() <= keep) return "";
  // Occurrences that start before `end` lie wholly in held_; later bytes may begin a secret
  // that the next piece completes. A run of **** is never split: it is shown or held whole.
  Cover c = cover_of(masker_.secrets_, held_, Masker::kWhole);
  size_t end = held_.size() - keep;
  if (end > 0 && end < held_.size() && c.covered[end - 1] && c.covered[end]) {
    size_t run = end;
    while (run > 0 && c.covered[run - 1]) --run;
    if (run > 0) {
      end = run;
    } else {
      while (end < held_.size() && c.covered[end]) ++end;  // the whole buffer is one run
    }
  }
  std::string out = c.render(held_, end);
  held_.erase(0, end);
  return out;
}

std::string StreamMasker::flush() {
  std::string out = masker_.mask(held_);
  held_.clear();
  return out;
}

}  // namespace drplan
