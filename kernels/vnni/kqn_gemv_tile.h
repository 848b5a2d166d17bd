// The AVX-512 VNNI GEMV for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS over kq_nib_vnni16
// (kernels/pack/kquant_nibble_pack.h), the codes kept in nibbles or, for Q2_K, in 2-bit
// crumbs: the decode step streams 100-212 bytes per 256 weights instead of kq_i8_vnni16's
// 308. One body, two translation units: avx512_kqn_gemv.cpp (X = false: AVX-512 F/BW/VL +
// VNNI) and avx512ext_kqn_gemv.cpp (X = true: also VBMI and GFNI, fewer unpack
// instructions per code row, unpack_x below; built only for the kinds has_unpack_x()
// names). Everything is in an unnamed namespace (vnni_raw.h says why).
//
// Per output lane and super-block, in ascending order (the golden order, golden_gemm.h):
//   code row kk, field c (of 2 nibbles or 4 crumbs per byte): (raw >> bits * c) AND mask;
//   Q5_K / Q6_K OR in the high bits (one shift and AND each; X, Q5_K: one GF2P8AFFINEQB,
//   merged by the VPTERNLOGD that masks the nibble); IQ4_XS: VPSHUFB through the code book
//   + 128 (X: VPERMB, no mask)
//   dot(sub) = VPDPBUSD chain, from 0 (Q2_K, Q4_K, Q5_K) or from -bias * bsum(sub) (IQ4_XS:
//   bias 128, Q6_K: 32, Q3_K: 4; kq_bias_starts.h), i.e. sum code * a;
//   S = sum_sub VPMULLD(dot, scale);  acc = fma((float)S, d_w * d_a, acc)
//   Q2_K, Q4_K, Q5_K: T = VPDPWSSD of the int8 coefficient pairs (VPMOVSXBW) x the row's
//   bsum pairs; acc = fma(-(d_a * dmin_w), (float)T, acc)
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

using kq_records::kNibIQ4_XS;
using kq_records::kNibQ2_K;
using kq_records::kNibQ3_K;
using kq_records::kNibQ4_K;
using kq_records::kNibQ5_K;
using kq_records::kNibQ6_K;

// The record of each kind (kernels/pack/kquant_records.h, the packer's geometry too).
template <int KIND>
struct Rec {
  static constexpr kq_records::NibRecord kR = kq_records::nib_record_of(KIND);
  static constexpr int kSub = kR.sub_len;
  static constexpr int kNSub = kR.n_sub;
  static constexpr size_t kCoef = kR.coef_offset;
  static constexpr size_t kD = kR.d_offset;
  static constexpr size_t kDmin = kR.dmin_offset;
  static constexpr size_t kBytes = kR.record_bytes;
  static constexpr bool kMin = kR.min;
  static constexpr int kF = kR.fields;          // chains per code row: 2 or 4
  static constexpr int kGroups = kR.groups();   // row groups per record
  static constexpr int kRowsPerSub = kSub / 4;  // code rows per group
  static_assert(kR.rows_per_high == 0 || kRowsPerSub % kR.rows_per_high == 0,
                "a row's place in its high row depends on r = kk % kRowsPerSub alone");
  static_assert(kMin == (KIND == kNibQ4_K || KIND == kNibQ5_K || KIND == kNibQ2_K));
};

// No software prefetch: each strip's records are read in ascending order
// (kquant_records.h), which the hardware prefetchers follow. Until 2026-11-29 the next
// record of each strip was prefetched (L1 or L2 hints by L1D size), which had paid while
// the records were read out of order; in reading order, on Zen 4, dropping it took the
// 1-thread cold GEMVs from 1.28-1.35x to 0.92-1.03x of the read roofline
// (kernels/README.md "Record order"; Zen 5 not re-measured).

