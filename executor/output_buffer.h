#pragma once
// Helpers every transport needs for a command's output: a bounded tail (what operators need
// after the fact; see kOutputCap) and a splitter that turns arbitrary chunks into lines for
// ExecRequest::on_line.
#include <string>
#include <string_view>

#include "executor/transport.h"

namespace drplan {

/// Keeps the last `cap` bytes appended; older bytes are dropped.
class TailBuffer {
 public:
  explicit TailBuffer(size_t cap = kOutputCap) : cap_(cap) {}
  void append(std::string_view data) {
    buf_.append(data);
    if (buf_.size() > 2 * cap_) buf_.erase(0, buf_.size() - cap_);  // amortized trimming
  }
  /// The tail (at most `cap` bytes); leaves the buffer empty.
  std::string take() {
    if (buf_.size() > cap_) buf_.erase(0, buf_.size() - cap_);
    return std::move(buf_);
  }

 private:
  size_t cap_;
  std::string buf_;
};

/// Splits a byte stream into lines ('\n', a trailing '\r' removed). Overlong lines are
/// emitted in pieces of `max_line` bytes so memory stays bounded; emit(text, cut) says
/// whether the piece was cut (the line goes on in the next one).
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = 64 * 1024) : max_line_(max_line) {}

  template <typename Emit>
  void feed(std::string_view data, Emit&& emit) {
    for (;;) {
      const size_t nl = data.find('\n');
      if (nl == std::string_view::npos) break;
      partial_.append(data.substr(0, nl));
      emit_partial(emit);
      data.remove_prefix(nl + 1);
    }
    partial_.append(data);
    while (partial_.size() >= max_line_) {
      emit(std::string_view(partial_).substr(0, max_line_), true);
      partial_.erase(0, max_line_);
    }
  }

  /// Emits an unterminated last line, if any.
  template <typename Emit>
  void flush(Emit&& emit) {
    if (!partial_.empty()) emit_partial(emit);
  }

 private:
  template <typename Emit>
  void emit_partial(Emit& emit) {
    if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
    emit(std::string_view(partial_), false);
    partial_.clear();
  }

  size_t max_line_;
  std::string partial_;
};

}  // namespace drplan
