// The one body of the K-quant VNNI kernels (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS over
// Layout::kq_i8_vnni16, kernels/pack/kquant_pack.h), written over a vector policy V:
// Avx512 (16 lanes, one zmm per strip: avx512_kquant.cpp) and AvxVnni (8 lanes, a strip
// is two ymm halves: avxvnni_kquant.cpp). Included only by those two translation units,
// each built with its own ISA flags; everything here has internal linkage (vnni_raw.h
// says why that matters).
//
// Per output lane and super-block b, in ascending b (the golden order, golden_gemm.h):
//   dot(sub) = VPDPBUSD chain over the sub-block's u8 codes x the Q8_K codes    (int32)
//              started at 0 (min types) or at -bias * bsum(sub) (the biased types:
//              bias_starts), so it is sum code * a
//   S        = sum_sub VPMULLD(dot(sub), scale(sub))                            (int32)
//   acc      = VFMADD((float)S, VMULPS(d_w, d_a), acc)
//   min:     T = VPDPWSSD of the int16 coefficient pairs x the sub-blocks' bsum  (int32)
//              pairs: 8 for 16-wide sub-blocks, 4 for 32-wide (sub32_bsum_pairs)
//            acc = VFMADD(-(VMULPS(d_a, dmin_w)), (float)T, acc)
//   (AVX-VNNI, 16-wide biased types: chains from 0 and S += T, T the bias correction
//   -bias * scale * bsum from the stored coefficients; see kStarts.)
// Integer sums wrap like the golden model's int32 sums, so S and T are its exact S_b and
// Mn_b; the two fp32 steps are the golden ones, operand for operand. (The packed
// coefficients of the biased types, -bias * scale, serve the AMX and portable kernels and
// this body's AVX-VNNI Q3_K / Q6_K.)
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/chunk_prefetch.h"
#include "kernels/vnni/kq_bias_starts.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/row_tiles.h"
#include "kernels/vnni/strip_order.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

namespace kq {

inline constexpr int kPartialStride = 64;  // floats per row of KqArgs::partial (NS * 16 <= 64)

struct Ctx {
  const uint8_t* w;
  size_t strip_bytes;
  const uint8_t* a;
  size_t a_stride;
  float* y;
  size_t y_stride;
  float* partial;
  int32_t neg_bias;  // -KqArgs::bias
};

// The activation operand of T for 32-wide sub-blocks (kquant_pack.h): a sub-block's bsum
// is the sum of the two stored Q8_K bsums of its codes (|sum| <= 32 * 128, so the int16
// pack does not saturate). out[p] = (bsum(2p), bsum(2p + 1)) as int16 in a dword, p 0..3:
// kq_bsum_pairs.h's dwords, formed with four vector instructions.
[[gnu::always_inline]] inline void sub32_bsum_pairs(const uint8_t* ab, int32_t* out) {
  const __m256i stored =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab + kq_records::kQ8KBsumOffset));
  const __m256i sums = _mm256_madd_epi16(stored, _mm256_set1_epi16(1));  // 8 x int32
  const __m256i packed = _mm256_packs_epi32(sums, sums);                 // per half: bsum 0..3 (4..7), twice
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm256_castsi256_si128(_mm256_permute4x64_epi64(packed, 0x08)));  // qwords 0, 2
}

// Every int32 accumulator of a register tile to zero.
template <class V, int MR, int U>
[[gnu::always_inline]] inline void zero_all(typename V::I (&v)[MR][U]) {
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) v[m][u] = V::zero_i();
  }
}

struct KRange {
  int64_t b0, b1;   // super-blocks b0..b1
  bool first;       // b0 == 0: accumulators start at 0.0f
  bool last;        // b1 == K/256: the result goes to y, else back to `partial`
  NextChunk* next;  // the next chunk's prefetch (tile<SPREAD> steps it)
};

