// AVX-512 VNNI GEMM / GEMV over the vnni16 layout (kernels/pack/vnni_pack.h): one body,
// two translation units. avx512_gemm.cpp (X = false) holds the entry points
// avx512_gemm / avx512_gemv, built with -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mfma
// -mf16c (vnni/sources.cmake); avx512ext_gemv.cpp (X = true) the IQ4_NL GEMV that looks
// its nibbles up with VPERMB (AVX-512 VBMI). Only reached through vnni_kernels.cpp after
// the ISA check. Everything here has internal linkage (vnni_raw.h says why).
//
// Per output column lane and block b, in ascending b (the golden order, golden_gemm.h):
//   isum  = VPDPBUSD chain over the block's 32 codes, started from -C * sum(a_b)
//           (C = 128 for q8_0's biased codes and iq4_nl's code book + 128, 8 for q4_0's
//           nibbles, 0 for q4_1): exact int32
//   acc   = VFMADD((float)isum, VMULPS(d_w, d_a), acc)        (one rounded multiply, one FMA)
//   q4_1: acc = VFMADD(m_w, s_a, acc)
// The fp32 accumulators live in registers for all of K and overwrite y at the end.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/vnni/chunk_prefetch.h"
#include "kernels/vnni/iq4_book.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/row_terms.h"
#include "kernels/vnni/strip_order.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

// The activations of one row tile, interleaved per block (build_panels, once per call):
// the MRP rows' 32 codes, then per row d_a (fp32), the int32 correction -C * sum(codes)
// and s_a (fp32, q4_1). One pointer walks a row tile's blocks: with four rows' codes,
// scales, corrections and sums each behind its own pointer the loop ran out of
// registers and reloaded them from the stack on every block.
template <int MRP>
struct Panel {
  static constexpr size_t kDa = 32 * MRP, kNc = 36 * MRP, kSa = 40 * MRP, kBlockBytes = 44 * MRP;
};
static_assert(Panel<1>::kBlockBytes == 4 * kPrepFloatsPerRowBlock, "prep_floats() holds the panels");

struct Ctx {
  const uint8_t* w;
  size_t strip_bytes, group_bytes, code_bytes, d_offset, m_offset, code_offset;
  int64_t blocks;
  const uint8_t* panel;  // row tile t at panel + t * tile_bytes
  size_t tile_bytes;
  float* y;
  size_t y_stride;
};

// VCVTDQ2PS / VCVTPH2PS in their zero-masking form with an all-ones mask (the same
// instruction): gcc 12's unmasked intrinsics merge into _mm512_undefined_ps(), which
// -Wmaybe-uninitialized reports (GCC bug 105593).
[[gnu::always_inline]] inline __m512 to_f32(__m512i v) {
  return _mm512_maskz_cvtepi32_ps(static_cast<__mmask16>(0xffff), v);
}
[[gnu::always_inline]] inline __m512 half_to_f32(__m256i h) {
  return _mm512_maskz_cvtph_ps(static_cast<__mmask16>(0xffff), h);
}

constexpr auto kAll = static_cast<__mmask16>(0xffff);

// The K range of one tile call and where its fp32 accumulators come from / go to.
struct KRange {
  int64_t b0, b1;  // blocks b0..b1
  bool first;      // b0 == 0: accumulators start at 0.0f
  bool last;       // b1 == K/32: the result goes to y, else back to `partial`
  float* partial;  // [rows of the slice][kPartialStride] fp32 accumulators between K ranges
};
constexpr int kPartialStride = 64;  // floats per row (NS <= 4 strips)
// GEMV (MR = 1): each strip's weights are read once, as 4 concurrent streams, and left
// to the hardware prefetchers. Until 2026-11-29 the q4_0 / q4_1 GEMV also prefetched
// every line 4 groups ahead (ninth session, Zen 5: 862 -> 684 us at 1 thread, Q4_0
// 1x4096x14336), which compensated for a layout whose block epilogues read scales ahead
// of the codes (vnni_pack.h: the scales now lead each group). With the scales first, on
// a Zen 4 VM, that prefetch was 3-10 % slower at one thread (2 interleaved rounds, cold,
// Q4_0 1x4096x14336: 1295 -> 1171 us; 2 or 8 groups ahead: 1261, 1265; K = 4096: 424 ->
// 392; Q4_1 1519 -> 1455) and within the noise at two, so it went
// (kernels/README.md "Record order").

