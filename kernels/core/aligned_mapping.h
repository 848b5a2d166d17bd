// Anonymous private mappings that start on an aligned address: the kernels' large scratch
// (kernel_args.cpp, 2 MiB for transparent huge pages) and the NUMA placement's weights
// (harness/numa/placement.cpp, its page or huge-page alignment).
#pragma once

#include <cstddef>

namespace amxlab {

// `bytes` (> 0) mapped read/write, starting on a multiple of `align`: over-mapped by
// `align` when it exceeds the system page, and the ends past the aligned range unmapped
// again. `extra_flags` are OR-ed into MAP_PRIVATE | MAP_ANONYMOUS (e.g. MAP_NORESERVE).
// Throws Error("<who>: mmap of <bytes> bytes failed: <reason>"). Released with
// munmap(p, bytes).
std::byte* map_aligned(size_t bytes, size_t align, int extra_flags, const char* who);

}  // namespace amxlab
