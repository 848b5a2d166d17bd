// The VNNI GEMV for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS over kq_nib_vnni16
// (kernels/pack/kquant_nibble_pack.h), the codes kept in nibbles or, for Q2_K, in 2-bit
// crumbs: the decode step streams 100-212 bytes per 256 weights instead of kq_i8_vnni16's
// 308. One body, written once over a register width V, built in four translation units:
//   V = Vec512 (kqn_vec512.h): avx512_kqn_gemv.cpp (X = false: AVX-512 F/BW/VL + VNNI) and
//     avx512ext_kqn_gemv.cpp (X = true: also VBMI and GFNI, fewer unpack instructions per
//     code row, Vec512::unpack_x; built only for the kinds has_unpack_x() names);
//   V = Vec256 (kqn_vec256.h): avxvnni_kqn_gemv.cpp (AVX2 + AVX-VNNI, the `__avxvnni`
//     GEMVs) and avxvnni_evex.cpp (the same with EVEX VPDPBUSD: their stand-ins).
// A 16-column strip is V::kParts registers of V::kLanes lanes; every per-lane field of
// the record (code and high rows 4 bytes a lane, scales 1, scale pairs, mins and fp16
// d / dmin 2) is read at the part's lane offset, so the arithmetic per lane is the same
// at both widths. Everything is in an unnamed namespace (vnni_raw.h says why).
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
#include "kernels/vnni/kq_bias_starts.h"
#include "kernels/vnni/kq_bsum_pairs.h"
#include "kernels/vnni/lane_bits.h"
#include "kernels/vnni/strip_order.h"
#include "kernels/vnni/touch_lines.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

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

// Software prefetch: each strip's records are read in ascending order
// (kquant_records.h), which the hardware prefetchers follow. Until 2026-11-29 the next
// record of each strip was prefetched (L1 or L2 hints by L1D size), which had paid while
// the records were read out of order; in reading order, on Zen 4, dropping it took the
// 1-thread cold GEMVs from 1.28-1.35x to 0.92-1.03x of the read roofline
// (kernels/README.md "Record order"). On Zen 5 (2026-12-01) the next record prefetched into
// L1, a share of its lines per row group, took 12-29 % off the 1-thread time of Q3_K..IQ4_XS
// hot and 0-17 % cold; so the distance is a per-CPU choice (KqArgs::prefetch_records,
// kqn_gemv_prefetch_records(): kernels/README.md "Software prefetch per CPU").

// ORs the high bits of code row kk = q * kRowsPerSub + r into its fields v, above their
// code bits (Q5_K: bit 4, Q6_K: bits 4..5). r is a compile-time constant after
// unrolling and the fields' places in their high row depend on r alone (Rec's
// static_assert), so the shifts fold away. `rows`: the record, at the part's lanes.
template <typename V, int KIND>
[[gnu::always_inline]] inline void add_high(const uint8_t* rows, int kk, int r,
                                            typename V::I (&v)[Rec<KIND>::kF]) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  if constexpr (kR.high_bits != 0) {
    const typename V::I hb = V::load_row(rows + kR.high_row(kk));
    const typename V::I mask = V::set1_8(((1 << kR.high_bits) - 1) << kR.code_bits);
#pragma GCC unroll 4
    for (int c = 0; c < kR.fields; ++c) {
      const int from = kR.high_shift(r, c), to = kR.code_bits;
      const typename V::I moved = from <= to ? V::slli16(hb, static_cast<unsigned>(to - from))
                                             : V::srli16(hb, static_cast<unsigned>(from - to));
      v[c] = V::or_(v[c], V::and_(moved, mask));
    }
  }
}

// The kinds with an unpack in fewer instructions through AVX-512 VBMI and GFNI
// (Vec512::unpack_x, the X kernels).
constexpr bool has_unpack_x(int kind) {
  return kind == kNibIQ4_XS || kind == kNibQ5_K;
}

