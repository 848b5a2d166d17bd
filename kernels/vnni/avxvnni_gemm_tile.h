// AVX-VNNI GEMM over the vnni16 layout, for CPUs (and ISA caps) without AVX-512: a 16-row
// strip is two ymm halves (lanes 0-7 are bytes 0..31 of each 64-byte code row, lanes 8-15
// bytes 32..63). Same per-lane arithmetic and order as vnni16_tile.h (see there). One
// body, two translation units (kernels/vnni/avxvnni_dot.h): avxvnni_gemm.cpp (VEX
// VPDPBUSD, -mavx2 -mavxvnni -mfma -mf16c, the production kernels) and avxvnni_evex.cpp
// (EVEX VPDPBUSD, AVX512-VL: the stand-ins that prove this code where AVX-VNNI is
// missing). Internal linkage throughout (vnni_raw.h says why).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/vnni/avxvnni_dot.h"
#include "kernels/vnni/iq4_book.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/row_terms.h"
#include "kernels/vnni/row_tiles.h"
#include "kernels/vnni/strip_order.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

struct Ctx {
  const uint8_t* w;
  size_t strip_bytes, group_bytes, d_offset, m_offset, code_offset;
  int64_t blocks;
  const uint8_t* a;
  size_t a_stride, a_block_bytes, a_code_offset;
  const float* da;
  const int32_t* nc;
  const float* sa;
  const uint8_t* ops;  // RowTerms::ops (the plain AVX2 signed kinds)
  float* y;
  size_t y_stride;
  int64_t n0, n1;
};

// The VPDPBUSD form (Dot256), one instruction with VNNI. Q8_0's code + 128 and IQ4_NL's
// book + 128 reach 255, which the plain AVX2 dpbusd cannot take: there they go through
// the signed kinds (block_dot).
template <int KIND>
[[gnu::always_inline]] inline __m256i dot_of(__m256i acc, __m256i u, __m256i a) {
  static_assert(KIND == kQ4_0 || KIND == kQ4_1 || Dot256::kFullU8, "u up to 255: the signed kinds");
  return Dot256::dpbusd(acc, u, a);
}
template <int KIND, int MR, int NS>
[[gnu::always_inline]] inline void block_dot_vnni(const uint8_t* const (&codes)[NS],
                                                  const uint8_t* const (&ar)[MR], size_t aoff,
                                                  const __m256i (&init)[MR], __m256i (&ia)[MR][2 * NS]) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i book = iq4_book_u8_256();  // IQ4_NL only
#pragma GCC unroll 4
  for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 4
    for (int u = 0; u < 2 * NS; ++u) ia[m][u] = init[m];
  }
  if constexpr (KIND == kQ8_0) {
#pragma GCC unroll 8
    for (int kk = 0; kk < 8; ++kk) {
      __m256i w[2 * NS];
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u)
        w[u] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes[u / 2] + 64 * kk + 32 * (u % 2)));
#pragma GCC unroll 4
      for (int m = 0; m < MR; ++m) {
        const __m256i av = _mm256_set1_epi32(load_i32(ar[m] + aoff + 4 * kk));
#pragma GCC unroll 4
        for (int u = 0; u < 2 * NS; ++u) ia[m][u] = dot_of<KIND>(ia[m][u], w[u], av);
      }
    }
  } else {
#pragma GCC unroll 4
    for (int kk = 0; kk < 4; ++kk) {
      __m256i lo[2 * NS], hi[2 * NS];
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u) {
        const __m256i rv =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes[u / 2] + 64 * kk + 32 * (u % 2)));
        lo[u] = _mm256_and_si256(rv, low4);
        hi[u] = _mm256_and_si256(_mm256_srli_epi16(rv, 4), low4);
        if constexpr (KIND == kIQ4_NL) {  // index -> code + 128; the chain starts at -128 * sum(a)
          lo[u] = _mm256_shuffle_epi8(book, lo[u]);
          hi[u] = _mm256_shuffle_epi8(book, hi[u]);
        }
      }
#pragma GCC unroll 4
      for (int m = 0; m < MR; ++m) {
        const __m256i alo = _mm256_set1_epi32(load_i32(ar[m] + aoff + 4 * kk));
        const __m256i ahi = _mm256_set1_epi32(load_i32(ar[m] + aoff + 16 + 4 * kk));
#pragma GCC unroll 4
        for (int u = 0; u < 2 * NS; ++u)
          ia[m][u] = dot_of<KIND>(dot_of<KIND>(ia[m][u], lo[u], alo), hi[u], ahi);
      }
    }
  }
}