// One register tile: rows r0..r0+MR, strips ts (strip_order.h), super-blocks k.b0..k.b1. A strip
// is V::kHalves vectors ("columns" u = H*s + h); half h reads its lanes' bytes at the
// offsets V::kCodeHalf etc.
template <class V, int SUB, bool MIN, int UMAX, int MR, int NS, bool SPREAD>
[[gnu::always_inline]] inline void tile(const Ctx& c, int64_t r0, TileStrips ts, const KRange& k,
                                        const typename V::Mask* masks) {
  using I = typename V::I;
  using F = typename V::F;
  constexpr int H = V::kHalves, U = NS * H, NSUB = 256 / SUB;
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = c.w + static_cast<size_t>(ts.strip(s)) * c.strip_bytes;
  const uint8_t* ar[MR];
  for (int m = 0; m < MR; ++m) ar[m] = c.a + static_cast<size_t>(r0 + m) * c.a_stride;
  F acc[MR][U];
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    const float* pr = c.partial + static_cast<size_t>(r0 + m) * kPartialStride;
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) acc[m][u] = k.first ? V::zero_f() : V::load_f(pr + V::kLanes * u);
  }
  for (int64_t b = k.b0; b < k.b1; ++b) {
    const uint8_t* rec[NS];
    for (int s = 0; s < NS; ++s) rec[s] = ws[s] + static_cast<size_t>(b) * kq_records::kI8RecordBytes;
    const uint8_t* ab[MR];
    for (int m = 0; m < MR; ++m) ab[m] = ar[m] + static_cast<size_t>(b) * kq_records::kQ8KBlockBytes;
    I sum[MR][U];
    zero_all<V>(sum);
    // The biased types' chains start at -bias * bsum (kq_bias_starts.h), except the 16-code
    // ones on AVX2's 16 registers, which keep T: with the starts, AVX-VNNI Q3_K / Q6_K
    // measured 19 % slower (M=64 N=1024 K=4096, 1 thread, 3 interleaved rounds; IQ4_XS
    // 7 % faster), the AVX-512 tiles 5-7 % faster.
    // IQ4_XS on plain AVX2 (V::kSignedBook), whose book + 128 the plain dpbusd cannot
    // take, goes through Dot256::dot_flip (4 instructions per pair of vectors), which
    // needs neither, and weights each product pair by its sub-block's scale in the
    // widening VPMADDWD: the chains are S itself (no dot registers, no VPMULLD), each
    // sub-block starting with scale x neg(a). |S| stays below 2^29 (128 pairs x 32768 x
    // 32 plus 8 x 4096 x 32), so no partial sum wraps and the order of the sum is free.
    // The operands of a row's codes are formed once per super-block (signed_codes), not
    // per code dword and row in the loop.
    constexpr bool kSignedBook = SUB == 32 && !MIN && V::kSignedBook;
    constexpr bool kStarts = !MIN && !kSignedBook && (V::kLanes == 16 || SUB == 32);
    constexpr bool kT = !kStarts && !kSignedBook;  // Mn for the min types, else the bias correction
    [[maybe_unused]] alignas(32) uint8_t sa_abs[kSignedBook ? MR : 1][256];
    [[maybe_unused]] alignas(32) uint8_t sa_flip[kSignedBook ? MR : 1][256];
    [[maybe_unused]] int32_t sa_neg[kSignedBook ? MR : 1][8];
    if constexpr (kSignedBook) {
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m)
        V::signed_codes(ab[m] + kq_records::kQ8KCodeOffset, sa_abs[m], sa_flip[m], sa_neg[m]);
    }
    int32_t starts[MR][NSUB];  // kStarts: the chains' starting values (bias_starts)
    if constexpr (kStarts) {
#pragma GCC unroll 8
      for (int m = 0; m < MR; ++m) bias_starts<SUB>(ab[m], c.neg_bias, starts[m]);
      __asm__ volatile("" : "+m"(starts));  // broadcast from memory (see pairs below)
    }
    // The plain AVX2 dot keeps G products' pair sums in int16 before widening them
    // (avxvnni_dot.h kq_int16_group; 0 on VNNI and for IQ4_XS), and widens each group
    // weighted by its sub-block's scale (the int16 pairs of scale_pairs) in one VPMADDWD
    // straight into S: no dot registers, no VPMULLD (two instructions fewer per sub-block,
    // output and group pair than widening by ones, then VPMULLD + VPADDD). Each term is
    // at most 2 x 32767 x 128 in size and S stays as bounded as the sum of its exact
    // sub-block products (the golden's), so the order is free.
    constexpr int G = V::template int16_group<SUB, UMAX>();
    constexpr bool kScalePairs = kSignedBook || G > 0;