// One block of one register tile: the int32 chains over its 32 codes, then the fp32
// epilogue into acc. wg[s]: strip s's group at the block's half h; pb: the row tile's
// panel at this block.
template <int KIND, bool X, int MR, int NS, int MRP>
[[gnu::always_inline]] inline void block(const Ctx& c, const uint8_t* const (&wg)[NS], size_t h,
                                         const uint8_t* pb, __m512 (&acc)[MR][NS]) {
  using P = Panel<MRP>;
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  const __m512i book = iq4_book_u8();  // IQ4_NL only
  __m512i ia[MR][NS];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    const __m512i init =
        KIND == kQ4_1 ? _mm512_setzero_si512() : _mm512_set1_epi32(load_i32(pb + P::kNc + 4 * m));
#pragma GCC unroll 8
    for (int s = 0; s < NS; ++s) ia[m][s] = init;
  }
  // Small tiles (the GEMV) have too few independent VPDPBUSD chains to hide its
  // latency: each block's chain is split in two (even / odd K groups, or low / high
  // nibbles) and the halves added (exact int32).
  constexpr bool kSplit = MR * NS < 8;
  __m512i ib[MR][NS];
  if constexpr (kSplit) {
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 8
      for (int s = 0; s < NS; ++s) ib[m][s] = _mm512_setzero_si512();
    }
  }
  if constexpr (KIND == kQ8_0) {
#pragma GCC unroll 8
    for (int kk = 0; kk < 8; ++kk) {
      __m512i wv[NS];
#pragma GCC unroll 8
      for (int s = 0; s < NS; ++s) wv[s] = _mm512_loadu_si512(wg[s] + c.code_offset + h * 512 + 64 * kk);
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) {
        const __m512i av = _mm512_set1_epi32(load_i32(pb + 32 * m + 4 * kk));
#pragma GCC unroll 8
        for (int s = 0; s < NS; ++s) {
          if (kSplit && kk % 2 == 1) {
            ib[m][s] = _mm512_dpbusd_epi32(ib[m][s], wv[s], av);
          } else {
            ia[m][s] = _mm512_dpbusd_epi32(ia[m][s], wv[s], av);
          }
        }
      }
    }
  } else {
#pragma GCC unroll 4
    for (int kk = 0; kk < 4; ++kk) {
      __m512i lo[NS], hi[NS];
#pragma GCC unroll 8
      for (int s = 0; s < NS; ++s) {
        const __m512i raw = _mm512_loadu_si512(wg[s] + c.code_offset + h * 256 + 64 * kk);
        if constexpr (KIND == kIQ4_NL && X) {
          // VPERMB (VBMI) through a table that holds the book four times: the index bits
          // above the nibble select a copy, so neither nibble needs a mask (3 operations
          // per row instead of 5; the kq nibble GEMV's IQ4_XS does the same).
          constexpr __mmask64 kAllBytes = ~__mmask64{0};
          lo[s] = _mm512_maskz_permutexvar_epi8(kAllBytes, raw, book);
          hi[s] = _mm512_maskz_permutexvar_epi8(kAllBytes, _mm512_srli_epi16(raw, 4), book);
        } else if constexpr (KIND == kIQ4_NL) {
          // The code book's value + 128 (u8) of each index: VPSHUFB within 128-bit lanes.
          hi[s] = _mm512_shuffle_epi8(book, _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4));
          lo[s] = _mm512_shuffle_epi8(book, _mm512_and_si512(raw, low4));
        } else {
          lo[s] = _mm512_and_si512(raw, low4);
          // Split chains keep the high nibble in place (16 x q: one AND instead of shift +
          // AND); that chain then sums 16 x dot(q_hi, a), an exact multiple of 16 below
          // 2^19, which is shifted back (exactly) before the halves are added.
          hi[s] = kSplit ? _mm512_maskz_andnot_epi32(kAll, low4, raw)
                         : _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
        }
      }
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) {
        const __m512i alo = _mm512_set1_epi32(load_i32(pb + 32 * m + 4 * kk));
        const __m512i ahi = _mm512_set1_epi32(load_i32(pb + 32 * m + 16 + 4 * kk));
#pragma GCC unroll 8
        for (int s = 0; s < NS; ++s) {
          ia[m][s] = _mm512_dpbusd_epi32(ia[m][s], lo[s], alo);
          if constexpr (kSplit) {
            ib[m][s] = _mm512_dpbusd_epi32(ib[m][s], hi[s], ahi);
          } else {
            ia[m][s] = _mm512_dpbusd_epi32(ia[m][s], hi[s], ahi);
          }
        }
      }
    }
  }
  if constexpr (kSplit) {
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 8
      for (int s = 0; s < NS; ++s) {
        const __m512i half =
            KIND == kQ4_0 || KIND == kQ4_1 ? _mm512_maskz_srai_epi32(kAll, ib[m][s], 4) : ib[m][s];
        ia[m][s] = _mm512_add_epi32(ia[m][s], half);
      }
    }
  }
  __m512 dw[NS];
  __m512 mw[NS];
