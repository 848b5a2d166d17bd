// The AVX-512 VNNI GEMV for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS over kq_nib_vnni16
// (kernels/pack/kquant_nibble_pack.h), the codes kept in nibbles (Q2_K's and Q3_K's
// 2-3 bits too): the decode step streams 140-212 bytes per 256 weights instead of
// kq_i8_vnni16's 308. One body, two
// translation units: avx512_kqn_gemv.cpp (X = false: AVX-512 F/BW/VL + VNNI) and
// avx512ext_kqn_gemv.cpp (X = true: also VBMI and GFNI, fewer unpack instructions per
// code row, unpack_x below; built only for the kinds has_unpack_x() names). Everything is in an unnamed
// namespace (vnni_raw.h says why).
//
// Per output lane and super-block, in ascending order (the golden order, golden_gemm.h):
//   row kk: lo = raw AND 0x0f, hi = (raw >> 4) AND 0x0f; Q5_K / Q6_K OR in the high bits
//   (one shift and AND each; X, Q5_K: one GF2P8AFFINEQB, merged by the VPTERNLOGD that
//   masks the nibble); IQ4_XS: VPSHUFB through the code book + 128 (X: VPERMB, no mask)
//   dot(sub) = VPDPBUSD chain, from 0 (Q4_K, Q5_K) or from -bias * bsum(sub) (IQ4_XS:
//   bias 128, Q6_K: 32; kq_bias_starts.h), i.e. sum code * a;  S = sum_sub VPMULLD(dot, scale)
//   acc = fma((float)S, d_w * d_a, acc)
//   Q4_K, Q5_K: T = VPDPWSSD of the int8 coefficient pairs (VPMOVSXBW) x the row's bsum
//   pairs; acc = fma(-(d_a * dmin_w), (float)T, acc)
// which are the golden S_b and Mn_b exactly (int32 sums wrap alike).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/iq4_book.h"
#include "kernels/vnni/kq_bias_starts.h"
#include "kernels/vnni/kq_bsum_pairs.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/strip_order.h"
#include "kernels/vnni/touch_lines.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

constexpr auto kAll = static_cast<__mmask16>(0xffff);
constexpr int kNS = 4;  // strips per register tile: 64 columns

// The record of each kind (kernels/pack/kquant_records.h, the packer's geometry too).
template <int KIND>
struct Rec {
  static constexpr kq_records::NibRecord kR = KIND == kNibQ5_K     ? kq_records::kNibQ5
                                              : KIND == kNibQ6_K   ? kq_records::kNibQ6
                                              : KIND == kNibIQ4_XS ? kq_records::kNibIQ4
                                              : KIND == kNibQ2_K   ? kq_records::kNibQ2
                                              : KIND == kNibQ3_K   ? kq_records::kNibQ3
                                                                   : kq_records::kNibQ4;
  static constexpr int kSub = kR.sub_len;
  static constexpr int kNSub = kR.n_sub;
  static constexpr size_t kScale = kR.scale_offset;
  static constexpr size_t kCoef = kR.coef_offset;
  static constexpr size_t kD = kR.d_offset;
  static constexpr size_t kDmin = kR.dmin_offset;
  static constexpr size_t kBytes = kR.record_bytes;
  static constexpr bool kMin = kR.min;
  static_assert(kMin == (KIND == kNibQ4_K || KIND == kNibQ5_K || KIND == kNibQ2_K));
};

// No software prefetch: each strip's records are read in ascending order
// (kquant_records.h), which the hardware prefetchers follow. Until 2026-11-29 the next
// record of each strip was prefetched (L1 or L2 hints by L1D size), which had paid while
// the records were read out of order; in reading order, on Zen 4, dropping it took the
// 1-thread cold GEMVs from 1.28-1.35x to 0.92-1.03x of the read roofline
// (kernels/README.md "Record order"; Zen 5 not re-measured).

// Q5_K's high-plane byte holds bit 2t for the low nibble of row r and bit 2t + 1 for its
// high nibble, t = r % 4 (the packer's kq_records geometry): `half` 0 or 1.
constexpr int q5_high_bit(int r, int half) {
  return 2 * (r % 4) + half;
}