#pragma GCC unroll 2
    for (int sub = 0; sub < NSUB; ++sub) {
      [[maybe_unused]] I sc16[U];  // kScalePairs: the sub-block's scales as int16 pairs
      if constexpr (kScalePairs) {
#pragma GCC unroll 8
        for (int u = 0; u < U; ++u) {
          sc16[u] = V::scale_pairs(rec[u / H] + kq_records::kI8ScaleOffset + 16 * static_cast<size_t>(sub) +
                                   V::kScaleHalf * (u % H));
          if constexpr (kSignedBook) {
#pragma GCC unroll 8
            for (int m = 0; m < MR; ++m)
              sum[m][u] = V::add_scaled(sum[m][u], sc16[u], V::set1_i(sa_neg[m][sub]));
          }
        }
        // Read by the group widenings only: from memory (VPMADDWD's operand), leaving the
        // registers to the step (the code vectors above). Neutral for 16-wide sub-blocks.
        if constexpr (G > 0 && SUB == 32) __asm__("" : "+m"(sc16));
      }
      [[maybe_unused]] I dot[MR][U];  // the VPDPBUSD chains (none with kScalePairs: S itself)
      if constexpr (!kScalePairs && !kStarts) zero_all<V>(dot);
      if constexpr (!kScalePairs && kStarts) {
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) {
          const I start = V::set1_i(starts[m][sub]);
#pragma GCC unroll 8
          for (int u = 0; u < U; ++u) dot[m][u] = start;
        }
      }
      [[maybe_unused]] I d16[MR][U];
#pragma GCC unroll 8
      for (int kk = 0; kk < SUB / 4; ++kk) {
        const size_t row = 64 * static_cast<size_t>(sub * (SUB / 4) + kk);
        I wv[U];
#pragma GCC unroll 8
        for (int u = 0; u < U; ++u) {
          I w = V::load_i(rec[u / H] + row + V::kCodeHalf * (u % H));
          // Plain AVX2: the code vectors held in registers for all rows of the step (an
          // empty asm takes them), where gcc reloaded them per row, which made the step
          // load-bound (two 256-bit loads a cycle). 4 alternating rounds, M = 512
          // N = K = 4096: Q2_K 0.90-0.94 of the time, Q3_K 0.89-0.96, Q6_K 0.79-1.04
          // (median 0.96); Q4_K 0.89-0.96, Q5_K 0.81-0.91 with the fp32 accumulators and
          // the scale pairs kept in memory (below), without which the 32-wide loop spilled
          // (1.55x). The asm takes a scalar, not wv[u]: on the array gcc kept wv in memory
          // for the 8-step loop.
          if constexpr (G > 0) __asm__("" : "+x"(w));
          wv[u] = w;
        }
        if constexpr (G > 0) {
          if (kk % G == 0) zero_all<V>(d16);
        }
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) {
          const I av = V::set1_i(
              load_i32(ab[m] + kq_records::kQ8KCodeOffset + static_cast<size_t>(sub * SUB + 4 * kk)));
          [[maybe_unused]] I abs_av, flip_av;
          if constexpr (kSignedBook) {
            abs_av = V::set1_i(load_i32(sa_abs[m] + sub * SUB + 4 * kk));
            flip_av = V::set1_i(load_i32(sa_flip[m] + sub * SUB + 4 * kk));
          }
#pragma GCC unroll 8
          for (int u = 0; u < U; ++u) {
            if constexpr (G > 0) {
              d16[m][u] = V::dot16(d16[m][u], wv[u], av);
            } else if constexpr (kSignedBook) {
              sum[m][u] = V::dot_flip(sum[m][u], wv[u], abs_av, flip_av, sc16[u]);
            } else {
              // Sub-blocks of 32 without a min are IQ4_XS's alone, whose u = book + 128
              // reaches 241: VPDPBUSD takes it (plain AVX2 takes kSignedBook).
              static_assert(!(SUB == 32 && !MIN) || V::kFullU8, "IQ4_XS: kSignedBook");
              dot[m][u] = V::dpbusd(dot[m][u], wv[u], av);
            }
          }
        }
        if constexpr (G > 0) {
          if (kk % G == G - 1) {
#pragma GCC unroll 8
            for (int m = 0; m < MR; ++m) {
#pragma GCC unroll 8
              for (int u = 0; u < U; ++u) sum[m][u] = V::widen_scaled(sum[m][u], d16[m][u], sc16[u]);
            }
            // One widening per sub-block (Q4_K on plain AVX2): S through memory, its
            // registers to a third row's int16 sums (kAvx2Q4KTile).
            if constexpr (G == SUB / 4 && MR * U > 4) __asm__("" : "+m"(sum));
          }
        }
      }
      if constexpr (MR > 1 && SPREAD) prefetch_step(*k.next);
      if constexpr (kScalePairs) continue;
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        const I sc = V::load_scales(rec[u / H] + kq_records::kI8ScaleOffset + 16 * static_cast<size_t>(sub) +
                                    V::kScaleHalf * (u % H));
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) sum[m][u] = V::add(sum[m][u], V::mullo(dot[m][u], sc));
      }
    }
    // T: the coefficient pairs x the activation's bsums (Mn, or the bias correction).
    I t[MR][U];
    if constexpr (kT) {
      int32_t pairs[MR][4];  // 32-wide sub-blocks: the bsum pairs
      if constexpr (SUB == 32) {
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) sub32_bsum_pairs(ab[m], pairs[m]);
        // Through memory: gcc would otherwise extract each dword from the register
        // (VPSRLDQ + a register VPBROADCASTD, two shuffles) instead of one broadcast load.
        __asm__ volatile("" : "+m"(pairs));
      }
      zero_all<V>(t);
