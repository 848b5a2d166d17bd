// The weights the next (strip group, K range) chunk of a GEMM reads, prefetched into L2 in
// equal shares spread through the row tiles of the current chunk. A chunk's weights are read from
// memory once, by its first row tile, and reused from L1 by the others; without this the
// first row tile of every chunk waits on memory for all of them, which is what a cold
// GEMM - an MoE expert, whose weights come from DRAM once per call - spends its extra
// time on. The caller says how many prefetch_step() calls a chunk gets: the K-quant GEMM
// steps at every 32-code sub-block when a row tile's share exceeds kBurstLines (a burst
// of ~77 prefetches after each row tile of an MoE expert's 32 rows filled the miss
// buffers and stalled the core on the prefetch instructions themselves: perf put 12 % of
// that kernel's time there), else after each row tile, as the vnni16 GEMM always does
// (stepping per block measured 3-4 % slower there). Used by the vnni16 GEMM
// (avx512_gemm.cpp) and the K-quant one (kquant_tile.h). Plain code in an unnamed
// namespace: each ISA translation unit gets its own copy (vnni_raw.h says why that matters).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace amxlab::vnni::raw {
namespace {

inline constexpr int kMaxChunkStrips = 4;

struct NextChunk {
  const uint8_t* strip[kMaxChunkStrips];
  int strips = 0;
  size_t begin = 0, lines = 0;  // byte offset in each strip, 64-byte lines per strip
  size_t per_step = 0;          // lines (over all strips) per prefetch_step()
  int strip_at = 0;             // the next line to prefetch
  size_t line_at = 0;
};

// The chunk after (strips s.., K bytes [.., end_now)): the same strips' next K bytes
// [end_now, end_now + chunk_bytes) within strip_k_bytes, else the next NS strips from K
// byte 0; none past strip s_hi. Its lines are spread over `steps` calls of
// prefetch_step() (row tiles x steps per tile).
template <int NS>
NextChunk next_chunk(const uint8_t* w, size_t strip_bytes, int64_t s, int64_t s_hi, size_t end_now,
                     size_t chunk_bytes, size_t strip_k_bytes, int64_t steps) {
  static_assert(NS <= kMaxChunkStrips, "NextChunk holds at most kMaxChunkStrips strips");
  NextChunk n{};
  int64_t strip0 = s;
  size_t begin = end_now;
  if (end_now >= strip_k_bytes) {
    strip0 = s + NS;
    begin = 0;
  }
  if (strip0 >= s_hi) return n;
  const size_t end = begin + chunk_bytes < strip_k_bytes ? begin + chunk_bytes : strip_k_bytes;
  n.strips = static_cast<int>(s_hi - strip0 < NS ? s_hi - strip0 : NS);
  for (int i = 0; i < n.strips; ++i) n.strip[i] = w + static_cast<size_t>(strip0 + i) * strip_bytes;
  n.begin = begin;
  n.lines = (end - begin + 63) / 64;
  const size_t total = n.lines * static_cast<size_t>(n.strips);
  n.per_step = (total + static_cast<size_t>(steps) - 1) / static_cast<size_t>(steps);
  return n;
}

[[gnu::always_inline]] inline void prefetch_step(NextChunk& n) {
  // (strip, line) advance without a division: a step is a few lines.
  for (size_t i = 0; i < n.per_step && n.strip_at < n.strips; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(n.strip[n.strip_at] + n.begin + 64 * n.line_at), _MM_HINT_T1);
    if (++n.line_at == n.lines) {
      n.line_at = 0;
      ++n.strip_at;
    }
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
