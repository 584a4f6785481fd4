// The front end on arbitrary bytes. The fast parser must survive any input, even what
// parse_file screens out before it reaches it (invalid UTF-8, control characters); the fast
// and the ANTLR path must agree (tests/parser_diff.h: the same accept or reject, and the same
// AST with every location); whatever ANTLR reports must render, as text and as JSON.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "compiler/fast_parser.h"
#include "tests/parser_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)drplan::fast_parse(text, 0);
  const drplan::test_support::ParseOutcome o = drplan::test_support::compare_parsers(text);
  if (!o.problem.empty()) {
    std::fprintf(stderr, "parser_fuzzer: the two parsers disagree: %s\n", o.problem.c_str());
    std::abort();
  }
  return 0;
}
