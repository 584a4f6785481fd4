#pragma once
// Quantity literals: 30s, 5m, 1h, 500ms (durations); 2GiB, 512MB (sizes); 20% (percent).
// Durations and sizes have maxima, so that no value overflows where it is used: a
// timeout added to a clock, a retry delay doubled, a size rendered into a command.
#include <optional>
#include <string>
#include <string_view>

namespace drplan {

struct Quantity {
  enum class Kind { Duration, Size, Percent } kind;
  long long value;  ///< ms, bytes, or percent
};

/// The longest duration: 366 days (a year's retention fits; in nanoseconds, as clocks
/// count, it is 0.3% of what 64 bits hold, so deadlines and doubled delays stay exact).
constexpr long long kMaxDurationMs = 366LL * 24 * 3600 * 1000;
/// The largest size: 1 EiB (2^60 bytes; 64-bit byte counts hold 8 EiB).
constexpr long long kMaxSizeBytes = 1LL << 60;

struct QuantityError {
  std::string message;
  std::string help;  ///< may be empty
  bool out_of_range = false;  ///< a well-formed quantity beyond its maximum
};

/// Parses a quantity; on failure returns nullopt and fills `error`.
std::optional<Quantity> parse_quantity(std::string_view text, QuantityError* error);
/// "90s" -> "1m30s"; for display.
std::string format_duration(long long ms);
std::string format_size(long long bytes);

}  // namespace drplan
