// The AMX GEMM kernel for the K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS x Q8_K) over
// Layout::kq_i8_vnni16 (kernels/pack/kquant_pack.h), written once over the tile backend
// and instantiated natively (amx_gemm_native.cpp) and on the strict emulator
// (amx_gemm_emulated.cpp), like amx_gemm.h. Include only from those two files.
//
// Tile register map (palette 1), 2 x 2 blocking as amx_gemm.h, one SUB-element sub-block
// (SUB = 32 or 16) per step:
//   tmm4 / tmm5: A, rows m..m+15 / m+16..m+31, SUB bytes per row, straight from the Q8_K
//                rows (stride = the activation row stride; base = block b, code 16*SUB*j)
//   tmm6 / tmm7: B, strips s / s+1, SUB/4 rows x 64 bytes: the record's code rows of the
//                sub-block (the layout's code rows ARE B-tile rows, stride 64)
//   tmm0..tmm3:  C, 16 x 16 int32 each: dot(sub) for the 32 x 32 outputs
// TDPBSUD (A signed: the Q8_K codes; B unsigned: the biased weight codes). Per sub-block
// the C tiles are stored and folded into the int32 super-block sums on the vector unit:
// S += VPMULLD(dot, scale) (the scales are per weight row, so they cannot enter the
// tile product); per super-block T = VPDPWSSD of the coefficient pairs x the sub-blocks'
// bsum pairs (4 for 32-wide sub-blocks, 8 for 16-wide: vnni/kq_bsum_pairs.h),
// then the golden fp32 steps, as kernels/vnni/kquant_tile.h:
//   no min: acc = fmaf((float)(S + T), d_w * d_a, acc)
//   min:    acc = fmaf((float)S, d_w * d_a, acc); acc = fmaf(-(d_a * dmin_w), (float)T, acc)
// The vector parts are the backend's VectorSteps (amx_vector_steps.h: 512-bit natively,
// 256-bit on the emulator where AVX-512 is missing).
//
// Tails and loop order as amx_gemm.h: 8-strip chunks of N, 32-row tiles, strip pairs,
// then K (super-blocks, their sub-blocks in order). Any slice works.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/amx/amx_gemm.h"
#include "kernels/amx/amx_kernels.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/tile/tile.h"

namespace amxlab::amx {
namespace {

namespace kqamx {

using kq_records::kQ8KBlockBytes;
using kq_records::kQ8KBsumOffset;
using kq_records::kQ8KCodeOffset;

inline tile::TileConfig config(int sub, int r0, int r1) {
  tile::TileConfig c = tile::TileConfig::palette1();
  c.set(0, r0, 64).set(1, r0, 64).set(4, r0, sub);
  if (r1 > 0) c.set(2, r1, 64).set(3, r1, 64).set(5, r1, sub);
  c.set(6, sub / 4, 64).set(7, sub / 4, 64);
  return c;
}

template <int SUB, bool MIN, class Tiles>
void gemm_slice(Tiles& t, QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                const OutputView& y, const Slice& s) {
  vnni::raw::KqArgs g;
  if (!kernel_args::check_kq16_run(wt, kernel, w, a, y, s, g)) return;
  bool count_only = false;
  if constexpr (!Tiles::is_native) count_only = t.options().count_only;
  const VectorSteps& steps = vector_steps_of<Tiles>();
  constexpr int kSubs = 256 / SUB;
  const auto stride = static_cast<std::ptrdiff_t>(a.row_stride);
  alignas(64) int32_t dot[kTileM * kTileN];
  alignas(64) int32_t sum[kTileM * kTileN];
  alignas(64) float acc[kTileM * kTileN];
  t.declare_buffer(g.a, static_cast<size_t>(g.rows - 1) * a.row_stride + row_bytes(QType::Q8_K, w.k()),
                   "activations", tile::BufferAccess::read);
  t.declare_buffer(w.bytes().data(), w.bytes().size(), "packed weights", tile::BufferAccess::read);
  t.declare_buffer(dot, sizeof dot, "int32 sub-block scratch", tile::BufferAccess::write);

  const auto tile_config = [](int r0, int r1) { return config(SUB, r0, r1); };
  for_each_tile(t, 0, g.rows, s, tile_config, [&](int64_t m, int rows, int r1, int64_t st, bool two) {
    const std::byte* arow = g.a + static_cast<size_t>(m) * a.row_stride;
    const std::byte* w0 = g.w + static_cast<size_t>(st) * g.strip_bytes;
    const std::byte* w1 = two ? w0 + g.strip_bytes : w0;
    if (!count_only) std::memset(acc, 0, sizeof acc);
    for (int64_t b = 0; b < g.superblocks; ++b) {
      const std::byte* rec0 = w0 + static_cast<size_t>(b) * kq16::kRecordBytes;
      const std::byte* rec1 = w1 + static_cast<size_t>(b) * kq16::kRecordBytes;
      const std::byte* ab = arow + static_cast<size_t>(b) * kQ8KBlockBytes;
      if (!count_only) std::memset(sum, 0, sizeof sum);
      for (int j = 0; j < kSubs; ++j) {
        const std::byte* acodes = ab + kQ8KCodeOffset + static_cast<size_t>(SUB * j);
        const size_t brow = 64 * static_cast<size_t>(SUB / 4 * j);
        tile_round<true>(t, acodes, stride, rec0 + brow, rec1 + brow, two, r1 > 0, dot);
        if (!count_only) {
          steps.fold_subblock(sum, dot, rec0 + kq16::kScaleOffset + 16 * static_cast<size_t>(j),
                              rec1 + kq16::kScaleOffset + 16 * static_cast<size_t>(j), rows, two);
        }
      }
      if (!count_only) steps.finish_superblock(SUB, MIN, acc, sum, rec0, rec1, ab, a.row_stride, rows, two);
    }
    if (count_only) return;
    write_columns(acc, g.y + static_cast<size_t>(m) * g.y_stride, g.y_stride, rows, st, two, s);
  });
  t.release();
}

}  // namespace kqamx

// The kernel for weight type wt (one of the six K-quants).
template <class Tiles>
void kquant_gemm_slice(Tiles& t, QType wt, const char* kernel, const PackedWeights& w,
                       const ActivationView& a, const OutputView& y, const Slice& s) {
  const kq16::TypeInfo ti = kq16::type_info(wt);
  if (ti.sub_len == 32) {
    if (ti.has_min) return kqamx::gemm_slice<32, true>(t, wt, kernel, w, a, y, s);
    return kqamx::gemm_slice<32, false>(t, wt, kernel, w, a, y, s);
  }
  if (ti.has_min) return kqamx::gemm_slice<16, true>(t, wt, kernel, w, a, y, s);
  kqamx::gemm_slice<16, false>(t, wt, kernel, w, a, y, s);
}

}  // namespace
}  // namespace amxlab::amx
