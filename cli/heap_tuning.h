#pragma once
// Process-wide malloc settings for drplan's allocation pattern (see heap_tuning.cc).

namespace drplan::cli {

/// Call first thing in main(), before any thread exists.
void tune_heap();

}  // namespace drplan::cli
