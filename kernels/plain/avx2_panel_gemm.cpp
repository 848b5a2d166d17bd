// f32 x f32 and f16 weights x f32 activations -> f32, s8 x s8 / u8 x s8 -> s32, and bf16
// x bf16 -> f32 on AVX2 + FMA + F16C: the `f32_gemm_3x32__avx2` / `f16_gemm_3x32__avx2` /
// `s8s8_gemm_2x32__avx2` / `u8s8_gemm_2x32__avx2` / `bf16_gemm_2x32__avx2` kernels, for
// CPUs without AVX-512
// (where the portable kernel's fmaf is a library call: ~0.01x oneDNN; its int8 loop
// 0.02x). Built with -mavx2 -mfma -mf16c (kernels/plain/sources.cmake); internal linkage
// (plain_raw.h says why).
//
// int8: per output an int32 sum over K (wrapping, so any order gives the golden bits),
// through the plain AVX2 signed dot of the quantised kernels (kernels/vnni/avxvnni_dot.h
// Dot256::dot_flip). Each activation dword is made s8 by XOR 0x80 (s8 x s8: the
// wrapper's u8 copy a + 128 gives a back; u8 x s8: a - 128), then |a| and the mask of its
// negative bytes; VPMADDUBSW(|a|, w XOR mask) sums a x w - |a| [a < 0] per product,
// exact for any codes (K padding included: its weights are 0); each tile starts from
// neg(a), the sum of |a| over the negative codes of the units it runs (per row and K
// block once, into PanelArgs::row_neg, before the panels: recomputed by every tile, s8
// and u8 M = 512 N = K = 4096 ran 139-146 ms against 131-137, one thread), and u8 x s8
// adds 128 x sum W per column (w_sum128) in the last K block.
//
// f32 / f16: per output, as the AVX-512 kernel (avx512_panel_gemm.h) and the exact model
// (reference/golden/kernel_models.h): acc = 0, then acc = fma(a_k, w_k, acc) in ascending
// K, one fused step per element; between K blocks the accumulators rest, exact, in the
// slice's partial-sum scratch. Register tile: 3 rows x one 32-column panel (12 ymm
// accumulators, 3 broadcasts, 1 weight vector: the 16 registers); a slice of one row runs
// 1 x 64 (two panels: 8 chains hide the FMA latency). Loop order: K blocks of
// kBlockUnits, panels, row tiles: a panel's block of weights (128 KiB of f32) stays in L2
// while the rows pass.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#define AMXLAB_DOT256_AVX2 1
#include "kernels/plain/plain_raw.h"
#include "kernels/vnni/avxvnni_dot.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/ymm_lanes.h"

namespace amxlab::plain::raw {
namespace {

// Rows of the register tile: f32 / f16 3 (12 accumulators, 3 broadcasts, 1 weight
// vector); bf16 2 (8 accumulators, a broadcast pair per row, the odd and even weight
// vectors); int8 2 (8 accumulators, |a| and the flip mask per row, the weight vector and
// the ones of VPMADDWD: 14; three rows needed 19 and spilled: M = 512 N = K = 4096 at one
// thread s8 / u8 134-137 / 131-134 ms against 126-134 / 124-128 with two, three rounds).
template <int OP>
constexpr int64_t kRows = OP == kBf16 || OP == kS8S8 ? 2 : 3;
constexpr int64_t kCols = 32;                // a panel
constexpr size_t kSlotRowBytes = 4 * kCols;  // a partial-sum row of a tile
template <int OP>
constexpr size_t kSlotBytes = kRows<OP> * kSlotRowBytes;
static_assert(2 * kRows<kF32> == kGemmRows && kSlotBytes<kF32> * 4 == kGemmRows * 256u &&
                  3 * kRows<kBf16> == kGemmRows && kSlotBytes<kBf16> * 6 == kGemmRows * 256u &&
                  kRows<kS8S8> == kRows<kBf16>,
              "the slots of a 6 x 64 tile's scratch (partial_bytes, plain_raw.h) hold four 3 x 32 "
              "tiles or six 2 x 32 ones");

// MXCSR of the bf16 kernel: all exceptions masked, round to nearest even, DAZ (bit 6) and
// FTZ (bit 15): VFMADD231PS then takes every step of the VDPBF16PS rules but the choice
// among NaN operands (kernels/core/bf16_arith.h; avx2_panel_gemm_bf16 below).
constexpr unsigned kBf16Mxcsr = 0x1f80u | 0x0040u | 0x8000u;

// 8 weight lanes of one unit row: f32, or f16 widened exactly.
template <int OP>
[[gnu::always_inline]] inline __m256 load_w(const std::byte* p) {
  if constexpr (OP == kF16) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  } else {
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
  }
}

// The accumulator register of an operation (a specialisation: std::conditional drops the
// vector types' attributes).
template <bool Int>
struct AccOf {
  using type = __m256;
};
template <>
struct AccOf<true> {
  using type = __m256i;
};
template <int OP>
using Acc = typename AccOf<OP == kS8S8>::type;

// The fp32 images of a dword of bf16 pairs: the odd element (high half) and the even one.
[[gnu::always_inline]] inline __m256 bf16_odd(__m256i pairs) {
  return _mm256_castsi256_ps(_mm256_and_si256(pairs, _mm256_set1_epi32(static_cast<int>(0xffff0000u))));
}
[[gnu::always_inline]] inline __m256 bf16_even(__m256i pairs) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(pairs, 16));
}

