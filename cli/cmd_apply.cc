// Placeholder until the executor lands (the executor engineer replaces this file).
#include <cstdio>

#include "cli/commands.h"

namespace drplan::cli {

int run_apply(const ApplyOptions&) {
  std::fputs("drplan: apply is not available yet\n", stderr);
  return 2;
}
int run_runs(const RunsOptions&) { return 2; }
int run_log(const LogOptions&) { return 2; }

}  // namespace drplan::cli