// Kinds of this body beyond vnni_raw.h's: the plain AVX2 dot's signed forms of Q8_0's
// codes (and IQ4_NL's GEMM, which reads Q8_0-layout codes) and of IQ4_NL's nibble GEMV
// (block_dot below).
constexpr int kQ8_0Signed = 16, kIQ4_NLSigned = 17;
template <int KIND>
constexpr bool kSigned = KIND == kQ8_0Signed || KIND == kIQ4_NLSigned;
// Where the signed kinds' tile reads its activation operands: stored once per call
// (RowTerms::ops, 64 bytes per block), or formed in the loop from the codes (34 bytes per
// block, three more instructions per activation dword). Measured at M = 1, N = 4096, K =
// 14336 (3 interleaved rounds, 2026-11-30): Q8_0's one-row tile streams 17 bytes of
// weights per 16 products and ran 15-20 % slower on the stored operands, whose two
// broadcasts per dword double the activation bytes each weight strip brings back
// (2042-2234 us in the loop against 2496-2591 stored, 1 thread); IQ4_NL's one-row GEMV
// reads nibbles and is compute-bound: stored 1599-1650 us against 1710-1729 in the loop.
// The GEMM tiles (MR >= 2) store.
template <int KIND, int MR>
constexpr bool kOpsStored = kSigned<KIND> && !(MR == 1 && KIND == kQ8_0Signed);
template <int KIND>
constexpr bool kByteCodes = KIND == kQ8_0 || KIND == kQ8_0Signed;  // else two nibbles per byte

// The exact int32 sum per lane of one block's 32 products, for MR rows and NS strips of
// two halves each (ia[m][2 s + h]; half 0, ymm lanes 0-7: bytes 0..31 of each 64-byte code
// row, half 1, lanes 8-15: bytes 32..63), started from init[m]. codes[s]: strip s's first
// code row of the block; ar[m] + aoff: row m's 32 activation codes. Each lane's chain is
// the same for any NS; an activation dword's broadcast (and Q8_0's |a| and flip) is one
// value for all 2 NS halves, which gcc forms once (2026-12-01: 8 VPABSB per block in the
// Q8_0 GEMV's 2-strip tile).
#if defined(AMXLAB_DOT256_AVX2)
// Plain AVX2 (no VPDPBUSD): each VPMADDUBSW gives int16 pair sums, which VPMADDWD by ones
// widens to int32. Where the operands allow, fewer widenings:
//   Q4_0 / Q4_1: a pair is a nibble (<= 15) times two codes (>= -128), at most 3840 in
//     size, so the 8 VPMADDUBSW of a block add up in int16 (16 products, at most 30720)
//     and one VPMADDWD per block widens them: one multiply per 32 products instead of two;
//   Q8_0 and IQ4_NL (kQ8_0Signed, kIQ4_NLSigned): Dot256::dot_flip on the stored biased
//     codes (code + 128; IQ4_NL's book + 128) and each activation dword's |a| and flip,
//     formed once per call (add_signed_operands, into RowTerms::ops, where ar[m] + aoff
//     then points) or in the loop (kOpsStored says which): one VPMADDUBSW and a VPXOR
//     per 32 products, for any codes (-128 included), the chain starting at neg(a) (in
//     RowTerms::nc).
template <int KIND, int MR, int NS>
[[gnu::always_inline]] inline void block_dot(const uint8_t* const (&codes)[NS],
                                             const uint8_t* const (&ar)[MR], size_t aoff,
                                             const __m256i (&init)[MR], __m256i (&ia)[MR][2 * NS]) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const auto load = [&](int s, size_t off) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes[s] + off));
  };
  const auto bcast = [&](int m, size_t off) { return _mm256_set1_epi32(load_i32(ar[m] + aoff + off)); };
  if constexpr (KIND == kQ4_0 || KIND == kQ4_1) {
    __m256i s16[MR][2 * NS];
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u) s16[m][u] = _mm256_setzero_si256();
    }
