#pragma once
// What the inventory reader refuses before toml++ sees it. toml++ 3.3 (Debian 12) tells
// whitespace from the rest through a generated table that reaches __builtin_unreachable()
// for most code points of U+00A1..U+0499, U+2C8E..U+3087 and U+FB06..U+FEFE
// (marzer/tomlplusplus#295 and #190, fixed upstream by #305): undefined behaviour, in a
// release build too. It asks that of a character outside strings and comments, and of the
// first character after a backslash in a multi-line basic string (after a line-ending
// backslash: after the blanks and line breaks it skips). Found by fuzz/inventory_fuzzer.cc.
//
// Outside strings and comments non-ASCII is never valid TOML; after a backslash it is rare
// (and can be written \uXXXX). Both are refused, at their byte; any other text is welcome.
#include <cstddef>
#include <string>
#include <string_view>

namespace drplan {

struct TomlHazard {
  size_t offset = std::string_view::npos;  ///< npos: none
  std::string message;
};

/// The first non-ASCII byte of `toml` where toml++ 3.3 would have undefined behaviour.
TomlHazard find_toml_hazard(std::string_view toml);

}  // namespace drplan