#pragma GCC unroll 8
  for (int s = 0; s < NS; ++s) {
    dw[s] = half_to_f32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg[s] + c.d_offset + 32 * h)));
    if constexpr (KIND == kQ4_1) {
      mw[s] = half_to_f32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wg[s] + c.m_offset + 32 * h)));
    } else {
      mw[s] = dw[s];
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    const __m512 dav = _mm512_set1_ps(load_f32(pb + P::kDa + 4 * m));
#pragma GCC unroll 8
    for (int s = 0; s < NS; ++s) {
      acc[m][s] = _mm512_fmadd_ps(to_f32(ia[m][s]), _mm512_mul_ps(dw[s], dav), acc[m][s]);
    }
    if constexpr (KIND == kQ4_1) {
      const __m512 sav = _mm512_set1_ps(load_f32(pb + P::kSa + 4 * m));
#pragma GCC unroll 8
      for (int s = 0; s < NS; ++s) acc[m][s] = _mm512_fmadd_ps(mw[s], sav, acc[m][s]);
    }
  }
}

// One register tile: rows r0..r0+MR (a row tile of the panel), strips ts (strip_order.h),
// blocks k.b0..k.b1.
template <int KIND, bool X, int MR, int NS, int MRP>
[[gnu::always_inline]] inline void tile(const Ctx& c, int64_t r0, TileStrips ts, const KRange& k,
                                        const __mmask16* masks) {
  using P = Panel<MRP>;
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = c.w + static_cast<size_t>(ts.strip(s)) * c.strip_bytes;
  const uint8_t* panel = c.panel + static_cast<size_t>(r0 / MRP) * c.tile_bytes;
  __m512 acc[MR][NS];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    const float* pr = k.partial + static_cast<size_t>(r0 + m) * kPartialStride;
#pragma GCC unroll 8
    for (int s = 0; s < NS; ++s) acc[m][s] = k.first ? _mm512_setzero_ps() : _mm512_loadu_ps(pr + 16 * s);
  }
  for (int64_t b = k.b0; b < k.b1; ++b) {
    const size_t goff = static_cast<size_t>(b >> 1) * c.group_bytes;
    const size_t h = static_cast<size_t>(b & 1);
    const uint8_t* wg[NS];
#pragma GCC unroll 8
    for (int s = 0; s < NS; ++s) wg[s] = ws[s] + goff;
    block<KIND, X, MR, NS, MRP>(c, wg, h, panel + static_cast<size_t>(b) * P::kBlockBytes, acc);
  }
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    float* yr = c.y + static_cast<size_t>(r0 + m) * c.y_stride;
    float* pr = k.partial + static_cast<size_t>(r0 + m) * kPartialStride;
#pragma GCC unroll 8
    for (int s = 0; s < NS; ++s) {
      if (k.last) {
        _mm512_mask_storeu_ps(yr + 16 * ts.strip(s), masks[s], acc[m][s]);
      } else {
        _mm512_storeu_ps(pr + 16 * s, acc[m][s]);
      }
    }
  }
}

// tile<KIND, mr, ns> for run-time mr <= MR, ns = ts.count <= NS.
template <int KIND, bool X, int MR, int NS, int MRP>
void tile_dispatch(const Ctx& c, int64_t r0, TileStrips ts, int mr, const KRange& k, const __mmask16* masks) {
  if constexpr (MR > 1) {
    if (mr < MR) return tile_dispatch<KIND, X, MR - 1, NS, MRP>(c, r0, ts, mr, k, masks);
  }
  if constexpr (NS > 1) {
    if (ts.count < NS) return tile_dispatch<KIND, X, MR, NS - 1, MRP>(c, r0, ts, mr, k, masks);
  }
  tile<KIND, X, MR, NS, MRP>(c, r0, ts, k, masks);
}