#pragma GCC unroll 4
    for (int kk = 0; kk < 4; ++kk) {
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u) {  // strip u / 2, half u % 2
        // gcc loads raw twice (a VMOVDQU and a VPAND from memory): one load (an empty asm on
        // raw) measured no faster by the fastest repetitions and 1.12x slower for the Q4_0
        // GEMM at 2 threads (2026-12-01, results/zen4-epyc-2core-vm-avx2-only/
        // 2026-12-01-twentysixth-session/nibble-one-load/).
        const __m256i raw = load(u / 2, 64 * static_cast<size_t>(kk) + 32 * static_cast<size_t>(u % 2));
        const __m256i lo = _mm256_and_si256(raw, low4);
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
#pragma GCC unroll 4
        for (int m = 0; m < MR; ++m) {
          s16[m][u] = dot16(dot16(s16[m][u], lo, bcast(m, 4 * kk)), hi, bcast(m, 16 + 4 * kk));
        }
      }
    }
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u) ia[m][u] = widen16(init[m], s16[m][u]);
    }
  } else if constexpr (kSigned<KIND>) {
    const __m256i book = iq4_book_u8_256();  // IQ4_NL: index -> code + 128
    const __m256i ones = _mm256_set1_epi16(1);
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 4
      for (int u = 0; u < 2 * NS; ++u) ia[m][u] = init[m];
    }
    // One vector of biased codes u against row m's activation dword at byte off of the
    // block: its |a| at off, its flip 32 bytes on.
    const auto dot = [&](__m256i& acc, __m256i u, int m, size_t off) {
      if constexpr (!kOpsStored<KIND, MR>) {
        const auto o = Dot256::signed_operands(bcast(m, off));
        acc = Dot256::dot_flip(acc, u, o.abs, o.flip, ones);
      } else {
        acc = Dot256::dot_flip(acc, u, bcast(m, off), bcast(m, 32 + off), ones);
      }
    };
    if constexpr (KIND == kQ8_0Signed) {
#pragma GCC unroll 8
      for (int kk = 0; kk < 8; ++kk) {
#pragma GCC unroll 4
        for (int u = 0; u < 2 * NS; ++u) {
          const __m256i w = load(u / 2, 64 * static_cast<size_t>(kk) + 32 * static_cast<size_t>(u % 2));
#pragma GCC unroll 4
          for (int m = 0; m < MR; ++m) dot(ia[m][u], w, m, 4 * static_cast<size_t>(kk));
        }
      }
    } else {
#pragma GCC unroll 4
      for (int kk = 0; kk < 4; ++kk) {
#pragma GCC unroll 4
        for (int u = 0; u < 2 * NS; ++u) {
          const __m256i raw = load(u / 2, 64 * static_cast<size_t>(kk) + 32 * static_cast<size_t>(u % 2));
          const __m256i lo = _mm256_shuffle_epi8(book, _mm256_and_si256(raw, low4));
          const __m256i hi = _mm256_shuffle_epi8(book, _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4));
#pragma GCC unroll 4
          for (int m = 0; m < MR; ++m) {
            dot(ia[m][u], lo, m, 4 * static_cast<size_t>(kk));
            dot(ia[m][u], hi, m, 16 + 4 * static_cast<size_t>(kk));
          }
        }
      }
    }
  } else {
    block_dot_vnni<KIND, MR, NS>(codes, ar, aoff, init, ia);
  }
}
#else
template <int KIND, int MR, int NS>
[[gnu::always_inline]] inline void block_dot(const uint8_t* const (&codes)[NS],
                                             const uint8_t* const (&ar)[MR], size_t aoff,
                                             const __m256i (&init)[MR], __m256i (&ia)[MR][2 * NS]) {
  block_dot_vnni<KIND, MR, NS>(codes, ar, aoff, init, ia);
}
#endif