#pragma GCC unroll 8
      for (int p = 0; p < NSUB / 2; ++p) {
        I cf[U];
#pragma GCC unroll 8
        for (int u = 0; u < U; ++u)
          cf[u] = V::load_i(rec[u / H] + kq_records::kI8CoefOffset + 64 * static_cast<size_t>(p) +
                            V::kCodeHalf * (u % H));
#pragma GCC unroll 8
        for (int m = 0; m < MR; ++m) {
          const I bs = V::set1_i(
              SUB == 32 ? pairs[m][p]
                        : load_i32(ab[m] + kq_records::kQ8KBsumOffset + 4 * static_cast<size_t>(p)));
#pragma GCC unroll 8
          for (int u = 0; u < U; ++u) t[m][u] = V::dpwssd(t[m][u], cf[u], bs);
        }
      }
    }
    F dw[U], dmw[U];
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) {
      dw[u] = V::load_half(rec[u / H] + kq_records::kI8DOffset + V::kHalfHalf * (u % H));
      if constexpr (MIN)
        dmw[u] = V::load_half(rec[u / H] + kq_records::kI8DminOffset + V::kHalfHalf * (u % H));
    }
#pragma GCC unroll 8
    for (int m = 0; m < MR; ++m) {
      const F dav = V::set1_f(load_f32(ab[m]));
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        if constexpr (MIN) {
          acc[m][u] = V::fmadd(V::cvt(sum[m][u]), V::mul(dw[u], dav), acc[m][u]);
          acc[m][u] = V::fmadd(V::neg(V::mul(dav, dmw[u])), V::cvt(t[m][u]), acc[m][u]);
        } else if constexpr (kT) {
          acc[m][u] = V::fmadd(V::cvt(V::add(sum[m][u], t[m][u])), V::mul(dw[u], dav), acc[m][u]);
        } else {
          acc[m][u] = V::fmadd(V::cvt(sum[m][u]), V::mul(dw[u], dav), acc[m][u]);
        }
      }
    }
    // The fp32 accumulators through memory between super-blocks (touched once per 256
    // codes): their four registers go to the int16 groups (see the code vectors above).
    if constexpr (G > 0 && SUB == 32) __asm__("" : "+m"(acc));
  }
#pragma GCC unroll 8
  for (int m = 0; m < MR; ++m) {
    float* yr = c.y + static_cast<size_t>(r0 + m) * c.y_stride;
    float* pr = c.partial + static_cast<size_t>(r0 + m) * kPartialStride;
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) {
      if (k.last) {
        V::store_masked(yr + 16 * ts.strip(u / H) + V::kLanes * (u % H), masks[u], acc[m][u]);
      } else {
        V::store_f(pr + V::kLanes * u, acc[m][u]);
      }
    }
  }
}

