#pragma once
// Replaces every secret value with **** in text that is kept or shown -- the sinks: journal
// records, output tails, the screen, the log, the summary -- and never in the data itself: a
// step's output passed to another step (${x.output}) is its real output.
//
// The rule, one for every secret, whatever its length:
// - the whole value is masked wherever it occurs (a short password is still a password, so
//   a secret `5` masks every 5 shown; that is the price, paid only in what is shown);
// - a multi-line value (a key file) is also masked line by line, each line of any length
//   (a trailing CR removed), except lines of blanks only: tails and line-wise display cut
//   such values apart;
// - occurrences that overlap become one ****; adjacent ones stay separate;
// - where the text was cut from a longer stream (an output tail, a line cut for length), a
//   secret's suffix at the start of the text, or its prefix at the end, is masked too.
// StreamMasker applies the rule across the pieces of a stream.
#include <string>
#include <string_view>
#include <vector>

namespace drplan {

class Masker {
 public:
  /// Where `text` was cut from a longer stream: its start, its end, or both.
  enum Cut : unsigned { kWhole = 0, kCutAtStart = 1, kCutAtEnd = 2 };

  void add(std::string secret);
  std::string mask(std::string_view text, unsigned cut = kWhole) const;
  bool empty() const { return secrets_.empty(); }
  /// The longest value masked (0 without secrets).
  size_t longest() const { return secrets_.empty() ? 0 : secrets_.front().size(); }

 private:
  friend class StreamMasker;
  std::vector<std::string> secrets_;  // longest first
};

/// Masks a stream given in pieces (the parts of a line cut for length, chunks of output):
/// a secret split between two pieces is masked whole. feed() returns what can be shown now
/// and holds back at most longest() - 1 bytes that may begin a secret; flush() returns the rest.
class StreamMasker {
 public:
  explicit StreamMasker(const Masker& masker) : masker_(masker) {}
  std::string feed(std::string_view piece);
  std::string flush();

 private:
  const Masker& masker_;
  std::string held_;
};

}  // namespace drplan
