#include "compiler/units.h"

#include <cmath>
#include <cstdlib>

namespace drplan {

std::optional<Quantity> parse_quantity(std::string_view text, std::string* error) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string number(text.substr(0, i));
  std::string unit(text.substr(i));
  double n = std::strtod(number.c_str(), nullptr);
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
  for (const auto& u : units) {
    if (unit == u.name) {
      double v = n * u.factor;
      if (!std::isfinite(v) || v > 9.0e18) {
        *error = "quantity '" + std::string(text) + "' is too large";
        return std::nullopt;
      }
      if (u.kind == Quantity::Kind::Percent && n > 100) {
        *error = "percentage '" + std::string(text) + "' is over 100%";
        return std::nullopt;
      }
      return Quantity{u.kind, static_cast<long long>(std::llround(v))};
    }
  }
  *error = "unknown unit '" + unit + "' in '" + std::string(text) +
           "'; durations use ms, s, m, h, d; sizes B, KB, MB, GB, TB, KiB, MiB, GiB, TiB; percentages %";
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