// MR rows x NS strips (2 ymm halves each): 2*MR*NS int32 + 2*MR*NS fp32 accumulators.
// The GEMMs take one strip per tile; the plain AVX2 GEMVs two (drive_gemv).
template <int KIND, int MR, int NS = 1>
[[gnu::always_inline]] inline void tile(const Ctx& c, int64_t r0, TileStrips ts) {
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = c.w + static_cast<size_t>(ts.strip(s)) * c.strip_bytes;
  const uint8_t* ar[MR];
  size_t at[MR];
  for (int m = 0; m < MR; ++m) {
    at[m] = static_cast<size_t>(r0 + m) * static_cast<size_t>(c.blocks);
    ar[m] = kOpsStored<KIND, MR> ? c.ops + 64 * at[m]
                                 : c.a + static_cast<size_t>(r0 + m) * c.a_stride + c.a_code_offset;
  }
  const size_t a_block_bytes = kOpsStored<KIND, MR> ? 64 : c.a_block_bytes;
  constexpr int kU = 2 * NS;  // ymm halves: strip u / 2, half u % 2
  __m256 acc[MR][kU];
  for (int m = 0; m < MR; ++m) {
    for (int u = 0; u < kU; ++u) acc[m][u] = _mm256_setzero_ps();
  }
  for (int64_t b = 0; b < c.blocks; ++b) {
    const size_t goff = static_cast<size_t>(b >> 1) * c.group_bytes;
    const size_t h = static_cast<size_t>(b & 1);
    const size_t aoff = static_cast<size_t>(b) * a_block_bytes;
    __m256i init[MR];
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      init[m] =
          KIND == kQ4_1 ? _mm256_setzero_si256() : _mm256_set1_epi32(c.nc[at[m] + static_cast<size_t>(b)]);
    }
    const uint8_t* codes[NS];
    for (int s = 0; s < NS; ++s) codes[s] = ws[s] + goff + c.code_offset + h * (kByteCodes<KIND> ? 512 : 256);
    __m256i ia[MR][kU];
    block_dot<KIND, MR, NS>(codes, ar, aoff, init, ia);
    __m256 dw[kU];
#pragma GCC unroll 4
    for (int u = 0; u < kU; ++u) {
      dw[u] = _mm256_cvtph_ps(_mm_loadu_si128(
          reinterpret_cast<const __m128i*>(ws[u / 2] + goff + c.d_offset + 32 * h + 16 * (u % 2))));
    }
#pragma GCC unroll 4
    for (int m = 0; m < MR; ++m) {
      const __m256 dav = _mm256_set1_ps(c.da[at[m] + static_cast<size_t>(b)]);
#pragma GCC unroll 4
      for (int u = 0; u < kU; ++u) {
        acc[m][u] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(ia[m][u]), _mm256_mul_ps(dw[u], dav), acc[m][u]);
      }
    }
    if constexpr (KIND == kQ4_1) {
      __m256 mw[kU];
#pragma GCC unroll 4
      for (int u = 0; u < kU; ++u) {
        mw[u] = _mm256_cvtph_ps(_mm_loadu_si128(
            reinterpret_cast<const __m128i*>(ws[u / 2] + goff + c.m_offset + 32 * h + 16 * (u % 2))));
      }
#pragma GCC unroll 4
      for (int m = 0; m < MR; ++m) {
        const __m256 sav = _mm256_set1_ps(c.sa[at[m] + static_cast<size_t>(b)]);
#pragma GCC unroll 4
        for (int u = 0; u < kU; ++u) acc[m][u] = _mm256_fmadd_ps(mw[u], sav, acc[m][u]);
      }
    }
  }
  for (int s = 0; s < NS; ++s) {
    const int64_t c0 = ts.strip(s) * 16;
    const bool whole = c0 >= c.n0 && c0 + 16 <= c.n1;
    for (int m = 0; m < MR; ++m) {
      float* yr = c.y + static_cast<size_t>(r0 + m) * c.y_stride;
      if (whole) {
        _mm256_storeu_ps(yr + c0, acc[m][2 * s]);
        _mm256_storeu_ps(yr + c0 + 8, acc[m][2 * s + 1]);
      } else {
        alignas(32) float tmp[16];
        _mm256_store_ps(tmp, acc[m][2 * s]);
        _mm256_store_ps(tmp + 8, acc[m][2 * s + 1]);
        for (int64_t i = 0; i < 16; ++i) {
          if (c0 + i >= c.n0 && c0 + i < c.n1) yr[c0 + i] = tmp[i];
        }
      }
    }
  }
}

// The tile of mr (1..MR) rows.
template <int KIND, int MR>
[[gnu::always_inline]] inline void tile_of(const Ctx& c, int mr, int64_t r, int64_t s) {
  const TileStrips one{s, 1, 1};
  if constexpr (MR == 1) {
    tile<KIND, 1>(c, r, one);
  } else if (mr == MR) {
    tile<KIND, MR>(c, r, one);
  } else {
    tile_of<KIND, MR - 1>(c, mr, r, s);
  }
}

