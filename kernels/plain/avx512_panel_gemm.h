// The AVX-512 panel GEMM, written once for the five plain operations (plain_raw.h Op).
// Included ONLY by the avx512_panel_*.cpp translation units, each built with the ISA
// flags of its operations; everything here has internal linkage, so no copy compiled
// for one ISA set can be picked by the linker for another.
//
// Loop nest of one slice (rows m0..m1, columns n0..n1):
//   for each K block of kBlockUnits units:
//     pack the slice's activations of the block: row blocks of kTileRows rows, unit by
//       unit, 4 bytes per row (s8 stored + 128 as u8; bf16 pairs with a zero after an
//       odd K; f32 as is) - every broadcast then walks one cache line after the other;
//     for each panel of 32 columns, for each row block: the register tile
//       (R rows x 32 columns, R <= 12: 2R zmm accumulators) runs over the block's units.
//       One row only (a GEMV): 1 x 128 over four panels at once, 8 accumulators, so that
//       the fused chains' latency is hidden.
//   The accumulators start at zero in the first block, are stored to dst between blocks
//   and reloaded (exact: the same fp32 / int32 values), and get the s8 x s8 compensation
//   in the last.
// Per output, the operations therefore run in ascending K, one fused step per unit
// (VDPBF16PS: the odd pair then the even pair): the scalar models in
// reference/golden/kernel_models.h reproduce it bit for bit.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/plain/plain_raw.h"

namespace amxlab::plain::raw {
namespace {

template <int OP>
constexpr bool kIntOp = OP == kS8S8 || OP == kU8S8;
template <bool Int>
struct VecOf {
  using type = __m512;
};
template <>
struct VecOf<true> {
  using type = __m512i;
};
template <int OP>
using Vec = typename VecOf<kIntOp<OP>>::type;

template <int OP>
inline Vec<OP> vzero() {
  if constexpr (kIntOp<OP>) {
    return _mm512_setzero_si512();
  } else {
    return _mm512_setzero_ps();
  }
}

template <int OP>
inline Vec<OP> vload_masked(const std::byte* p, __mmask16 m) {
  if constexpr (kIntOp<OP>) {
    return _mm512_maskz_loadu_epi32(m, p);
  } else {
    return _mm512_maskz_loadu_ps(m, p);
  }
}

template <int OP>
inline void vstore_masked(std::byte* p, __mmask16 m, Vec<OP> v) {
  if constexpr (kIntOp<OP>) {
    _mm512_mask_storeu_epi32(p, m, v);
  } else {
    _mm512_mask_storeu_ps(p, m, v);
  }
}

// 16 weight lanes of one unit row: raw 64 bytes, or 16 f16 values widened exactly.
template <int OP>
inline Vec<OP> vload_weights(const std::byte* p) {
  if constexpr (OP == kF16) {
    // The maskz form: gcc 12's plain _mm512_cvtph_ps reads an undefined register.
    return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  } else if constexpr (kIntOp<OP>) {
    return _mm512_loadu_si512(p);
  } else {
    return _mm512_loadu_ps(p);
  }
}

// The 4 activation bytes of one row and unit in every lane.
template <int OP>
inline Vec<OP> vbroadcast(const std::byte* p) {
  if constexpr (kIntOp<OP>) {
    int32_t v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_epi32(v);
  } else {
    float v;
    std::memcpy(&v, p, 4);
    return _mm512_set1_ps(v);
  }
}

template <int OP>
inline Vec<OP> vstep(Vec<OP> acc, Vec<OP> a, Vec<OP> w) {
  if constexpr (kIntOp<OP>) {
    return _mm512_dpbusd_epi32(acc, a, w);  // u8 activations x s8 weights, wrapping
  } else if constexpr (OP == kBf16) {
    // GCC's vector cast reinterprets the bits (no conversion).
    return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)w);  // NOLINT(google-readability-casting)
  } else {
    return _mm512_fmadd_ps(a, w, acc);
  }
}

inline __mmask16 lanes(int64_t valid) {
  if (valid >= 16) return 0xffff;
  return valid <= 0 ? 0 : static_cast<__mmask16>((1u << valid) - 1u);
}

// Which dst columns of the tile are the slice's: [skip, cols) of its 32 NP columns.
struct Cols {
  int64_t skip = 0, cols = 0;
  __mmask16 mask(int c) const { return static_cast<__mmask16>(lanes(cols - 16 * c) & ~lanes(skip - 16 * c)); }
};

// R rows x NP panels (32 NP columns) over `units` units. ap: the packed activations of
// the row block (unit u, row r at (u * kTileRows + r) * 4); bp: panel 0 at the block's
// first unit; y: dst at the tile's first row and column.
template <int OP, int R, int NP>
void tile(const std::byte* ap, const std::byte* bp, const PanelArgs& g, int64_t units, std::byte* y, Cols cols,
          bool first, bool last, const int32_t* comp) {
  constexpr int C = 2 * NP;
  const size_t ys = g.y_stride * 4;
  const size_t half = OP == kF16 ? 32 : 64;  // bytes of 16 lanes in a unit row
  Vec<OP> acc[R][C];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[r][c] = first ? vzero<OP>() : vload_masked<OP>(y + r * ys + 64 * c, cols.mask(c));
  }
  for (int64_t u = 0; u < units; ++u) {
    Vec<OP> w[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      w[c] = vload_weights<OP>(bp + static_cast<size_t>(c / 2) * g.panel_bytes +
                               static_cast<size_t>(u) * g.unit_row_bytes + half * (c % 2));
    const std::byte* au = ap + static_cast<size_t>(u) * kTileRows * 4;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const Vec<OP> a = vbroadcast<OP>(au + 4 * r);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) acc[r][c] = vstep<OP>(acc[r][c], a, w[c]);
    }
  }
  if constexpr (OP == kS8S8) {
    if (last) {
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) {
        const __m512i k = _mm512_loadu_si512(comp + 16 * c);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) acc[r][c] = _mm512_sub_epi32(acc[r][c], k);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const __mmask16 m = cols.mask(c);
      if (m != 0) vstore_masked<OP>(y + r * ys + 64 * c, m, acc[r][c]);
    }
  }
}

