#pragma once
// Quantity literals: 30s, 5m, 1h, 500ms (durations); 2GiB, 512MB (sizes); 20% (percent).
#include <optional>
#include <string>
#include <string_view>

namespace drplan {

struct Quantity {
  enum class Kind { Duration, Size, Percent } kind;
  long long value;  ///< ms, bytes, or percent
};

/// Parses a quantity; on failure returns nullopt and fills `error` with a hint.
std::optional<Quantity> parse_quantity(std::string_view text, std::string* error);
/// "90s" -> "1m30s"; for display.
std::string format_duration(long long ms);
std::string format_size(long long bytes);

}  // namespace drplan
