// Compiling a large plan allocates ~100 MB in small pieces. On virtual machines every first
// touch of a 4 KiB page is a costly trap (measured here: ~8 us each, a quarter of
// `drplan check`'s time on a 10,000-step plan), so the heap is grown in large steps and
// backed by transparent huge pages where the kernel allows it (THP "madvise" mode), and
// all threads share one arena (the parser runs on its own big-stack thread). Only the
// virtual size grows; pages are still committed on first use.
#include "cli/heap_tuning.h"

#include <cstddef>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <thread>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels refuse it with EINVAL, harmlessly
#endif

namespace drplan::cli {

#if defined(__GLIBC__)
namespace {
uintptr_t heap_begin = 0, heap_end = 0;  // the advised, not yet committed, part of the heap
}
#endif

void tune_heap() {
#if defined(__GLIBC__)
  constexpr size_t kPad = size_t{1} << 30;
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum: big vectors stay on the heap too
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, static_cast<int>(kPad));
  // Make the heap grow now, by the pad, and advise the whole of it.
  void* probe = std::malloc(1 << 20);
  auto begin = (reinterpret_cast<uintptr_t>(probe) + kHuge - 1) & ~(kHuge - 1);
  auto end = reinterpret_cast<uintptr_t>(sbrk(0)) & ~(kHuge - 1);
  if (end > begin) {
    madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
    heap_begin = begin;
    heap_end = end;
  }
  std::free(probe);
#endif
}

void prefault_heap(size_t bytes) {
#if defined(__GLIBC__)
  // On a VM a first touch costs far more than the allocation (the host backs the page too):
  // a 100,000-step check spent a fifth of its time in the kernel clearing pages.
  if (heap_end <= heap_begin || bytes < (size_t{32} << 20) || std::thread::hardware_concurrency() < 2) return;
  size_t len = std::min<size_t>(bytes, heap_end - heap_begin) & ~((size_t{2} << 20) - 1);
  auto* start = reinterpret_cast<void*>(heap_begin);
  heap_end = heap_begin;  // once
  // Detached: if the compile finishes first, exit ends the thread; touching more than was
  // used costs memory, not correctness.
  std::thread([start, len] { madvise(start, len, MADV_POPULATE_WRITE); }).detach();
#else
  (void)bytes;
#endif
}

}  // namespace drplan::cli
