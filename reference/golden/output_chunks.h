// Splitting the golden model's outputs over the CPUs this process may use. Every output
// of a golden GEMM or exact model is its own sequence of operations, independent of the
// others, so computing disjoint ranges of them on different threads changes no bit; it
// only lets the check of a large case (M=512, N=K=4096: 8.6 G scalar multiply-adds, ~10 s
// on one core) use every core. Small problems stay on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

namespace amxlab::golden {

// Runs body(begin, end) over [0, count) in contiguous ranges, one per thread, on up to as
// many threads as the calling thread's CPU affinity allows, and only as many as keep
// ~16 M multiply-adds (`macs_per_item` each) per thread. Returns once every range is done;
// an exception from any range is rethrown here (the first range's first).
void for_output_chunks(int64_t count, int64_t macs_per_item,
                       const std::function<void(int64_t, int64_t)>& body);

// How many ranges (threads) for_output_chunks uses for this much work, here and now.
int64_t output_chunk_threads(int64_t count, int64_t macs_per_item);

// fn(i, j, ij) for every output y[i][j] of an m x n result (ij = i * n + j, row-major),
// over the CPUs as for_output_chunks splits them.
template <class Fn>
void for_each_output(int64_t m, int64_t n, int64_t macs_per_item, const Fn& fn) {
  const auto un = static_cast<size_t>(n);
  for_output_chunks(m * n, macs_per_item, [&](int64_t first, int64_t last) {
    for (auto ij = static_cast<size_t>(first); ij < static_cast<size_t>(last); ++ij) fn(ij / un, ij % un, ij);
  });
}

}  // namespace amxlab::golden
