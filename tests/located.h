#pragma once
// Diagnostics as compact text for test expectations: "line:col: message [code]" a line,
// "0:0" for one without a location (a --set mistake).
#include <string>

#include "compiler/diagnostics.h"

namespace drplan::test_support {

inline std::string located(const SourceManager& sm, const DiagnosticEngine& diags) {
  std::string out;
  for (const auto& d : diags.all()) {
    LineCol lc = d.loc.valid() ? sm.line_col(d.loc) : LineCol{};
    out += std::to_string(lc.line) + ":" + std::to_string(lc.col) + ": " + d.message + " [" + code_name(d) + "]\n";
  }
  return out;
}

}  // namespace drplan::test_support
