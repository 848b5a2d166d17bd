// The AVX-512 panel GEMM, written once for the five plain operations (plain_raw.h Op).
// Included ONLY by the avx512_panel_*.cpp translation units, each built with the ISA
// flags of its operations; everything here has internal linkage, so no copy compiled
// for one ISA set can be picked by the linker for another.
//
// Loop nest of one slice (rows m0..m1, columns n0..n1):
//   the activations are broadcast 4 bytes per row and unit from g.a: the caller's rows,
//   or the portable wrapper's copy for s8 (+ 128 as u8) and a K that ends inside a unit
//   (zero-padded; plain::whole_unit_rows);
//   for each K block of kBlockUnits units:
//     for each pair of panels (64 columns), for each block of 6 rows: the register tile
//       (R <= 6 rows x 64 columns: 4R zmm accumulators) runs over the block's units.
//       One row only (a GEMV): 1 x 128 over four panels at once, 8 accumulators, so that
//       the fused chains' latency is hidden.
//   The accumulators start at zero in the first block, go to a partial-sum scratch
//   between blocks and are reloaded from it (exact: the same fp32 / int32 values), and
//   get the s8 x s8 compensation in the last, which writes dst.
// Per output, the operations therefore run in ascending K, one fused step per unit
// (VDPBF16PS: the odd pair then the even pair): the scalar models in
// reference/golden/kernel_models.h reproduce it bit for bit.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <utility>

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
    // u8 activations x s8 weights, wrapping. Written as asm: gcc 12 copies the
    // accumulator around every _mm512_dpbusd_epi32 (two register moves per step).
    asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(w));
    return acc;
  } else if constexpr (OP == kBf16) {
    // GCC's vector cast reinterprets the bits (no conversion).
    return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)w);  // NOLINT(google-readability-casting)
  } else {
    return _mm512_fmadd_ps(a, w, acc);
  }
}

inline __mmask16 lanes(int64_t valid) {
  if (valid >= 16) return 0xffff;
  return valid <= 0 ? __mmask16{0} : static_cast<__mmask16>((1u << valid) - 1u);
}

// Which dst columns of the tile are the slice's: [skip, cols) of its 32 NP columns.
struct Cols {
  int64_t skip = 0, cols = 0;
  bool all(int np) const { return skip <= 0 && cols >= 32 * np; }
  __mmask16 mask(int c) const { return static_cast<__mmask16>(lanes(cols - 16 * c) & ~lanes(skip - 16 * c)); }
};

// Where a tile's accumulators come from and go to: dst itself (row stride of dst), or its
// place in the slice's partial-sum scratch (kPartBytes per tile, contiguous, in the order
// the tiles run: the hardware prefetcher streams it; dst rows are a page apart).
struct Acc {
  const std::byte* in = nullptr;  // null: start at zero (first K block)
  size_t in_stride = 0;
  std::byte* out = nullptr;
  size_t out_stride = 0;
  // What the next tile reads and writes (its partial sums, its dst rows), prefetched
  // while this one computes: a K block of a tile is ~3000 cycles, a miss ~500.
  const std::byte* prefetch = nullptr;
  size_t prefetch_stride = 0;
  const std::byte* prefetch2 = nullptr;
  size_t prefetch2_stride = 0;
};
inline constexpr size_t kPartRowBytes = 256;  // 64 columns
inline constexpr size_t kPartBytes = kGemmRows * kPartRowBytes;

// R rows x NP panels (32 NP columns) over `units` units. a: activation row 0 of the tile
// at its first unit (row r at a + r * a_pitch, 4 bytes per unit); bp: panel 0 at the
// block's first unit. noclone: a constant-propagated clone (gcc 12) lost the register
// allocation of the 24 accumulators and spilled them in the inner loop.
template <int OP, int R, int NP>
AMXLAB_NOCLONE void tile(const std::byte* a, size_t a_pitch, const std::byte* bp, const PanelArgs& g,
                         int64_t units, Cols cols, const Acc& io, const int32_t* comp) {
  constexpr int C = 2 * NP;
  const size_t half = OP == kF16 ? 32 : 64;  // bytes of 16 lanes in a unit row
  Vec<OP> acc[R][C];
  // Masks only at the edges of the slice; inside it every lane is the slice's.
  const bool all = cols.all(NP);
  __mmask16 mask[C];
#pragma GCC unroll 8
  for (int c = 0; c < C; ++c) mask[c] = all ? __mmask16{0xffff} : cols.mask(c);
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      acc[r][c] =
          io.in == nullptr ? vzero<OP>() : vload_masked<OP>(io.in + r * io.in_stride + 64 * c, mask[c]);
  }
  for (const auto& [at, stride] :
       {std::pair{io.prefetch, io.prefetch_stride}, std::pair{io.prefetch2, io.prefetch2_stride}}) {
    if (at == nullptr) continue;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c)
        _mm_prefetch(reinterpret_cast<const char*>(at + r * stride + 64 * c), _MM_HINT_T0);
    }
  }
  for (int64_t u = 0; u < units; ++u) {
    Vec<OP> w[C];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c)
      w[c] = vload_weights<OP>(bp + static_cast<size_t>(c / 2) * g.panel_bytes +
                               static_cast<size_t>(u) * g.unit_row_bytes + half * (c % 2));
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const Vec<OP> x = vbroadcast<OP>(a + r * a_pitch + 4 * u);
#pragma GCC unroll 8
      for (int c = 0; c < C; ++c) acc[r][c] = vstep<OP>(acc[r][c], x, w[c]);
    }
  }
  if constexpr (OP == kS8S8) {
    if (comp != nullptr) {
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
      if (mask[c] != 0) vstore_masked<OP>(io.out + r * io.out_stride + 64 * c, mask[c], acc[r][c]);
    }
  }
}