// Whether a kind's fields enter VPDPBUSD where they lie in the byte, field c as
// 2^(bits * c) x code (one AND each, no shift), the chain then shifted back exactly after
// its group: the kinds with neither a high plane to merge nor a code book to look up.
// The largest such value, Q2_K's 64 x 3 or Q4_K's 16 x 15, fits a u8; the largest chain,
// 64 x 16 x 3 x 128 summed (or 16 x 32 x 15 x 128), fits int32 with room to spare.
// Only where V's dot takes any u8 (V::kFullU8; the AVX2 dot, avxvnni_dot.h, takes u <= 127).
template <typename V, int KIND>
constexpr bool kInPlace = Rec<KIND>::kR.high_bits == 0 && KIND != kNibIQ4_XS && V::kFullU8;

// The plain unpack of code row kk into its fields (the codes, 2^(bits * c) x the codes
// where kInPlace, or IQ4_XS's book values + 128).
template <typename V, int KIND>
[[gnu::always_inline]] inline void unpack(const uint8_t* rows, typename V::I raw, int kk, int r,
                                          typename V::I book, typename V::I (&v)[Rec<KIND>::kF]) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  constexpr int kMask = (1 << kR.code_bits) - 1;
#pragma GCC unroll 4
  for (int c = 0; c < kR.fields; ++c) {
    if constexpr (kInPlace<V, KIND>) {
      v[c] = V::and_(raw, V::set1_8(kMask << (kR.code_bits * c)));
    } else {
      const typename V::I at0 = c == 0 ? raw : V::srli16(raw, static_cast<unsigned>(kR.code_bits * c));
      v[c] = V::and_(at0, V::set1_8(kMask));
    }
    if constexpr (KIND == kNibIQ4_XS) v[c] = V::shuffle8(book, v[c]);
  }
  add_high<V, KIND>(rows, kk, r, v);
}

// sum += scale x dot for the fields of row group q, two sub-blocks per VPDPWSSD
// (NibRecord::scale_pairs: Q2_K, Q3_K): the dots of fields 2p and 2p + 1 go into the low
// and high int16 of each dword, one word blend, and meet their scales' int16 pair. Exact:
// a 16-code sub-block's dot is at most 16 x 4 x 128 = 8192 in size (Q3_K's codes -4..3,
// Q2_K's 0..3), an int16, and VPDPWSSD wraps in int32 as VPMULLD and VPADDD do. A field
// kept in place (kInPlace) is shifted once: down to its dot for the low half, up by the
// rest of 16 for the high half. `lane0`: the part's first lane.
template <typename V, int KIND>
[[gnu::always_inline]] inline void scale_pairs(const uint8_t* rec, size_t lane0, int q,
                                               const typename V::I (&dot)[Rec<KIND>::kF],
                                               typename V::I& sum) {
  constexpr kq_records::NibRecord kR = Rec<KIND>::kR;
  static_assert(kR.scale_pairs && kR.sub_len == 16 && (KIND == kNibQ2_K || KIND == kNibQ3_K),
                "only these dots fit int16");
#pragma GCC unroll 2
  for (int p = 0; p < kR.fields / 2; ++p) {
    const int lo_up = kInPlace<V, KIND> ? kR.code_bits * 2 * p : 0;        // field 2p: 2^lo_up x dot
    const int hi_up = kInPlace<V, KIND> ? kR.code_bits * (2 * p + 1) : 0;  // field 2p + 1
    const typename V::I lo = lo_up == 0 ? dot[2 * p] : V::srai32(dot[2 * p], static_cast<unsigned>(lo_up));
    const typename V::I hi = V::slli32(dot[2 * p + 1], static_cast<unsigned>(16 - hi_up));
    const typename V::I scales = V::pairs_i16(rec + kR.scale_pair_row(q, p) + 2 * lane0);
    sum = V::dpwssd(sum, V::blend_high_words(lo, hi), scales);
  }
}