// Rebuilds the high bits of row kk = q * (sub-block length / 4) + r into lo / hi (bit 4,
// or bits 4..5). r is a compile-time constant after unrolling, and the row's place in
// its high-plane byte depends on r alone (rows per sub-block: 8 or 4), so the shifts
// and the branch below fold away.
template <int KIND>
[[gnu::always_inline]] inline void add_high(const uint8_t* rec, int kk, int r, __m512i& lo, __m512i& hi) {
  using R = Rec<KIND>;
  if constexpr (KIND == kNibQ5_K) {
    const __m512i hb = _mm512_loadu_si512(rec + R::kR.high_row(kk));
    const __m512i bit4 = _mm512_set1_epi8(0x10);
    const auto move = [&](int from) {
      return from <= 4 ? _mm512_and_si512(_mm512_slli_epi16(hb, static_cast<unsigned>(4 - from)), bit4)
                       : _mm512_and_si512(_mm512_srli_epi16(hb, static_cast<unsigned>(from - 4)), bit4);
    };
    lo = _mm512_or_si512(lo, move(q5_high_bit(r, 0)));  // both moved to bit 4
    hi = _mm512_or_si512(hi, move(q5_high_bit(r, 1)));
  } else if constexpr (KIND == kNibQ6_K) {
    const __m512i hb = _mm512_loadu_si512(rec + R::kR.high_row(kk));
    const __m512i bits45 = _mm512_set1_epi8(0x30);
    if (r % 2 == 0) {  // kk even: lo in bits 0..1, hi in bits 2..3
      lo = _mm512_or_si512(lo, _mm512_and_si512(_mm512_slli_epi16(hb, 4), bits45));
      hi = _mm512_or_si512(hi, _mm512_and_si512(_mm512_slli_epi16(hb, 2), bits45));
    } else {  // lo: bits 4..5, hi: bits 6..7
      lo = _mm512_or_si512(lo, _mm512_and_si512(hb, bits45));
      hi = _mm512_or_si512(hi, _mm512_and_si512(_mm512_srli_epi16(hb, 2), bits45));
    }
  }
}

// GF2P8AFFINEQB matrix moving bit `from` of every byte to bit 4 and clearing the other
// bits: result bit i is the parity of the byte AND the matrix's byte 7 - i.
constexpr int64_t move_to_bit4(int from) {
  return static_cast<int64_t>(uint64_t{1} << from << 24);
}

// The unpack of row kk with AVX-512 VBMI and GFNI (the X kernels): IQ4_XS looks both
// nibbles up with VPERMB, whose 64-byte table repeats the book four times, so the index
// bits above the nibble need no mask (3 instructions instead of 5); Q5_K moves its high
// bits with one GF2P8AFFINEQB each and merges them with the VPTERNLOGD that masks the
// nibble, (x AND 0x0f) OR h, imm 0xec (5 instead of 9). Same codes as the plain unpack,
// so the same chains. Q6_K's version of the latter (two bits moved) measured no faster
// (kernels/README.md), so Q6_K has no X kernel.
constexpr bool has_unpack_x(int kind) {
  return kind == kNibIQ4_XS || kind == kNibQ5_K;
}
template <int KIND>
[[gnu::always_inline]] inline void unpack_x(const uint8_t* rec, __m512i raw, int kk, int r, __m512i book,
                                            __m512i& lo, __m512i& hi) {
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  const __m512i shifted = _mm512_srli_epi16(raw, 4);
  if constexpr (KIND == kNibIQ4_XS) {
    constexpr __mmask64 kAllBytes = ~__mmask64{0};
    lo = _mm512_maskz_permutexvar_epi8(kAllBytes, raw, book);
    hi = _mm512_maskz_permutexvar_epi8(kAllBytes, shifted, book);
  } else {
    static_assert(KIND == kNibQ5_K && has_unpack_x(KIND));
    const __m512i hb = _mm512_loadu_si512(rec + Rec<KIND>::kR.high_row(kk));
    const __m512i hl =
        _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(q5_high_bit(r, 0))), 0);
    const __m512i hh =
        _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(q5_high_bit(r, 1))), 0);
    lo = _mm512_ternarylogic_epi32(raw, hl, low4, 0xec);
    hi = _mm512_ternarylogic_epi32(shifted, hh, low4, 0xec);
  }
}