// ORs the high bits of code row kk = q * kRowsPerSub + r into its fields v, above their
// code bits (Q5_K: bit 4, Q6_K: bits 4..5). r is a compile-time constant after
// unrolling and the fields' places in their high row depend on r alone (Rec's
// static_assert), so the shifts fold away.
template <int KIND>
[[gnu::always_inline]] inline void add_high(const uint8_t* rec, int kk, int r, __m512i (&v)[Rec<KIND>::kF]) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  if constexpr (kR.high_bits != 0) {
    const __m512i hb = _mm512_loadu_si512(rec + kR.high_row(kk));
    const __m512i mask = _mm512_set1_epi8(static_cast<char>(((1 << kR.high_bits) - 1) << kR.code_bits));
#pragma GCC unroll 4
    for (int c = 0; c < kR.fields; ++c) {
      const int from = kR.high_shift(r, c), to = kR.code_bits;
      const __m512i moved = from <= to ? _mm512_slli_epi16(hb, static_cast<unsigned>(to - from))
                                       : _mm512_srli_epi16(hb, static_cast<unsigned>(from - to));
      v[c] = _mm512_or_si512(v[c], _mm512_and_si512(moved, mask));
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
                                            __m512i (&v)[2]) {
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  const __m512i shifted = _mm512_srli_epi16(raw, 4);
  if constexpr (KIND == kNibIQ4_XS) {
    constexpr __mmask64 kAllBytes = ~__mmask64{0};
    v[0] = _mm512_maskz_permutexvar_epi8(kAllBytes, raw, book);
    v[1] = _mm512_maskz_permutexvar_epi8(kAllBytes, shifted, book);
  } else {
    static_assert(KIND == kNibQ5_K && has_unpack_x(KIND));
    constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
    const __m512i hb = _mm512_loadu_si512(rec + kR.high_row(kk));
    const __m512i hl =
        _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(kR.high_shift(r, 0))), 0);
    const __m512i hh =
        _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(kR.high_shift(r, 1))), 0);
    v[0] = _mm512_ternarylogic_epi32(raw, hl, low4, 0xec);
    v[1] = _mm512_ternarylogic_epi32(shifted, hh, low4, 0xec);
  }
}

// Whether a kind's fields enter VPDPBUSD where they lie in the byte, field c as
// 2^(bits * c) x code (one AND each, no shift), the chain then shifted back exactly after
// its group: the kinds with neither a high plane to merge nor a code book to look up.
// The largest such value, Q2_K's 64 x 3 or Q4_K's 16 x 15, fits a u8; the largest chain,
// 64 x 16 x 3 x 128 summed (or 16 x 32 x 15 x 128), fits int32 with room to spare.
template <int KIND>
constexpr bool kInPlace = Rec<KIND>::kR.high_bits == 0 && KIND != kNibIQ4_XS;

// The plain unpack of code row kk into its fields (the codes, 2^(bits * c) x the codes
// where kInPlace, or IQ4_XS's book values + 128).
template <int KIND>
[[gnu::always_inline]] inline void unpack(const uint8_t* rec, __m512i raw, int kk, int r, __m512i book,
                                          __m512i (&v)[Rec<KIND>::kF]) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  constexpr int kMask = (1 << kR.code_bits) - 1;
#pragma GCC unroll 4
  for (int c = 0; c < kR.fields; ++c) {
    if constexpr (kInPlace<KIND>) {
      v[c] = _mm512_and_si512(raw, _mm512_set1_epi8(static_cast<char>(kMask << (kR.code_bits * c))));
    } else {
      const __m512i at0 = c == 0 ? raw : _mm512_srli_epi16(raw, static_cast<unsigned>(kR.code_bits * c));
      v[c] = _mm512_and_si512(at0, _mm512_set1_epi8(static_cast<char>(kMask)));
    }
    if constexpr (KIND == kNibIQ4_XS) v[c] = _mm512_shuffle_epi8(book, v[c]);
  }
  add_high<KIND>(rec, kk, r, v);
}

// sum += scale x dot for the fields of row group q, two sub-blocks per VPDPWSSD
// (NibRecord::scale_pairs: Q2_K, Q3_K): the dots of fields 2p and 2p + 1 go into the low
// and high int16 of each dword, one VPBLENDMW, and meet their scales' int16 pair. Exact:
// a 16-code sub-block's dot is at most 16 x 4 x 128 = 8192 in size (Q3_K's codes -4..3,
// Q2_K's 0..3), an int16, and VPDPWSSD wraps in int32 as VPMULLD and VPADDD do. A field
// kept in place (kInPlace) is shifted once: down to its dot for the low half, up by the
// rest of 16 for the high half.
template <int KIND>
[[gnu::always_inline]] inline void scale_pairs(const uint8_t* rec, int q, const __m512i (&dot)[Rec<KIND>::kF],
                                               __m512i& sum) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  static_assert(kR.scale_pairs && kR.sub_len == 16 && (KIND == kNibQ2_K || KIND == kNibQ3_K),
                "only these dots fit int16");
  constexpr __mmask32 kHighWords = 0xaaaaaaaau;