// NS strips of 16 columns, as kU = NS x V::kParts registers ("units"): unit u is part
// u % kParts of strip u / kParts, lanes lane0(u) = (u % kParts) x kLanes onwards.
template <typename V, int KIND, bool X, int NS>
[[gnu::always_inline]] inline void tile(const KqArgs& g, const uint8_t* arow, float* yrow, TileStrips ts,
                                        const uint32_t* masks) {
  using R = Rec<KIND>;
  using I = typename V::I;
  using F = typename V::F;
  constexpr int kF = R::kF;
  constexpr int kU = NS * V::kParts;
  constexpr auto lane0 = [](int u) { return static_cast<size_t>(u % V::kParts) * V::kLanes; };
  const auto* w = reinterpret_cast<const uint8_t*>(g.w);
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = w + static_cast<size_t>(ts.strip(s)) * g.strip_bytes;
  const I book = V::iq4_book();  // IQ4_XS only
  F acc[kU];
  for (int u = 0; u < kU; ++u) acc[u] = V::zero_ps();
  for (int64_t b = 0; b < g.superblocks; ++b) {
    const uint8_t* ab = arow + static_cast<size_t>(b) * kq_records::kQ8KBlockBytes;
    const uint8_t* rec[NS];
    for (int s = 0; s < NS; ++s) rec[s] = ws[s] + static_cast<size_t>(b) * R::kBytes;
    touch_lines<V, R::kR.header_bytes, NS>(rec);  // header before rows (touch_lines.h)
    I sum[kU];
    for (int u = 0; u < kU; ++u) sum[u] = V::zero();
    int32_t starts[R::kNSub];  // the biased types' chain starts
    // kFlip (IQ4_XS on plain AVX2): the row's codes as dot_flip's operands, once per
    // super-block; the chains start at neg(a) instead of -128 x bsum (avxvnni_dot.h).
    constexpr bool kFlip = KIND == kNibIQ4_XS && V::kSignedBook;
    // The plain AVX2 dot keeps G rows' products in int16 (VPMADDUBSW + VPADDW) and widens
    // them once (VPMADDWD by ones + VPADDD): G <= the group's rows as the codes allow
    // (avxvnni_dot.h kq_int16_group: Q4_K, Q2_K, Q3_K a whole group, Q5_K half, Q6_K a
    // half of its 4 rows); 0 with VPDPBUSD and for IQ4_XS (kFlip). The int32 sums are the
    // exact dots either way.
    constexpr int G = kFlip ? 0 : V::template int16_group<R::kSub, R::kR.code_max>();
    static_assert(G == 0 || R::kRowsPerSub % G == 0, "every row of a group widened");
    [[maybe_unused]] alignas(32) uint8_t a_abs[kFlip ? 256 : 1], a_flip[kFlip ? 256 : 1];
    if constexpr (kFlip) {
      V::signed_codes(ab + kq_records::kQ8KCodeOffset, a_abs, a_flip, starts);
      __asm__ volatile("" : "+m"(starts));
    } else if constexpr (!R::kMin) {
      bias_starts<R::kSub>(ab, -g.bias, starts);
      __asm__ volatile("" : "+m"(starts));  // broadcast loads, not extractions
    }
    // Group q: rows q * kRowsPerSub.. complete one chain per field, field c's of
    // sub-block c * kGroups + q.
#pragma GCC unroll 1
    for (int q = 0; q < R::kGroups; ++q) {
      // The record g.prefetch_records ahead in each strip, a share of its lines per row
      // group (kqn_gemv_prefetch_records(): by CPU; the 512-bit GEMVs only).
      if constexpr (V::kLanes == 16) {
        if (g.prefetch_records > 0 && b + g.prefetch_records < g.superblocks) {
          static_assert(R::kBytes % 64 == 0, "whole lines: the last one prefetched lies in its record");
          constexpr size_t kLines = R::kBytes / 64;
          constexpr size_t kPerGroup = (kLines + R::kGroups - 1) / R::kGroups;
          const size_t first = static_cast<size_t>(q) * kPerGroup;
          const size_t end = first + kPerGroup < kLines ? first + kPerGroup : kLines;
          const size_t ahead = static_cast<size_t>(g.prefetch_records) * R::kBytes;
#pragma GCC unroll 4
          for (int s = 0; s < NS; ++s) {
            for (size_t i = first; i < end; ++i) {
              _mm_prefetch(reinterpret_cast<const char*>(rec[s] + ahead + 64 * i), _MM_HINT_T0);
            }
          }
        }
      }
      I dot[kU][kF];
      for (int c = 0; c < kF; ++c) {
        // In place (kInPlace), field c's chain sums 2^(bits * c) x what it would: its start too.
        const int up = kInPlace<V, KIND> ? R::kR.code_bits * c : 0;
        const I start = R::kMin ? V::zero() : V::set1_32(starts[c * R::kGroups + q] * (1 << up));
        for (int u = 0; u < kU; ++u) dot[u][c] = start;
      }
      [[maybe_unused]] I d16[kU][kF];
#pragma GCC unroll 8
      for (int r = 0; r < R::kRowsPerSub; ++r) {
        const int kk = q * R::kRowsPerSub + r;
        I a[kF];
        [[maybe_unused]] I flip[kF];  // kFlip: a holds |a|
#pragma GCC unroll 4
        for (int c = 0; c < kF; ++c) {
          const size_t at =
              static_cast<size_t>(R::kR.span) * static_cast<size_t>(c) + 4 * static_cast<size_t>(kk);
          if constexpr (kFlip) {
            a[c] = V::set1_32(load_i32(a_abs + at));
            flip[c] = V::set1_32(load_i32(a_flip + at));
          } else {
            a[c] = V::set1_32(load_i32(ab + kq_records::kQ8KCodeOffset + at));
          }
        }
#pragma GCC unroll 4
        for (int u = 0; u < kU; ++u) {
          const uint8_t* rows = rec[u / V::kParts] + 4 * lane0(u);
          I raw = V::load_row(rows + R::kR.code_row(kk));
          // One load per row: without this gcc folds the load into every unpack
          // operation (a 64-byte load per field; Q4_K in L2 ~3 % slower).
          __asm__("" : "+v"(raw));
          I v[kF];
          if constexpr (X && has_unpack_x(KIND)) {
            V::template unpack_x<KIND>(rows, raw, kk, r, book, v);
          } else {
            unpack<V, KIND>(rows, raw, kk, r, book, v);
          }
#pragma GCC unroll 4
          for (int c = 0; c < kF; ++c) {
            // IQ4_XS's book + 128 reaches 241: VPDPBUSD takes it, plain AVX2 dot_flip.
            if constexpr (kFlip) {
              dot[u][c] = V::dot_flip(dot[u][c], v[c], a[c], flip[c]);
            } else if constexpr (G > 0) {
              d16[u][c] = V::dot16(r % G == 0 ? V::zero() : d16[u][c], v[c], a[c]);
            } else {
              static_assert(KIND != kNibIQ4_XS || V::kFullU8, "IQ4_XS on plain AVX2: kFlip");
              dot[u][c] = V::dpbusd(dot[u][c], v[c], a[c]);
            }
          }
        }
        if constexpr (G > 0) {
          if (r % G == G - 1) {
#pragma GCC unroll 4
            for (int u = 0; u < kU; ++u) {
#pragma GCC unroll 4
              for (int c = 0; c < kF; ++c) dot[u][c] = V::widen16(dot[u][c], d16[u][c]);
            }
          }
        }
      }
#pragma GCC unroll 4
      for (int u = 0; u < kU; ++u) {
        const uint8_t* r = rec[u / V::kParts];
        if constexpr (R::kR.scale_pairs) {
          scale_pairs<V, KIND>(r, lane0(u), q, dot[u], sum[u]);
          continue;
        }
#pragma GCC unroll 4
        for (int c = 0; c < kF; ++c) {
          // An exact multiple of 2^(bits * c) (kInPlace): back to the plain chain.
          if (kInPlace<V, KIND> && c > 0)
            dot[u][c] = V::srai32(dot[u][c], static_cast<unsigned>(R::kR.code_bits * c));
          const I scale = V::scales_i32(r + R::kR.scale_at(c * R::kGroups + q, 0) + lane0(u));
          sum[u] = V::add32(sum[u], V::mullo32(dot[u][c], scale));
        }
      }
    }
    const F dav = V::set1_ps(load_f32(ab));
#pragma GCC unroll 4
    for (int u = 0; u < kU; ++u) {
      const F dw = V::f16_ps(rec[u / V::kParts] + R::kD + 2 * lane0(u));
      acc[u] = V::fmadd_ps(V::cvt_ps(sum[u]), V::mul_ps(dw, dav), acc[u]);
    }
    if constexpr (R::kMin) {
      // The row's bsum pairs: (bsum of sub-block 2p, of 2p + 1) as int16 in a dword.
      int32_t pairs[R::kNSub / 2];
      kq_bsum_pairs(ab, R::kSub, pairs);
      I pair[R::kNSub / 2];
      for (int p = 0; p < R::kNSub / 2; ++p) pair[p] = V::set1_32(pairs[p]);
#pragma GCC unroll 4
      for (int u = 0; u < kU; ++u) {
        const uint8_t* r = rec[u / V::kParts];
        I t = V::zero();
        for (int p = 0; p < R::kNSub / 2; ++p) {
          const I cf = V::pairs_i16(r + R::kCoef + 32 * static_cast<size_t>(p) + 2 * lane0(u));
          t = V::dpwssd(t, cf, pair[p]);
        }
        const F dmw = V::f16_ps(r + R::kDmin + 2 * lane0(u));
        acc[u] = V::fmadd_ps(V::neg_ps(V::mul_ps(dav, dmw)), V::cvt_ps(t), acc[u]);
      }
    }
  }
  for (int u = 0; u < kU; ++u) {
    V::store(yrow + 16 * ts.strip(u / V::kParts) + lane0(u), acc[u], masks[u / V::kParts] >> lane0(u));
  }
}

