// Loads cache lines whose values are not needed yet, so that a GEMV's weight stream is
// read in the order it lies in memory. Internal linkage only (vnni_raw.h says why).
//
// Both GEMV layouts put each group's or record's scales in front of its codes, but the
// arithmetic needs the scales only after the codes (a block's epilogue, a K-quant
// sub-block pair's VPMULLD, d and dmin at the end of a super-block). Without a load of
// the scale lines first, every strip's stream skipped them and came back for them, and
// on a Zen 4 VM the hardware prefetchers then fall behind once the data comes from DRAM:
// a read loop skipping 1280 bytes in every 9472 and reading them afterwards ran at 11-13
// GB/s against 30 in order, and the Q4_K GEMV (records of 2368 bytes, 320 of header read
// after the codes) went from 33 to 40-44 GB/s at 1x4096x14336 and from 72 to 85 at
// 1x4096x4096 (one thread, hot, packed bytes; unchanged in L2). The block32 GEMV's
// groups (one 64-byte scale line per 576 or 1088 bytes, read 256-512 bytes late) measured
// no different with it, so only the K-quant nibble GEMV uses it. kernels/README.md
// "Scale lines first"; results/zen4-epyc-2core-vm/2026-11-30-q4k-gemv-probe/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::vnni::raw {
namespace {

// Loads the kBytes (a multiple of 64) at each of the NS pointers, one V::touch() (a
// register load whose value is not used) per 64-byte line.
template <typename V, size_t kBytes, int NS>
[[gnu::always_inline]] inline void touch_lines(const uint8_t* const (&p)[NS]) {
  static_assert(kBytes % 64 == 0);
#pragma GCC unroll 4
  for (int s = 0; s < NS; ++s) {
#pragma GCC unroll 8
    for (size_t i = 0; i < kBytes; i += 64) V::touch(p[s] + i);
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