// neg(a) of n_bytes u8 activation bytes (a + 128) at p: the sum of |a| over a < 0.
inline int32_t neg_sum_u8(const std::byte* p, size_t n_bytes) {
  using vnni::raw::Dot256;
  const __m256i bias = _mm256_set1_epi8(-128);
  int32_t sum = 0;
  size_t i = 0;
  for (; i + 32 <= n_bytes; i += 32) {
    const __m256i a = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)), bias);
    sum += Dot256::neg_sum(Dot256::signed_operands(a));
  }
  for (; i < n_bytes; ++i) {
    const int v = std::to_integer<int>(p[i]) - 128;
    if (v < 0) sum -= v;
  }
  return sum;
}

// Where a tile's accumulators come from (null: zero, the first K block) and go to.
struct Io {
  const std::byte* in = nullptr;
  size_t in_stride = 0;
  std::byte* out = nullptr;
  size_t out_stride = 0;
  const int32_t* add = nullptr;  // int8, last K block, u8 x s8: w_sum128 of the tile's columns
  const int32_t* neg = nullptr;  // int8: neg(a) of the tile's rows over its units
};

// R rows x NP panels over `units` units. a: row 0 at the block's first unit (row r at a +
// r * a_pitch); bp: panel 0 at that unit; columns [skip, cols) of the NP * 32 are the
// slice's.
template <int OP, int R, int NP>
AMXLAB_NOCLONE void tile(const std::byte* a, size_t a_pitch, const std::byte* bp, const PanelArgs& g,
                         int64_t units, int64_t skip, int64_t cols, const Io& io) {
  constexpr int C = 4 * NP;
  constexpr size_t kLaneBytes = OP == kF16 ? 16 : 32;  // 8 columns of a unit row
  const bool all = skip <= 0 && cols >= kCols * NP;
  __m256i mask[C];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c) {
    // Lanes [8c, 8c + 8) of the tile that are columns [skip, cols) of the slice.
    mask[c] =
        all ? _mm256_set1_epi32(-1) : vnni::raw::ymm_lane_mask(vnni::raw::lane_bits(skip, cols, 8 * c, 8));
  }
  // The accumulators as fp32 or int32 lanes (the scratch holds either, bit for bit).
  Acc<OP> acc[R][C];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    [[maybe_unused]] __m256i start;  // int8: the row's neg(a) of these units
    if constexpr (OP == kS8S8) start = _mm256_set1_epi32(io.neg[r]);
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const __m256 in =
          io.in == nullptr
              ? _mm256_setzero_ps()
              : _mm256_maskload_ps(
                    reinterpret_cast<const float*>(io.in + static_cast<size_t>(r) * io.in_stride + 32 * c),
                    mask[c]);
      if constexpr (OP == kS8S8) {
        acc[r][c] = _mm256_add_epi32(_mm256_castps_si256(in), start);
      } else {
        acc[r][c] = in;
      }
    }
  }
  for (int64_t u = 0; u < units; ++u) {
    const std::byte* wu = bp + static_cast<size_t>(u) * g.unit_row_bytes;
    if constexpr (OP == kS8S8) {
      using vnni::raw::Dot256;
      __m256i abs_a[R], neg[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        int32_t v;
        std::memcpy(&v, a + static_cast<size_t>(r) * a_pitch + 4 * static_cast<size_t>(u), 4);
        const Dot256::SignedOperands o =
            Dot256::signed_operands(_mm256_xor_si256(_mm256_set1_epi32(v), _mm256_set1_epi8(-128)));
        abs_a[r] = o.abs;
        neg[r] = _mm256_xor_si256(o.flip, _mm256_set1_epi8(-128));  // flip for raw s8 weights
      }
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
            wu + static_cast<size_t>(c / 4) * g.panel_bytes + kLaneBytes * (c % 4)));
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r)
          acc[r][c] = Dot256::dot_flip(acc[r][c], w, abs_a[r], neg[r], _mm256_set1_epi16(1));
      }
    } else if constexpr (OP == kBf16) {
      // acc = fma(a_odd, w_odd, acc), then fma(a_even, w_even, acc): the VDPBF16PS order.
      __m256 xo[R], xe[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        int32_t v;
        std::memcpy(&v, a + static_cast<size_t>(r) * a_pitch + 4 * static_cast<size_t>(u), 4);
        xo[r] = bf16_odd(_mm256_set1_epi32(v));
        xe[r] = bf16_even(_mm256_set1_epi32(v));
      }
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
            wu + static_cast<size_t>(c / 4) * g.panel_bytes + kLaneBytes * (c % 4)));
        const __m256 wo = bf16_odd(w), we = bf16_even(w);
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r)
          acc[r][c] = _mm256_fmadd_ps(xe[r], we, _mm256_fmadd_ps(xo[r], wo, acc[r][c]));
      }
    } else {
      __m256 x[R];
#pragma GCC unroll 4
      for (int r = 0; r < R; ++r) {
        float v;
        std::memcpy(&v, a + static_cast<size_t>(r) * a_pitch + 4 * static_cast<size_t>(u), 4);
        x[r] = _mm256_set1_ps(v);
      }
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const __m256 w = load_w<OP>(wu + static_cast<size_t>(c / 4) * g.panel_bytes + kLaneBytes * (c % 4));
#pragma GCC unroll 4
        for (int r = 0; r < R; ++r) acc[r][c] = _mm256_fmadd_ps(x[r], w, acc[r][c]);
      }
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      auto* p = reinterpret_cast<float*>(io.out + static_cast<size_t>(r) * io.out_stride + 32 * c);
      __m256 v;
      if constexpr (OP == kS8S8) {
        if (io.add != nullptr)
          acc[r][c] = _mm256_add_epi32(acc[r][c],
                                       _mm256_loadu_si256(reinterpret_cast<const __m256i*>(io.add + 8 * c)));
        v = _mm256_castsi256_ps(acc[r][c]);
      } else {
        v = acc[r][c];
      }
      if (all) {
        _mm256_storeu_ps(p, v);
      } else {
        _mm256_maskstore_ps(p, mask[c], v);
      }
    }
  }
}

