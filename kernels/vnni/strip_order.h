// Which strips of a slice each register tile takes. A tile reads its NS strips as NS
// concurrent streams (each strip's K is contiguous, strips one after another).
//
// GEMM tiles take adjacent strips (s, s + 1, ...): their K ranges stay in L1 while every
// row tile runs over them, and chunk_prefetch.h fetches the next adjacent chunk.
//
// GEMV tiles are staggered: with T tiles in the slice, tile j takes strips j, j + T,
// j + 2T, ..., so stream q walks strips qT, qT + 1, ... one after another and the
// hardware prefetchers run on from one tile into the next. With adjacent strips every
// tile started NS new streams, each ramping up from DRAM latency, and short strips paid
// it on every tile: a read loop of four 18 KB strips per tile (an MoE expert's Q4_0 rows
// at K = 2048) streamed 26 GB/s adjacent and 31-33 GB/s staggered on a Zen 4 VM, and the
// MoE decode step went from 1.26x to 0.93x of the read roofline (kernels/README.md
// "Strip order"). Each output lane is computed exactly as before; only the order of the
// tiles changes.
#pragma once

#include <cstdint>

namespace amxlab::vnni::raw {
namespace {

struct TileStrips {
  int64_t first;  // the tile's strip q is first + q * step, q < count
  int64_t step;
  int count;

  [[nodiscard]] int64_t strip(int q) const { return first + q * step; }
};

// The strips of tile j (0 <= j < tile_count()) of the slice's strips [s_lo, s_hi).
template <int NS>
struct StripOrder {
  int64_t s_lo, n;
  bool staggered;

  StripOrder(int64_t lo, int64_t hi, bool stagger) : s_lo(lo), n(hi - lo), staggered(stagger) {}

  [[nodiscard]] int64_t tile_count() const { return (n + NS - 1) / NS; }

  [[nodiscard]] TileStrips tile(int64_t j) const {
    if (!staggered) {
      const int64_t left = n - j * NS;
      return {s_lo + j * NS, 1, static_cast<int>(left < NS ? left : NS)};
    }
    // Strips j + q * T for q < ceil((n - j) / T): a prefix of the NS streams (the last
    // streams are the shorter ones when NS does not divide n).
    const int64_t t = tile_count();
    const int64_t count = (n - j + t - 1) / t;
    return {s_lo + j, t, static_cast<int>(count < NS ? count : NS)};
  }
};

}  // namespace
}  // namespace amxlab::vnni::raw