// tile<..., mr, ns> for run-time mr <= MR, ns <= NS.
template <class V, int SUB, bool MIN, int UMAX, int MR, int NS, bool SPREAD>
void tile_dispatch(const Ctx& c, int64_t r0, TileStrips ts, int mr, const KRange& k,
                   const typename V::Mask* masks) {
  if constexpr (MR > 1) {
    if (mr < MR) return tile_dispatch<V, SUB, MIN, UMAX, MR - 1, NS, SPREAD>(c, r0, ts, mr, k, masks);
  }
  if constexpr (NS > 1) {
    if (ts.count < NS) return tile_dispatch<V, SUB, MIN, UMAX, MR, NS - 1, SPREAD>(c, r0, ts, mr, k, masks);
  }
  tile<V, SUB, MIN, UMAX, MR, NS, SPREAD>(c, r0, ts, k, masks);
}

// A row tile's share of the next chunk up to this many lines is issued after the tile
// (M=512: ~5 lines); a larger one is spread over the tile's sub-blocks (an MoE expert's
// 32 rows: ~77 lines per tile, whose burst stalled the core on the prefetch
// instructions: Q4_K m32n768k2048 164 -> 151 us, 1 thread). Only for 32-code
// sub-blocks: with the step inside their 16-code sub-block loop, Q2_K / Q6_K ran ~4 %
// slower at M=512 and Q6_K's MoE T=512 (N=2048 K=768) ~4 % slower too (3 interleaved
// rounds each), hence the two tile variants.
inline constexpr size_t kBurstLines = 16;

// Loop order: groups of NS adjacent strips (strip_order.h), then ranges of kc super-blocks
// (their records stay in L1 while every row tile of the slice runs over them; the fp32
// accumulators go through `partial` between ranges, stored and reloaded exactly), then
// tiles of MR rows, each followed or accompanied by its share of the next chunk's
// prefetch (kBurstLines, chunk_prefetch.h). GEMMs only: the K-quant GEMVs read
// kq_nib_vnni16 (kqn_gemv_tile.h; the kq_i8 GEMV, MR = 1 here, went on 2026-11-30).
template <class V, int SUB, bool MIN, int UMAX, int MR, int NS>
void drive(const KqArgs& g, int64_t kc) {
  static_assert(MR > 1, "a GEMM tile: the K-quant GEMVs are kqn_gemv_tile.h's");
  constexpr int H = V::kHalves;
  const Ctx c{reinterpret_cast<const uint8_t*>(g.w),
              g.strip_bytes,
              reinterpret_cast<const uint8_t*>(g.a),
              g.a_stride,
              g.y,
              g.y_stride,
              g.partial,
              -g.bias};
  const int64_t s_lo = g.n0 / 16, s_hi = (g.n1 + 15) / 16;
  const int64_t row_tiles = (g.rows + MR - 1) / MR;  // also tile_rows()'s count (row_tiles.h)
  const StripOrder<NS> order(s_lo, s_hi, false);
  for (int64_t j = 0; j < order.tile_count(); ++j) {
    const TileStrips ts = order.tile(j);
    const int64_t s = ts.first;
    typename V::Mask masks[NS * H] = {};
    for (int u = 0; u < ts.count * H; ++u)
      masks[u] = V::lane_mask(
          lane_bits(g.n0, g.n1, ts.strip(u / H) * 16 + static_cast<int64_t>(V::kLanes) * (u % H), V::kLanes));
    for (int64_t b0 = 0; b0 < g.superblocks; b0 += kc) {
      const int64_t b1 = b0 + kc < g.superblocks ? b0 + kc : g.superblocks;
      constexpr size_t kRec = kq_records::kI8RecordBytes;
      const auto chunk = [&](int64_t steps) {
        return next_chunk<NS>(c.w, c.strip_bytes, s, s_hi, static_cast<size_t>(b1) * kRec,
                              static_cast<size_t>(kc) * kRec, static_cast<size_t>(g.superblocks) * kRec,
                              steps);
      };
      NextChunk next = chunk(row_tiles);
      const bool spread = SUB == 32 && next.per_step > kBurstLines;
      if (spread) next = chunk(row_tiles * (b1 - b0) * (256 / SUB));
      const KRange k{b0, b1, b0 == 0, b1 == g.superblocks, &next};
      int mr = 0;
      for (int64_t r = 0; r < g.rows; r += mr) {
        mr = tile_rows(g.rows - r, MR);
        if (spread) {
          tile_dispatch<V, SUB, MIN, UMAX, MR, NS, true>(c, r, ts, mr, k, masks);
        } else {
          tile_dispatch<V, SUB, MIN, UMAX, MR, NS, false>(c, r, ts, mr, k, masks);
          prefetch_step(next);
        }
      }
    }
  }
}