template <int OP>
void rows_tile(int64_t rows, const std::byte* a, size_t a_pitch, const std::byte* bp, const PanelArgs& g,
               int64_t units, int64_t skip, int64_t cols, const Io& io) {
  static_assert(kRows<OP> == 3 || kRows<OP> == 2, "update the dispatch below");
  if constexpr (kRows<OP> == 3) {
    if (rows == 3) return tile<OP, 3, 1>(a, a_pitch, bp, g, units, skip, cols, io);
  }
  if (rows == 2) return tile<OP, 2, 1>(a, a_pitch, bp, g, units, skip, cols, io);
  return tile<OP, 1, 1>(a, a_pitch, bp, g, units, skip, cols, io);
}

// u8 x s8 shifts its activations by -128 (tile): the last K block adds 128 x sum W back.
inline const int32_t* add_at(const PanelArgs& g, int64_t panel, bool last) {
  return g.op == kU8S8 && last ? g.w_sum128 + panel * kCols : nullptr;
}

template <int OP>
void panel_gemm(const PanelArgs& g) {
  const int64_t p0 = g.n0 / kCols, p1 = (g.n1 + kCols - 1) / kCols;
  auto* y0 = static_cast<std::byte*>(g.y);
  const size_t ys = g.y_stride * 4;
  constexpr int64_t kR = kRows<OP>;
  const int64_t row_tiles = (g.rows + kR - 1) / kR;
  // One K block when the slice is one 6-row tile of the AVX-512 kernel's plan (no scratch
  // then: run_avx2 asks partial_bytes() only past one block).
  const int64_t block = block_units(g.rows, g.units);
  for (int64_t u0 = 0; u0 < g.units; u0 += block) {
    const int64_t nu = g.units - u0 < block ? g.units - u0 : block;
    const bool first = u0 == 0, last = u0 + nu == g.units;
    const std::byte* b0 = g.w + static_cast<size_t>(u0) * g.unit_row_bytes;
    const std::byte* au = g.a + 4 * static_cast<size_t>(u0);
    if constexpr (OP == kS8S8) {
      for (int64_t r = 0; r < g.rows; ++r)
        g.row_neg[r] = neg_sum_u8(au + static_cast<size_t>(r) * g.a_stride, 4 * static_cast<size_t>(nu));
    }
    if (g.rows == 1) {  // one block (block_units): dst is read and written directly
      for (int64_t p = p0; p < p1; p += 2) {
        std::byte* yt = y0 + 4 * static_cast<size_t>(p * kCols);
        const Io io{first ? nullptr : yt, 0, yt, 0, add_at(g, p, last), g.row_neg};
        const std::byte* bp = b0 + static_cast<size_t>(p) * g.panel_bytes;
        if (p + 1 < p1) {
          tile<OP, 1, 2>(au, 0, bp, g, nu, g.n0 - p * kCols, g.n1 - p * kCols, io);
        } else {
          tile<OP, 1, 1>(au, 0, bp, g, nu, g.n0 - p * kCols, g.n1 - p * kCols, io);
        }
      }
      continue;
    }
    for (int64_t p = p0; p < p1; ++p) {
      const std::byte* bp = b0 + static_cast<size_t>(p) * g.panel_bytes;
      for (int64_t r0 = 0; r0 < g.rows; r0 += kR) {
        std::byte* yt = y0 + static_cast<size_t>(r0) * ys + 4 * static_cast<size_t>(p * kCols);
        std::byte* slot =
            g.c_part == nullptr
                ? nullptr
                : g.c_part + static_cast<size_t>((p - p0) * row_tiles + r0 / kR) * kSlotBytes<OP>;
        const Io io{first ? nullptr : slot, kSlotRowBytes,
                    last ? yt : slot,       last ? ys : kSlotRowBytes,
                    add_at(g, p, last),     g.row_neg == nullptr ? nullptr : g.row_neg + r0};
        const int64_t rows = g.rows - r0 < kR ? g.rows - r0 : kR;
        rows_tile<OP>(rows, au + static_cast<size_t>(r0) * g.a_stride, g.a_stride, bp, g, nu,
                      g.n0 - p * kCols, g.n1 - p * kCols, io);
      }
    }
  }
}

