// The AMX GEMM kernel for Q8_0 / Q4_0 / Q4_1 weights, written ONCE as a template over
// the tile backend (kernels/tile): instantiated with NativeTiles in amx_gemm_native.cpp
// (-mamx-tile -mamx-int8 -mamx-bf16) and with EmulatedTiles in amx_gemm_emulated.cpp.
// Include only from those two translation units (internal linkage below).
//
//   y[m][n] = sum over K blocks b, in ascending order, of the golden step
//             acc = fmaf((float)isum_b, d_w * d_a, acc)   [Q4_1: acc = fmaf(m_w, s_a, acc)]
//
// Tile register map (palette 1), 2 x 2 blocking: one 32 x 32 output tile, one K block:
//
//                               tmm6: B, strip s        tmm7: B, strip s+1
//                               8 rows x 64 B           8 rows x 64 B
//                               (32 K codes x 16 weight rows, VNNI, from the packed
//                                weights: one block record, kernels/pack/amx_pack.h)
//                              +-----------------------+-----------------------+
//   tmm4: A, rows m..m+15      | tmm0: C               | tmm1: C               |
//   16 rows x 32 B (codes of   | 16 x 16 int32         | 16 x 16 int32         |
//   block b, straight from the | rows m..m+15          | rows m..m+15          |
//   Q8_0/Q8_1 activation rows) | cols 16s..16s+15      | cols 16s+16..16s+31   |
//                              +-----------------------+-----------------------+
//   tmm5: A, rows m+16..m+31   | tmm2: C               | tmm3: C               |
//   16 rows x 32 B             | rows m+16..m+31       | rows m+16..m+31       |
//                              +-----------------------+-----------------------+
//
// A tiles are loaded straight from the activation rows: TILELOADD with stride = the
// row stride in bytes, base = row m, block b, byte 2 (Q8_0: after d) or 4 (Q8_1: after
// d, s); colsb = 32, so no activation repack. Per K block: TILEZERO C, 2 + 2 TILELOADD,
// 4 TDPBSSD (K = 32 each: the block format's ceiling, 50 % of the int8 peak), 4
// TILESTORED into a 32 x 32 int32 scratch (one per block of a group of 4 consecutive
// blocks, 16 KiB); then the fp32 epilogue (amx_vector_steps.h) folds the group into the
// 32 x 32 fp32 accumulators, block after block. After the last block the
// accumulators overwrite dst (only the rows/columns of the slice).
//
// Tails: M — the last 32-row tile configures tmm4/tmm0/tmm1 with min(16, rows) rows and
// tmm5/tmm2/tmm3 with the rest (left unconfigured and unused when none); N — strips are
// padded to 16 rows with zero codes and scales by the packing, and a lone last strip
// uses tmm6/tmm0/tmm2 only. Any slice works (m0 anything, n0 anything: the strips that
// cover it are computed, only its columns are written); the plan's 32 x 32 steps are the
// efficient cut. Loop order: 8-strip (128-column) chunks of N outermost, then the
// 32-row tiles, then the strip pairs of the chunk, then K: the chunk's weights (128 x K
// int8 codes + scales) stay cache resident while the rows stream past.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/amx/amx_prepare.h"
#include "kernels/amx/amx_vector_steps.h"
#include "kernels/tile/tile.h"