// The (sub-block length, min, largest code) combinations of the six types. UMAX, the
// largest code u the records hold (KqArgs::code_max), matters only where V keeps int16
// groups (plain AVX2: kq_int16_group); elsewhere each (SUB, MIN) has one instantiation:
// kNarrowCodes says whether a narrower largest code buys a longer group.
template <class V, int SUB, int UMAX_NARROW, int UMAX>
constexpr bool kNarrowCodes =
    V::template int16_group<SUB, UMAX_NARROW>() != V::template int16_group<SUB, UMAX>();

template <class V, int MR, int NS>
void run(const KqArgs& g, int64_t kc) {
  // Each instantiation serves the types whose largest code is at most its UMAX; a record
  // with a larger one than its tile assumes would overflow the int16 groups, so the
  // choice goes by g.code_max (kq16::type_info) against the same table.
  constexpr int kQ2 = kq_records::kCodeMaxQ2_K, kQ3 = kq_records::kCodeMaxQ3_K;
  constexpr int kQ4 = kq_records::kCodeMaxQ4_K, kQ5 = kq_records::kCodeMaxQ5_K;
  constexpr int kQ6 = kq_records::kCodeMaxQ6_K, kIq4 = kq_records::kCodeMaxIQ4_XS;
  if (g.sub_len == 32) {
    if (g.has_min != 0) {
      // Q4_K's 4-bit codes: a whole sub-block's pair sums in int16 on plain AVX2 (one
      // widening per 32 codes instead of Q5_K's two; M=512 N=K=4096, 4 alternating
      // rounds, 2026-12-01: 0.90 of the time at 1 and 2 threads). Its S is then touched
      // once per sub-block and goes through memory, which leaves the registers for 3 rows
      // (kAvx2Q4KTile; 0.94-0.95 of the 2-row tile's time at M = 512 and 32, 4 rounds).
      if constexpr (kNarrowCodes<V, 32, kQ4, kQ5>) {
        static_assert(kAvx2Q4KTile.n == 16);
        if (g.code_max <= kQ4) return drive<V, 32, true, kQ4, kAvx2Q4KTile.m, 1>(g, kc);
      }
      return drive<V, 32, true, kQ5, MR, NS>(g, kc);
    }
    // IQ4_XS on plain AVX2 (kSignedBook): 2 rows x 2 strips (kAvx2Iq4XsTile; M=512
    // N=K=4096, 1 thread, interleaved rounds, 2026-11-30: 4-5 % faster than the policy's
    // 2 x 1 on a first form of the signed dot; on dot_flip 4 x 1 ran 17 % and 3 x 2 5-11 %
    // slower).
    if constexpr (V::kSignedBook) {
      return drive<V, 32, false, kIq4, kAvx2Iq4XsTile.m, kAvx2Iq4XsTile.n / 16>(g, kc);
    } else {
      return drive<V, 32, false, kIq4, MR, NS>(g, kc);
    }
  }
  if (g.has_min != 0) return drive<V, 16, true, kQ2, MR, NS>(g, kc);
  // Q3_K's 3-bit codes: int16 groups of 4 steps where Q6_K's 6 bits allow 2 (0.94 /
  // 0.96 of the time at 1 / 2 threads, as above).
  if constexpr (kNarrowCodes<V, 16, kQ3, kQ6>) {
    if (g.code_max <= kQ3) return drive<V, 16, false, kQ3, MR, NS>(g, kc);
  }
  drive<V, 16, false, kQ6, MR, NS>(g, kc);
}

}  // namespace kq
}  // namespace
}  // namespace amxlab::vnni::raw