template <int KIND, bool X, int NS>
[[gnu::always_inline]] inline void tile(const KqArgs& g, const uint8_t* arow, float* yrow, TileStrips ts,
                                        const __mmask16* masks) {
  using R = Rec<KIND>;
  constexpr int kRowsPerSub = R::kSub / 4;  // nibble rows per sub-block: 8 or 4
  static_assert(kRowsPerSub % 4 == 0 || (KIND != kNibQ5_K && kRowsPerSub % 2 == 0), "add_high keys on r");
  constexpr int kPairs = 128 / R::kSub;  // (low, high) sub-block pairs
  const auto* w = reinterpret_cast<const uint8_t*>(g.w);
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = w + static_cast<size_t>(ts.strip(s)) * g.strip_bytes;
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  const __m512i book = iq4_book_u8();  // IQ4_XS only
  __m512 acc[NS];
  for (int s = 0; s < NS; ++s) acc[s] = _mm512_setzero_ps();
  for (int64_t b = 0; b < g.superblocks; ++b) {
    const uint8_t* ab = arow + static_cast<size_t>(b) * kq_records::kQ8KBlockBytes;
    const uint8_t* rec[NS];
    for (int s = 0; s < NS; ++s) rec[s] = ws[s] + static_cast<size_t>(b) * R::kBytes;
    touch_lines<R::kR.header_bytes, NS>(rec);  // header before rows (touch_lines.h)
    __m512i sum[NS];
    for (int s = 0; s < NS; ++s) sum[s] = _mm512_setzero_si512();
    int32_t starts[R::kNSub];  // the biased types' chain starts
    if constexpr (!R::kMin) {
      bias_starts<R::kSub>(ab, -g.bias, starts);
      __asm__ volatile("" : "+m"(starts));  // broadcast loads, not extractions
    }
#pragma GCC unroll 1
    for (int q = 0; q < kPairs; ++q) {
      const __m512i start_lo = R::kMin ? _mm512_setzero_si512() : _mm512_set1_epi32(starts[q]);
      const __m512i start_hi = R::kMin ? _mm512_setzero_si512() : _mm512_set1_epi32(starts[kPairs + q]);
      __m512i dlo[NS], dhi[NS];
      for (int s = 0; s < NS; ++s) {
        dlo[s] = start_lo;
        dhi[s] = start_hi;
      }
#pragma GCC unroll 8
      for (int r = 0; r < kRowsPerSub; ++r) {
        const int kk = q * kRowsPerSub + r;
        const __m512i alo =
            _mm512_set1_epi32(load_i32(ab + kq_records::kQ8KCodeOffset + 4 * static_cast<size_t>(kk)));
        const __m512i ahi =
            _mm512_set1_epi32(load_i32(ab + kq_records::kQ8KCodeOffset + 128 + 4 * static_cast<size_t>(kk)));
#pragma GCC unroll 4
        for (int s = 0; s < NS; ++s) {
          __m512i raw = _mm512_loadu_si512(rec[s] + R::kR.nib_row(kk));
          // One load per row: without this gcc folds the load into both unpack
          // operations (two 64-byte loads per row; Q4_K in L2 ~3 % slower).
          __asm__("" : "+v"(raw));
          __m512i lo, hi;
          if constexpr (X && has_unpack_x(KIND)) {
            unpack_x<KIND>(rec[s], raw, kk, r, book, lo, hi);
          } else {
            lo = _mm512_and_si512(raw, low4);
            // Q4_K keeps the high nibble in place (16 x code: one ANDN instead of a shift
            // and an AND); its chain then sums 16 x dot, shifted back exactly below.
            hi = KIND == kNibQ4_K ? _mm512_maskz_andnot_epi32(kAll, low4, raw)
                                  : _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
            if constexpr (KIND == kNibIQ4_XS) {
              lo = _mm512_shuffle_epi8(book, lo);
              hi = _mm512_shuffle_epi8(book, hi);
            }
            add_high<KIND>(rec[s], kk, r, lo, hi);
          }
          dlo[s] = _mm512_dpbusd_epi32(dlo[s], lo, alo);
          dhi[s] = _mm512_dpbusd_epi32(dhi[s], hi, ahi);
        }
      }
#pragma GCC unroll 4
      for (int s = 0; s < NS; ++s) {
        // |16 x dot| <= 16 * 32 * 15 * 128 < 2^20: an exact multiple of 16 in int32.
        if constexpr (KIND == kNibQ4_K) dhi[s] = _mm512_maskz_srai_epi32(kAll, dhi[s], 4);
        const auto scales = [&](int sub) {
          return _mm512_maskz_cvtepi8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(
                                                      rec[s] + R::kScale + 16 * static_cast<size_t>(sub))));
        };
        sum[s] = _mm512_add_epi32(sum[s], _mm512_add_epi32(_mm512_mullo_epi32(dlo[s], scales(q)),
                                                           _mm512_mullo_epi32(dhi[s], scales(kPairs + q))));
      }
    }
    const __m512 dav = _mm512_set1_ps(load_f32(ab));
