#include "compiler/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace drplan {

std::optional<Quantity> parse_quantity(std::string_view text, QuantityError* error) {
  size_t i = 0, digits = 0, dots = 0;
  for (; i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'); ++i)
    text[i] == '.' ? ++dots : ++digits;
  std::string number(text.substr(0, i));
  std::string unit(text.substr(i));
  struct U {
    const char* name;
    Quantity::Kind kind;
    double factor;
  };
  static const U units[] = {
      {"ms", Quantity::Kind::Duration, 1},        {"s", Quantity::Kind::Duration, 1000},
      {"m", Quantity::Kind::Duration, 60000},     {"h", Quantity::Kind::Duration, 3600000},
      {"d", Quantity::Kind::Duration, 86400000},  {"B", Quantity::Kind::Size, 1},
      {"KB", Quantity::Kind::Size, 1e3},          {"MB", Quantity::Kind::Size, 1e6},
      {"GB", Quantity::Kind::Size, 1e9},          {"TB", Quantity::Kind::Size, 1e12},
      {"KiB", Quantity::Kind::Size, 1024.0},      {"MiB", Quantity::Kind::Size, 1048576.0},
      {"GiB", Quantity::Kind::Size, 1073741824.0}, {"TiB", Quantity::Kind::Size, 1099511627776.0},
      {"%", Quantity::Kind::Percent, 1},
  };
  auto quoted = [&] { return "'" + std::string(text) + "'"; };  // only for errors: parsing is on the hot path
  for (const auto& u : units) {
    if (unit != u.name) continue;
    if (digits == 0 || dots > 1) {  // --set values come unlexed: "s" once meant 0s, "1.5.5s" 1.5s
      *error = {"malformed quantity " + quoted(), "write a number and a unit: 30s, 1.5h, 2GiB, 20%"};
      return std::nullopt;
    }
    // Compared as doubles, before any conversion: 1e30 days must not wrap around.
    double v = std::strtod(number.c_str(), nullptr) * u.factor;
    if (u.kind == Quantity::Kind::Duration && !(v <= static_cast<double>(kMaxDurationMs))) {
      *error = {"duration " + quoted() + " is too long", "durations are at most 366d (one year)", true};
      return std::nullopt;
    }
    if (u.kind == Quantity::Kind::Size && !(v <= static_cast<double>(kMaxSizeBytes))) {
      *error = {"size " + quoted() + " is too large", "sizes are at most 1 EiB (1048576TiB)", true};
      return std::nullopt;
    }
    if (u.kind == Quantity::Kind::Percent && !(v <= 100)) {
      *error = {"percentage " + quoted() + " is over 100%", "", true};
      return std::nullopt;
    }
    return Quantity{u.kind, static_cast<long long>(std::llround(v))};
  }
  *error = {"unknown unit '" + unit + "' in " + quoted(),
            "durations use ms, s, m, h, d; sizes B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; percentages %"};
  return std::nullopt;
}

std::string format_duration(long long ms) {
  if (ms == 0) return "0s";
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  long long s = ms / 1000;
  std::string out;
  if (s >= 3600) out += std::to_string(s / 3600) + "h", s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "m", s %= 60;
  if (s > 0 || out.empty()) out += std::to_string(s) + "s";
  return out;
}

std::string format_size(long long bytes) {
  static const char* names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  while (i < 4 && bytes >= 1024 && bytes % 1024 == 0) bytes /= 1024, ++i;
  return std::to_string(bytes) + names[i];
}

}  // namespace drplan