inline Ctx make_ctx(const GemmArgs& g, const RowTerms& t) {
  return Ctx{reinterpret_cast<const uint8_t*>(g.w),
             g.strip_bytes,
             g.group_bytes,
             g.d_offset,
             g.m_offset,
             g.code_offset,
             g.blocks,
             reinterpret_cast<const uint8_t*>(g.a),
             g.a_stride,
             g.a_block_bytes,
             g.a_code_offset,
             t.da,
             t.nc,
             t.sa,
             t.ops,
             g.y,
             g.y_stride,
             g.n0,
             g.n1};
}

// Rows in tiles of up to kMR: 2 for the GEMMs (3 for the plain AVX2 Q4_0 / Q4_1:
// kNibbleMR), 1 for the AVX-VNNI IQ4_NL GEMV (op gemv, tile 1x16); the last rows of a
// call in smaller tiles (row_tiles.h, tile_of). One strip per tile, 8 adjacent strips per
// chunk.
template <int KIND, int kMR = 2>  // 2: 4 int32 + 4 fp32 accumulators, 2 code, 2 scale regs: 16 ymm
void drive(const GemmArgs& g, const RowTerms& t) {
  constexpr int64_t kChunkStrips = 8;
  const Ctx c = make_ctx(g, t);
  const int64_t s_lo = g.n0 / 16, s_hi = (g.n1 + 15) / 16;
  for (int64_t sc = s_lo; sc < s_hi; sc += kChunkStrips) {
    const int64_t se = sc + kChunkStrips < s_hi ? sc + kChunkStrips : s_hi;
    int mr = 0;
    for (int64_t r = 0; r < g.rows; r += mr) {
      mr = tile_rows(g.rows - r, kMR);
      for (int64_t s = sc; s < se; ++s) tile_of<KIND, kMR>(c, mr, r, s);
    }
  }
}

// The GEMVs: rows one at a time, each over tiles of NS staggered strips (strip_order.h),
// every strip over all of K; a tile short of strips (the slice's last) takes fewer.
template <int KIND, int NS>
void drive_gemv(const GemmArgs& g, const RowTerms& t) {
  const Ctx c = make_ctx(g, t);
  const StripOrder<NS> order(g.n0 / 16, (g.n1 + 15) / 16, true);
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t j = 0; j < order.tile_count(); ++j) {
      const TileStrips ts = order.tile(j);
      if (ts.count == NS) {
        tile<KIND, 1, NS>(c, r, ts);
      } else {
        for (int q = 0; q < ts.count; ++q) tile<KIND, 1>(c, r, TileStrips{ts.strip(q), 1, 1});
      }
    }
  }
}

#if defined(AMXLAB_DOT256_AVX2)
// The plain AVX2 signed kinds' operands (block_dot): per row and block, the |a| and flip
// of its 32 codes into RowTerms::ops and neg(a), the chain's start, into RowTerms::nc.
inline void add_signed_operands(const GemmArgs& g, const RowTerms& t, bool store_ops) {
  for (int64_t r = 0; r < g.rows; ++r) {
    const auto* row = reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride;
    for (int64_t b = 0; b < g.blocks; ++b) {
      const size_t at = static_cast<size_t>(r * g.blocks + b);
      const auto o = Dot256::signed_operands(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(
          row + static_cast<size_t>(b) * g.a_block_bytes + g.a_code_offset)));
      if (store_ops) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(t.ops + 64 * at), o.abs);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(t.ops + 64 * at + 32), o.flip);
      }
      t.nc[at] = Dot256::neg_sum(o);
    }
  }
}
#endif

// Rows per tile of the Q4_0 / Q4_1 GEMMs. The plain AVX2 dot issues ~4 vector
// instructions per cycle here, of which VPMADDUBSW, VPMADDWD and the fp32 epilogue take
// two pipes (a scratch loop, 2026-11-30: 16 VPMADDUBSW take 7.8 cycles, 16 VPADDW 3.9,
// and 16 VPBROADCASTD loads slow the VPADDW but not the VPMADDUBSW), so the nibble
// unpacking (VPAND, VPSRLW, VPAND per 64 codes) is paid per tile: 3 rows share it (the
// 12 accumulators leave the fp32 ones to the stack between blocks). 3 x 16 against 2 x
// 16 at M = 512, N = K = 4096, one thread, two alternating rounds: Q4_0 94-96 ms
// against 100-101, Q4_1 96-97 against 104. 4 rows (tried 2026-12-01: gcc then keeps
// some broadcasts on the stack) measured level with 3 by the minima over 8 alternating
// turns at one thread (1.00-1.02 at M = 512 and 64), medians 1.02-1.16 on a noisy VM.
// With VPDPBUSD the unpacking is a smaller share: 2 rows.
#if defined(AMXLAB_DOT256_AVX2)
constexpr int kNibbleMR = kAvx2NibbleTileRows;
#else
constexpr int kNibbleMR = 2;
#endif