#pragma GCC unroll 4
    for (int s = 0; s < NS; ++s) {
      const __m512 dw =
          _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec[s] + R::kD)));
      acc[s] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, sum[s]), _mm512_mul_ps(dw, dav), acc[s]);
    }
    if constexpr (R::kMin) {
      // The row's bsum pairs: (bsum of sub-block 2p, of 2p + 1) as int16 in a dword.
      int32_t pairs[R::kNSub / 2];
      kq_bsum_pairs(ab, R::kSub, pairs);
      __m512i pair[R::kNSub / 2];
      for (int p = 0; p < R::kNSub / 2; ++p) pair[p] = _mm512_set1_epi32(pairs[p]);
#pragma GCC unroll 4
      for (int s = 0; s < NS; ++s) {
        __m512i t = _mm512_setzero_si512();
        for (int p = 0; p < R::kNSub / 2; ++p) {
          const __m512i cf = _mm512_maskz_cvtepi8_epi16(
              static_cast<__mmask32>(0xffffffffu), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(
                                                       rec[s] + R::kCoef + 32 * static_cast<size_t>(p))));
          t = _mm512_dpwssd_epi32(t, cf, pair[p]);
        }
        const __m512 dmw = _mm512_maskz_cvtph_ps(
            kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec[s] + R::kDmin)));
        const __m512 nd = _mm512_castsi512_ps(
            _mm512_xor_si512(_mm512_castps_si512(_mm512_mul_ps(dav, dmw)), _mm512_set1_epi32(INT32_MIN)));
        acc[s] = _mm512_fmadd_ps(nd, _mm512_maskz_cvtepi32_ps(kAll, t), acc[s]);
      }
    }
  }
  for (int s = 0; s < NS; ++s) _mm512_mask_storeu_ps(yrow + 16 * ts.strip(s), masks[s], acc[s]);
}

template <int KIND, bool X, int NS>
void tile_dispatch(const KqArgs& g, const uint8_t* arow, float* yrow, TileStrips ts, const __mmask16* masks) {
  if constexpr (NS > 1) {
    if (ts.count < NS) return tile_dispatch<KIND, X, NS - 1>(g, arow, yrow, ts, masks);
  }
  tile<KIND, X, NS>(g, arow, yrow, ts, masks);
}

// Tiles of kNS staggered strips (strip_order.h), each over all of K, row after row.
template <int KIND, bool X>
void drive(const KqArgs& g) {
  const StripOrder<kNS> order(g.n0 / 16, (g.n1 + 15) / 16, true);
  for (int64_t r = 0; r < g.rows; ++r) {
    const uint8_t* arow = reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride;
    float* yrow = g.y + static_cast<size_t>(r) * g.y_stride;
    for (int64_t j = 0; j < order.tile_count(); ++j) {
      const TileStrips ts = order.tile(j);
      __mmask16 masks[kNS] = {};
      for (int i = 0; i < ts.count; ++i)
        masks[i] = static_cast<__mmask16>(lane_bits(g.n0, g.n1, ts.strip(i) * 16, 16));
      tile_dispatch<KIND, X, kNS>(g, arow, yrow, ts, masks);
    }
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