[[gnu::noinline]] void panel_gemm_bf16(const PanelArgs& g) {
  panel_gemm<kBf16>(g);
}

}  // namespace

void avx2_panel_gemm_f32(const PanelArgs& g) {
  if (g.op == kF16) {
    panel_gemm<kF16>(g);
  } else {
    panel_gemm<kF32>(g);
  }
}

// The VDPBF16PS rules from FMA: DAZ and FTZ in MXCSR (tininess after rounding, as the
// rules; measured on this VM's Zen 4 and checked by PlainKernels.Bf16SpecialValues), the
// caller's MXCSR restored after. noinline: no floating-point step of the kernel can be
// scheduled across the MXCSR writes. Which NaN a step returns when several operands are
// NaN follows the instruction's operand slots, not the rules: the wrapper recomputes the
// NaN outputs (kernels/core/fma_step.h, plain_kernels.cpp), as for f32 / f16.
void avx2_panel_gemm_bf16(const PanelArgs& g) {
  const unsigned caller = _mm_getcsr();
  _mm_setcsr(kBf16Mxcsr);
  panel_gemm_bf16(g);
  _mm_setcsr(caller);
}

// One instantiation for both int8 operations (the tile's int path; add_at tells them apart).
void avx2_panel_gemm_int8(const PanelArgs& g) {
  panel_gemm<kS8S8>(g);
}

}  // namespace amxlab::plain::raw
