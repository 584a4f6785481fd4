#pragma once
// Process-wide malloc settings for drplan's allocation pattern (see heap_tuning.cc).
#include <cstddef>

namespace drplan::cli {

/// Call first thing in main(), before any thread exists.
void tune_heap();

/// Expecting to allocate about `bytes` soon: commits that much of the heap from a background
/// thread, so that the kernel's page clearing runs on another core while this one compiles.
/// Does nothing on one CPU, for small sizes, or where tune_heap could not grow the heap.
void prefault_heap(size_t bytes);

}  // namespace drplan::cli