template <typename V, int KIND, bool X, int NS>
void tile_dispatch(const KqArgs& g, const uint8_t* arow, float* yrow, TileStrips ts, const uint32_t* masks) {
  if constexpr (NS > 1) {
    if (ts.count < NS) return tile_dispatch<V, KIND, X, NS - 1>(g, arow, yrow, ts, masks);
  }
  tile<V, KIND, X, NS>(g, arow, yrow, ts, masks);
}

// Tiles of V::tile_strips<KIND>() staggered strips (strip_order.h), each over all of K,
// row after row.
template <typename V, int KIND, bool X>
void drive(const KqArgs& g) {
  constexpr int kStrips = V::template tile_strips<KIND>();
  const StripOrder<kStrips> order(g.n0 / 16, (g.n1 + 15) / 16, true);
  for (int64_t r = 0; r < g.rows; ++r) {
    const uint8_t* arow = reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride;
    float* yrow = g.y + static_cast<size_t>(r) * g.y_stride;
    for (int64_t j = 0; j < order.tile_count(); ++j) {
      const TileStrips ts = order.tile(j);
      uint32_t masks[kStrips] = {};
      for (int i = 0; i < ts.count; ++i) masks[i] = lane_bits(g.n0, g.n1, ts.strip(i) * 16, 16);
      tile_dispatch<V, KIND, X, kStrips>(g, arow, yrow, ts, masks);
    }
  }
}

// One call of the GEMV over every kind (KqArgs::nib_kind) at width V without the X unpack.
template <typename V>
void kqn_gemv_body(const KqArgs& g) {
  switch (g.nib_kind) {
    case kNibQ4_K: return drive<V, kNibQ4_K, false>(g);
    case kNibIQ4_XS: return drive<V, kNibIQ4_XS, false>(g);
    case kNibQ5_K: return drive<V, kNibQ5_K, false>(g);
    case kNibQ2_K: return drive<V, kNibQ2_K, false>(g);
    case kNibQ3_K: return drive<V, kNibQ3_K, false>(g);
    default: return drive<V, kNibQ6_K, false>(g);
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