// The row tiles' panels (Panel) of rows 0..g.rows, at g.prep; returns where the fp32
// partial accumulators start (after the panels, prep_terms_floats()).
template <int MRP>
float* build_panels(const GemmArgs& g) {
  using P = Panel<MRP>;
  auto* base = reinterpret_cast<uint8_t*>(g.prep);
  const size_t tile_bytes = static_cast<size_t>(g.blocks) * P::kBlockBytes;
  for (int64_t r = 0; r < g.rows; ++r) {
    const auto* row = reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride;
    uint8_t* pt = base + static_cast<size_t>(r / MRP) * tile_bytes;
    const size_t m = static_cast<size_t>(r % MRP);
    for (int64_t b = 0; b < g.blocks; ++b) {
      const uint8_t* blk = row + static_cast<size_t>(b) * g.a_block_bytes;
      uint8_t* pb = pt + static_cast<size_t>(b) * P::kBlockBytes;
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + g.a_code_offset));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(pb + 32 * m), v);
      const BlockTerms t = block_terms(g.kind, blk, v);
      std::memcpy(pb + P::kDa + 4 * m, &t.da, 4);
      std::memcpy(pb + P::kNc + 4 * m, &t.corr, 4);
      std::memcpy(pb + P::kSa + 4 * m, &t.sa, 4);
    }
  }
  return g.prep + prep_terms_floats(g.rows, g.blocks);
}

// Loop order: groups of NS strips (NS*16 output columns; adjacent for the GEMM, staggered
// for the GEMV: strip_order.h), then ranges of kc blocks, then tiles of MR rows. The weights of one strip
// group and K range (NS x kc x 544 bytes for q8_0) stay in L1 while every row tile of the slice runs over
// them; the fp32 accumulators go to `partial` between K ranges (exact: stored and reloaded as fp32, the
// per-output sequence of operations is unchanged). kc = K/32 (one range) streams the
// weights once per row tile instead (the GEMV).
template <int KIND, bool X, int MR, int NS>
void drive(const GemmArgs& g, int64_t kc) {
  static_assert(MR <= 4, "prep_floats() rounds rows up to 4");
  float* const partial = build_panels<MR>(g);
  const Ctx c{reinterpret_cast<const uint8_t*>(g.w),
              g.strip_bytes,
              g.group_bytes,
              g.code_bytes,
              g.d_offset,
              g.m_offset,
              g.code_offset,
              g.blocks,
              reinterpret_cast<const uint8_t*>(g.prep),
              static_cast<size_t>(g.blocks) * Panel<MR>::kBlockBytes,
              g.y,
              g.y_stride};
  const int64_t s_lo = g.n0 / 16, s_hi = (g.n1 + 15) / 16;
  const int64_t row_tiles = (g.rows + MR - 1) / MR;
  const StripOrder<NS> order(s_lo, s_hi, MR == 1);  // the GEMV's tiles staggered
  for (int64_t j = 0; j < order.tile_count(); ++j) {
    const TileStrips ts = order.tile(j);
    const int64_t s = ts.first;
    __mmask16 masks[NS] = {};
    for (int i = 0; i < ts.count; ++i)
      masks[i] = static_cast<__mmask16>(lane_bits(g.n0, g.n1, ts.strip(i) * 16, 16));
    for (int64_t b0 = 0; b0 < g.blocks; b0 += kc) {
      const int64_t b1 = b0 + kc < g.blocks ? b0 + kc : g.blocks;
      const KRange k{b0, b1, b0 == 0, b1 == g.blocks, partial};
      // The next chunk's prefetch: a share after each row tile (spread through the tile,
      // as the K-quant GEMM does, measured 3-4 % slower here: 1 thread, q4_0 M=512 and MoE
      // T=512; its chunks have half the lines per row tile).
      NextChunk next{};
      if constexpr (MR > 1) {
        // Byte offsets of blocks in a strip: groups of two blocks, group_bytes each.
        const auto at = [&](int64_t blk) { return static_cast<size_t>((blk + 1) >> 1) * c.group_bytes; };
        next = next_chunk<NS>(c.w, c.strip_bytes, s, s_hi, at(b1), at(kc), at(g.blocks), row_tiles);
      }
      for (int64_t r = 0; r < g.rows; r += MR) {
        const int mr = static_cast<int>(g.rows - r < MR ? g.rows - r : MR);
        tile_dispatch<KIND, X, MR, NS, MR>(c, r, ts, mr, k, masks);
        if constexpr (MR > 1) prefetch_step(next);
      }
    }
  }
}

// GEMM: 4 rows x 2 strips (4 x 32 outputs: 8 int32 + 8 fp32 accumulators), K in ranges
// of 32 blocks (1024 K: 35 KB of q8_0 weights for the strip pair, in L1).
constexpr int kGemmMR = 4, kGemmNS = 2;
constexpr int64_t kGemmKcBlocks = 32;
// GEMV: 1 row x 4 strips (64 outputs), all of K at once: weights streamed once per row.
constexpr int kGemvMR = 1, kGemvNS = 4;

}  // namespace
}  // namespace amxlab::vnni::raw