template <int OP>
void gemv_panels(const std::byte* a, const std::byte* bp, const PanelArgs& g, int64_t nu, Cols cols,
                 const Acc& io, const int32_t* comp, int np) {
  switch (np) {
    case 4: return tile<OP, 1, 4>(a, 0, bp, g, nu, cols, io, comp);
    case 3: return tile<OP, 1, 3>(a, 0, bp, g, nu, cols, io, comp);
    case 2: return tile<OP, 1, 2>(a, 0, bp, g, nu, cols, io, comp);
    default: return tile<OP, 1, 1>(a, 0, bp, g, nu, cols, io, comp);
  }
}

// Rows 1..kGemmRows against NP = 1 or 2 panels.
template <int OP, int NP>
void gemm_rows(const std::byte* a, size_t a_pitch, const std::byte* bp, const PanelArgs& g, int64_t nu,
               Cols cols, const Acc& io, const int32_t* comp, int64_t rows) {
  static_assert(kGemmRows == 6);
  switch (rows) {
    case 6: return tile<OP, 6, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
    case 5: return tile<OP, 5, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
    case 4: return tile<OP, 4, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
    case 3: return tile<OP, 3, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
    case 2: return tile<OP, 2, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
    default: return tile<OP, 1, NP>(a, a_pitch, bp, g, nu, cols, io, comp);
  }
}

inline const int32_t* comp_at(const PanelArgs& g, int64_t panel, bool last) {
  return g.op != kS8S8 || !last ? nullptr : g.w_sum128 + panel * 32;
}

template <int OP>
void panel_gemm(const PanelArgs& g) {
  constexpr int64_t kCols = 32;
  const int64_t p0 = g.n0 / kCols, p1 = (g.n1 + kCols - 1) / kCols;
  // y points at column 0; tiles start at panel boundaries and skip what precedes n0.
  auto* y0 = static_cast<std::byte*>(g.y);
  const size_t ys = g.y_stride * 4;
  auto cols_of = [&](int64_t p) { return Cols{g.n0 - p * kCols, g.n1 - p * kCols}; };
  const std::byte* a = g.a;  // whole 4-byte units per row (plain::whole_unit_rows)
  const size_t a_pitch = g.a_stride;
  const int64_t row_tiles = (g.rows + kGemmRows - 1) / kGemmRows;
  // One row tile only (M <= 6, decode): no weight block is reused across row tiles, so K
  // is not blocked and every panel is one long sequential stream.
  const int64_t block = block_units(g.rows, g.units);
  for (int64_t u0 = 0; u0 < g.units; u0 += block) {
    const int64_t nu = g.units - u0 < block ? g.units - u0 : block;
    const bool first = u0 == 0, last = u0 + nu == g.units;
    const std::byte* b0 = g.w + static_cast<size_t>(u0) * g.unit_row_bytes;
    const std::byte* au = a + 4 * u0;
    if (g.rows == 1) {
      // One row: the partial sums stay in dst (one contiguous row).
      for (int64_t p = p0; p < p1; p += 4) {
        const int np = static_cast<int>(p1 - p < 4 ? p1 - p : 4);
        std::byte* yt = y0 + 4 * p * kCols;
        const Acc io{first ? nullptr : yt, 0, yt, 0, yt + 4 * np * kCols, 0, nullptr, 0};
        gemv_panels<OP>(au, b0 + static_cast<size_t>(p) * g.panel_bytes, g, nu, cols_of(p), io,
                        comp_at(g, p, last), np);
      }
      continue;
    }
    // Tiles of 6 rows x 64 columns (two panels): 6 broadcasts and 4 weight loads per 24
    // multiply-adds; the weights of a panel pair and K block stay in L1 across the rows.
    for (int64_t p = p0; p < p1; p += 2) {
      const std::byte* bp = b0 + static_cast<size_t>(p) * g.panel_bytes;
      for (int64_t r0 = 0; r0 < g.rows; r0 += kGemmRows) {
        std::byte* yt = y0 + static_cast<size_t>(r0) * ys + 4 * p * kCols;
        std::byte* part =
            g.c_part + static_cast<size_t>((p - p0) / 2 * row_tiles + r0 / kGemmRows) * kPartBytes;
        // The next tile: the next rows of these panels, else the first rows of the next.
        const std::byte* y_next = r0 + kGemmRows < g.rows ? yt + kGemmRows * ys : y0 + 4 * (p + 2) * kCols;
        Acc io;
        io.in = first ? nullptr : part;
        io.in_stride = kPartRowBytes;
        io.out = last ? yt : part;
        io.out_stride = last ? ys : kPartRowBytes;
        // The next tile's partial sums follow this one's (same pass), except after the
        // last row tile of the last panel pair.
        io.prefetch = part + kPartBytes;
        io.prefetch_stride = kPartRowBytes;
        io.prefetch2 = last ? y_next : nullptr;
        io.prefetch2_stride = ys;
        const int64_t rows = g.rows - r0 < kGemmRows ? g.rows - r0 : kGemmRows;
        const std::byte* at = au + static_cast<size_t>(r0) * a_pitch;
        if (p + 1 < p1) {
          gemm_rows<OP, 2>(at, a_pitch, bp, g, nu, cols_of(p), io, comp_at(g, p, last), rows);
        } else {
          gemm_rows<OP, 1>(at, a_pitch, bp, g, nu, cols_of(p), io, comp_at(g, p, last), rows);
        }
      }
    }
  }
}

}  // namespace
}  // namespace amxlab::plain::raw