// Activations of units u0..u0+nu of every row of the slice -> g.a_pack.
template <int OP>
void pack_activations(const PanelArgs& g, int64_t u0, int64_t nu) {
  for (int64_t r = 0; r < g.rows; ++r) {
    const std::byte* row = g.a + static_cast<size_t>(r) * g.a_stride;
    std::byte* out = g.a_pack + static_cast<size_t>(r / kTileRows) * kTileRows * kBlockUnits * 4 +
                     static_cast<size_t>(r % kTileRows) * 4;
    for (int64_t u = 0; u < nu; ++u) {
      std::byte* dst = out + static_cast<size_t>(u) * kTileRows * 4;
      const int64_t e = (u0 + u) * (OP == kBf16 ? 2 : OP == kS8S8 || OP == kU8S8 ? 4 : 1);
      if constexpr (OP == kF32 || OP == kF16) {
        std::memcpy(dst, row + 4 * e, 4);
      } else if constexpr (OP == kBf16) {
        std::memset(dst, 0, 4);
        std::memcpy(dst, row + 2 * e, e + 1 < g.k ? 4 : 2);
      } else {
        uint32_t v = 0;
        std::memcpy(&v, row + e, static_cast<size_t>(g.k - e < 4 ? g.k - e : 4));
        if constexpr (OP == kS8S8) v ^= 0x80808080u;  // s8 -> u8 = s8 + 128
        std::memcpy(dst, &v, 4);
      }
    }
  }
}

template <int OP>
void gemv_panels(const std::byte* ap, const std::byte* bp, const PanelArgs& g, int64_t nu, std::byte* y, Cols cols, bool first, bool last, const int32_t* comp, int np) {
  switch (np) {
    case 4: return tile<OP, 1, 4>(ap, bp, g, nu, y, cols, first, last, comp);
    case 3: return tile<OP, 1, 3>(ap, bp, g, nu, y, cols, first, last, comp);
    case 2: return tile<OP, 1, 2>(ap, bp, g, nu, y, cols, first, last, comp);
    default: return tile<OP, 1, 1>(ap, bp, g, nu, y, cols, first, last, comp);
  }
}

template <int OP>
void gemm_rows(const std::byte* ap, const std::byte* bp, const PanelArgs& g, int64_t nu, std::byte* y, Cols cols, bool first, bool last, const int32_t* comp, int64_t rows) {
  switch (rows) {
    case 12: return tile<OP, 12, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 11: return tile<OP, 11, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 10: return tile<OP, 10, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 9: return tile<OP, 9, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 8: return tile<OP, 8, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 7: return tile<OP, 7, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 6: return tile<OP, 6, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 5: return tile<OP, 5, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 4: return tile<OP, 4, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 3: return tile<OP, 3, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    case 2: return tile<OP, 2, 1>(ap, bp, g, nu, y, cols, first, last, comp);
    default: return tile<OP, 1, 1>(ap, bp, g, nu, y, cols, first, last, comp);
  }
}

inline const int32_t* comp_at(const PanelArgs& g, int64_t panel) {
  return g.comp == nullptr ? nullptr : g.comp + panel * 32;
}

template <int OP>
void panel_gemm(const PanelArgs& g) {
  constexpr int64_t kCols = 32;
  const int64_t p0 = g.n0 / kCols, p1 = (g.n1 + kCols - 1) / kCols;
  // y points at column 0; tiles start at panel boundaries and skip what precedes n0.
  auto* y0 = static_cast<std::byte*>(g.y);
  const size_t ys = g.y_stride * 4;
  auto cols_of = [&](int64_t p) { return Cols{g.n0 - p * kCols, g.n1 - p * kCols}; };
  for (int64_t u0 = 0; u0 < g.units; u0 += kBlockUnits) {
    const int64_t nu = g.units - u0 < kBlockUnits ? g.units - u0 : kBlockUnits;
    const bool first = u0 == 0, last = u0 + nu == g.units;
    pack_activations<OP>(g, u0, nu);
    const std::byte* b0 = g.w + static_cast<size_t>(u0) * g.unit_row_bytes;
    if (g.rows == 1) {
      for (int64_t p = p0; p < p1; p += 4) {
        const int np = static_cast<int>(p1 - p < 4 ? p1 - p : 4);
        gemv_panels<OP>(g.a_pack, b0 + static_cast<size_t>(p) * g.panel_bytes, g, nu, y0 + 4 * p * kCols,
                        cols_of(p), first, last, comp_at(g, p), np);
      }
      continue;
    }
    for (int64_t p = p0; p < p1; ++p) {
      const std::byte* bp = b0 + static_cast<size_t>(p) * g.panel_bytes;
      for (int64_t r0 = 0; r0 < g.rows; r0 += kTileRows) {
        const std::byte* ap = g.a_pack + static_cast<size_t>(r0) * kBlockUnits * 4;
        gemm_rows<OP>(ap, bp, g, nu, y0 + static_cast<size_t>(r0) * ys + 4 * p * kCols, cols_of(p), first, last,
                      comp_at(g, p), g.rows - r0 < kTileRows ? g.rows - r0 : kTileRows);
      }
    }
  }
}

}  // namespace
}  // namespace amxlab::plain::raw