#pragma GCC unroll 2
  for (int p = 0; p < kR.fields / 2; ++p) {
    const int lo_up = kInPlace<KIND> ? kR.code_bits * 2 * p : 0;        // field 2p: 2^lo_up x dot
    const int hi_up = kInPlace<KIND> ? kR.code_bits * (2 * p + 1) : 0;  // field 2p + 1
    const __m512i lo =
        lo_up == 0 ? dot[2 * p] : _mm512_maskz_srai_epi32(kAll, dot[2 * p], static_cast<unsigned>(lo_up));
    const __m512i hi = _mm512_maskz_slli_epi32(kAll, dot[2 * p + 1], static_cast<unsigned>(16 - hi_up));
    const __m512i scales = _mm512_maskz_cvtepi8_epi16(
        ~__mmask32{0}, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec + kR.scale_pair_row(q, p))));
    sum = _mm512_dpwssd_epi32(sum, _mm512_mask_blend_epi16(kHighWords, lo, hi), scales);
  }
}

template <int KIND, bool X, int NS>
[[gnu::always_inline]] inline void tile(const KqArgs& g, const uint8_t* arow, float* yrow, TileStrips ts,
                                        const __mmask16* masks) {
  using R = Rec<KIND>;
  constexpr int kF = R::kF;
  const auto* w = reinterpret_cast<const uint8_t*>(g.w);
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = w + static_cast<size_t>(ts.strip(s)) * g.strip_bytes;
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
    // Group q: rows q * kRowsPerSub.. complete one chain per field, field c's of
    // sub-block c * kGroups + q.
#pragma GCC unroll 1
    for (int q = 0; q < R::kGroups; ++q) {
      __m512i dot[NS][kF];
      for (int c = 0; c < kF; ++c) {
        // In place (kInPlace), field c's chain sums 2^(bits * c) x what it would: its start too.
        const int up = kInPlace<KIND> ? R::kR.code_bits * c : 0;
        const __m512i start =
            R::kMin ? _mm512_setzero_si512() : _mm512_set1_epi32(starts[c * R::kGroups + q] * (1 << up));
        for (int s = 0; s < NS; ++s) dot[s][c] = start;
      }
#pragma GCC unroll 8
      for (int r = 0; r < R::kRowsPerSub; ++r) {
        const int kk = q * R::kRowsPerSub + r;
        __m512i a[kF];
#pragma GCC unroll 4
        for (int c = 0; c < kF; ++c) {
          a[c] = _mm512_set1_epi32(
              load_i32(ab + kq_records::kQ8KCodeOffset + static_cast<size_t>(R::kR.span * c + 4 * kk)));
        }
#pragma GCC unroll 4
        for (int s = 0; s < NS; ++s) {
          __m512i raw = _mm512_loadu_si512(rec[s] + R::kR.code_row(kk));
          // One load per row: without this gcc folds the load into every unpack
          // operation (a 64-byte load per field; Q4_K in L2 ~3 % slower).
          __asm__("" : "+v"(raw));
          __m512i v[kF];
          if constexpr (X && has_unpack_x(KIND)) {
            unpack_x<KIND>(rec[s], raw, kk, r, book, v);
          } else {
            unpack<KIND>(rec[s], raw, kk, r, book, v);
          }
#pragma GCC unroll 4
          for (int c = 0; c < kF; ++c) dot[s][c] = _mm512_dpbusd_epi32(dot[s][c], v[c], a[c]);
        }
      }
#pragma GCC unroll 4
      for (int s = 0; s < NS; ++s) {
        if constexpr (R::kR.scale_pairs) {
          scale_pairs<KIND>(rec[s], q, dot[s], sum[s]);
          continue;
        }
#pragma GCC unroll 4
        for (int c = 0; c < kF; ++c) {
          // An exact multiple of 2^(bits * c) (kInPlace): back to the plain chain.
          if (kInPlace<KIND> && c > 0)
            dot[s][c] = _mm512_maskz_srai_epi32(kAll, dot[s][c], static_cast<unsigned>(R::kR.code_bits * c));
          const __m512i scale = _mm512_maskz_cvtepi8_epi32(
              kAll, _mm_loadu_si128(
                        reinterpret_cast<const __m128i*>(rec[s] + R::kR.scale_at(c * R::kGroups + q, 0))));
          sum[s] = _mm512_add_epi32(sum[s], _mm512_mullo_epi32(dot[s][c], scale));
        }
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