// The entry point's body (GemmArgs::kind: IQ4_NL's GEMM reads Q8_0 codes). The plain
// AVX2 dot takes Q8_0's codes through the signed kind (block_dot).
inline void avxvnni_gemm_body(const GemmArgs& g) {
  const RowTerms t = prepare_row_terms(g);
  switch (g.kind) {
    case kQ8_0:
#if defined(AMXLAB_DOT256_AVX2)
      add_signed_operands(g, t, kOpsStored<kQ8_0Signed, 2> && g.rows > 1);  // one row: kOpsStored
      return drive<kQ8_0Signed>(g, t);
#else
      return drive<kQ8_0>(g, t);
#endif
    case kQ4_0: return drive<kQ4_0, kNibbleMR>(g, t);
    default: return drive<kQ4_1, kNibbleMR>(g, t);
  }
}

#if defined(AMXLAB_DOT256_AVX2)
// The plain AVX2 GEMVs of Q8_0, Q4_0, Q4_1 and IQ4_NL (`<t>_gemv_1x32__avx2`): the GEMM's
// blocks two strips at a time (kAvx2GemvTileStrips), staggered, instead of its one-strip
// tiles of adjacent strips. The signed kinds' operands: Q8_0 forms them in the loop,
// IQ4_NL's index nibbles read them stored (kOpsStored).
inline void avx2_gemv_body(const GemmArgs& g) {
  const RowTerms t = prepare_row_terms(g);
  constexpr int kNS = kAvx2GemvTileStrips;
  switch (g.kind) {
    case kQ8_0:
      add_signed_operands(g, t, kOpsStored<kQ8_0Signed, 1>);
      return drive_gemv<kQ8_0Signed, kNS>(g, t);
    case kIQ4_NL:
      add_signed_operands(g, t, kOpsStored<kIQ4_NLSigned, 1>);
      return drive_gemv<kIQ4_NLSigned, kNS>(g, t);
    case kQ4_0: return drive_gemv<kQ4_0, kNS>(g, t);
    default: return drive_gemv<kQ4_1, kNS>(g, t);
  }
}
#else
// The AVX-VNNI GEMVs of Q8_0, Q4_0 and Q4_1 (`<t>_gemv_1x32__avxvnni`): as the plain AVX2
// ones, the GEMM's blocks over two staggered strips per tile, so one row streams two
// places of the weights at once. Against the AVX-VNNI GEMM at M = 1 (its one-strip tiles;
// twenty-ninth session, Zen 5, N = 4096, K = 4096 and 14336, 1 and 2 threads, hot and
// cold, medians of four back-to-back pairs): Q4_0 0.81-0.94, Q4_1 0.84-0.97, Q8_0
// 0.75-1.04 of its time (results/zen5-epyc-2core-vm/.../avxvnni-gemv/).
inline void avxvnni_gemv_body(const GemmArgs& g) {
  const RowTerms t = prepare_row_terms(g);
  constexpr int kNS = kAvx2GemvTileStrips;
  switch (g.kind) {
    case kQ8_0: return drive_gemv<kQ8_0, kNS>(g, t);
    case kQ4_0: return drive_gemv<kQ4_0, kNS>(g, t);
    default: return drive_gemv<kQ4_1, kNS>(g, t);
  }
}

// The AVX-VNNI IQ4_NL GEMV's body: its index nibbles (iq4_nl_nib_vnni16, 18 bytes per 32
// weights where the GEMMs' iq4_nl_vnni16 holds 34) through Q4_0's loop, each nibble looked
// up by VPSHUFB in the code book + 128, rows one at a time (on plain AVX2: avx2_gemv_body).
inline void avxvnni_iq4_nl_gemv_body(const GemmArgs& g) {
  drive<kIQ4_NL, 1>(g, prepare_row_terms(g));
}
#endif

}  // namespace
}  // namespace amxlab::vnni::raw