namespace amxlab::amx {
namespace {

inline constexpr int64_t kChunkStrips = 8;

// The vector steps of a backend: native AMX CPUs all have AVX-512; the emulator runs
// wherever AVX2 does (amx_vector_steps.h).
template <class Tiles>
const VectorSteps& vector_steps_of() {
  if constexpr (Tiles::is_native) return vector_steps_avx512();
  return emulation_vector_steps();
}

inline tile::TileConfig gemm_tile_config(int r0, int r1) {
  tile::TileConfig c = tile::TileConfig::palette1();
  c.set(0, r0, 64).set(1, r0, 64).set(4, r0, kBlockK);
  if (r1 > 0) c.set(2, r1, 64).set(3, r1, 64).set(5, r1, kBlockK);
  c.set(6, kBlockK / 4, 64).set(7, kBlockK / 4, 64);
  return c;
}

// One 2 x 2 round of the blocking above: C = A (rows m..m+15 from `a`, and m+16..m+31 when
// `lower`) x B (strip s from b0, strip s+1 from b1 when `two`), stored into c (32 x 32
// int32, row stride 32). B holds signed codes (TDPBSSD) or, for the K-quants' biased
// codes, unsigned ones (TDPBSUD).
template <bool kUnsignedB, class Tiles>
void tile_round(Tiles& t, const std::byte* a, std::ptrdiff_t stride, const std::byte* b0, const std::byte* b1,
                bool two, bool lower, int32_t* c) {
  constexpr std::ptrdiff_t kCStride = kTileN * sizeof(int32_t);
  const auto dp = [&t]<int C, int A, int B>() {
    if constexpr (kUnsignedB) {
      t.template dpbsud<C, A, B>();
    } else {
      t.template dpbssd<C, A, B>();
    }
  };
  t.template zero<0>();
  t.template loadd<4>(a, stride);
  t.template loadd<6>(b0, kBRowBytes);
  dp.template operator()<0, 4, 6>();
  if (two) {
    t.template zero<1>();
    t.template loadd<7>(b1, kBRowBytes);
    dp.template operator()<1, 4, 7>();
  }
  if (lower) {
    t.template zero<2>();
    t.template loadd<5>(a + 16 * stride, stride);
    dp.template operator()<2, 5, 6>();
    if (two) {
      t.template zero<3>();
      dp.template operator()<3, 5, 7>();
    }
  }
  t.template stored<0>(c, kCStride);
  if (two) t.template stored<1>(c + 16, kCStride);
  if (lower) {
    t.template stored<2>(c + 16 * kTileN, kCStride);
    if (two) t.template stored<3>(c + 16 * kTileN + 16, kCStride);
  }
}

// The columns of strip pair (st, st+1 when `two`) that lie inside the slice, from the
// 32 x 32 accumulators to `rows` output rows starting at y.
inline void write_columns(const float* acc, float* y, size_t y_stride, int rows, int64_t st, bool two,
                          const Slice& s) {
  const int64_t col0 = st * kStripRows;
  const int64_t lo = std::max<int64_t>(s.n0 - col0, 0);
  const int64_t hi = std::min<int64_t>(s.n1 - col0, two ? 2 * kStripRows : kStripRows);
  for (int r = 0; r < rows; ++r) {
    std::memcpy(y + static_cast<size_t>(r) * y_stride + col0 + lo, acc + r * kTileN + lo,
                static_cast<size_t>(hi - lo) * sizeof(float));
  }
}

// The loop order of both AMX GEMMs: 8-strip chunks of the slice's columns, then the
// 32-row tiles of rows m0..m1 (the tiles configured by config(r0, r1) whenever the split
// into 16 + rest rows changes), then the strip pairs of the chunk:
// body(m, rows, r1, st, two) with r1 the rows of the lower half and `two` whether strip
// st + 1 exists. The chunk's weights stay cache resident while the row tiles pass.
template <class Tiles, class Config, class Body>
void for_each_tile(Tiles& t, int64_t m0, int64_t m1, const Slice& s, Config config, Body body) {
  const int64_t st_begin = s.n0 / kStripRows;
  const int64_t st_end = (s.n1 + kStripRows - 1) / kStripRows;
  int cfg0 = -1, cfg1 = -1;
  for (int64_t chunk = st_begin; chunk < st_end; chunk += kChunkStrips) {
    const int64_t chunk_end = std::min(chunk + kChunkStrips, st_end);
    for (int64_t m = m0; m < m1; m += kTileM) {
      const int rows = static_cast<int>(std::min<int64_t>(kTileM, m1 - m));
      const int r0 = std::min(rows, 16), r1 = rows - r0;
      if (r0 != cfg0 || r1 != cfg1) {
        t.configure(config(r0, r1));
        cfg0 = r0;
        cfg1 = r1;
      }
      for (int64_t st = chunk; st < chunk_end; st += 2) body(m, rows, r1, st, st + 1 < chunk_end);
    }
  }
}

template <QType WT, class Tiles>
void gemm_slice(Tiles& t, const char* kernel, const PackedWeights& w, const ActivationView& a,
                const OutputView& y, const Slice& s) {
  constexpr bool kMin = WT == QType::Q4_1;
  detail::Prepared p;
  detail::prepare(WT, kernel, w, a, y, s, p);
  if (p.empty) return;
  bool count_only = false;
  if constexpr (!Tiles::is_native) count_only = t.options().count_only;
  const VectorSteps& steps = vector_steps_of<Tiles>();

  const std::byte* wbytes = w.bytes().data();
  const auto stride = static_cast<std::ptrdiff_t>(a.row_stride);
  const int64_t nb = p.nb;
  const size_t rec = p.record_bytes;
  const size_t strip_bytes = static_cast<size_t>(nb) * rec;
  alignas(64) int32_t c[kGroupBlocks * kTileM * kTileN];  // int32 results of up to 4 K blocks
  alignas(64) float acc[kTileM * kTileN];
  t.declare_buffer(a.bytes + static_cast<size_t>(s.m0) * a.row_stride, p.activation_bytes, "activations",
                   tile::BufferAccess::read);
  t.declare_buffer(wbytes, w.bytes().size(), "packed weights", tile::BufferAccess::read);
  t.declare_buffer(c, sizeof c, "int32 block scratch", tile::BufferAccess::write);

  for_each_tile(t, s.m0, s.m1, s, gemm_tile_config, [&](int64_t m, int rows, int r1, int64_t st, bool two) {
    const std::byte* arow = a.bytes + static_cast<size_t>(m) * a.row_stride + p.code_offset;
    const float* da = p.da.data() + (m - s.m0);
    const float* sa = kMin ? p.sa.data() + (m - s.m0) : nullptr;
    const std::byte* w0 = wbytes + static_cast<size_t>(st) * strip_bytes;
    const std::byte* w1 = two ? w0 + strip_bytes : w0;
    if (!count_only) std::memset(acc, 0, sizeof acc);
    for (int64_t b0 = 0; b0 < nb; b0 += kGroupBlocks) {
      const int count = static_cast<int>(std::min<int64_t>(kGroupBlocks, nb - b0));
      BlockScales sc[kGroupBlocks] = {};
      for (int g = 0; g < count; ++g) {
        const int64_t b = b0 + g;
        const std::byte* ab = arow + static_cast<size_t>(b) * p.act_block_bytes;
        const std::byte* wb0 = w0 + static_cast<size_t>(b) * rec;
        const std::byte* wb1 = w1 + static_cast<size_t>(b) * rec;
        tile_round<false>(t, ab, stride, wb0, wb1, two, r1 > 0, c + g * kTileM * kTileN);
        sc[g].dw0 = reinterpret_cast<const float*>(wb0 + kScaleOffset);
        sc[g].dw1 = reinterpret_cast<const float*>(wb1 + kScaleOffset);
        if constexpr (kMin) {
          sc[g].mw0 = reinterpret_cast<const float*>(wb0 + kMinOffset);
          sc[g].mw1 = reinterpret_cast<const float*>(wb1 + kMinOffset);
        }
      }
      if (count_only) continue;
      const size_t at = static_cast<size_t>(b0) * static_cast<size_t>(p.rows);
      steps.epilogue(kMin, acc, c, sc, count, da + at, kMin ? sa + at : nullptr, p.rows, rows, two);
    }
    if (count_only) return;
    write_columns(acc, static_cast<float*>(y.data) + static_cast<size_t>(m) * y.row_stride, y.row_stride,
                  rows, st, two, s);
  });
  t.release();
}

}  // namespace
}  // namespace amxlab::amx
