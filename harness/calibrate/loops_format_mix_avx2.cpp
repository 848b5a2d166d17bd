// The golden-mix loops of loops_format_mix.cpp for CPUs without AVX-512 VNNI: the same
// blocks through the plain AVX2 integer dot (VPMADDUBSW: u8 x s8 pairs summed to int16,
// saturating; VPMADDWD: int16 pairs x int16 summed to int32), which is what the
// `*__avx2` kernels have there (kernels/vnni/avxvnni_dot.h). Compiled with -mavx2 -mfma
// only (loops.h says why).
//
// One iteration is one block (32 K) or super-block (256 K) for 4 independent output
// vectors of 8 lanes (the 256-bit kernels' 2 x 16 register tile). Per output, the least
// an exact kernel does with these instructions:
//   block32 (Q4_0): 8 VPMADDUBSW whose pair sums add up in int16 (a nibble pair is at
//     most 2 x 15 x 128, eight of them 30720) by 7 VPADDW, one VPMADDWD by ones, a
//     VPADDD (the chain's start, -8 x the activations' sum), VCVTDQ2PS, VMULPS (d_w x
//     d_a), VFMADD;
//   block32_min (Q4_1): the same without the start, one more VFMADD (m_w x s_a);
//   block32_signed (Q8_0, IQ4_NL: codes + 128 reach 255, whose pairs VPMADDUBSW
//     saturates): per 32 products VPXOR, VPMADDUBSW, VPMADDWD, VPADDD (the signed dot of
//     Dot256::dot_flip; its pairs fill int16, so none are summed there), the chain
//     starting at the activations' neg(a); then VCVTDQ2PS, VMULPS, VFMADD. VPDPBUSD
//     takes these codes as they are, so the AVX-512 calibration has no such mix;
//   K-quants, per sub-block of L: L/4 VPMADDUBSW, their pair sums kept in int16 over
//     groups of G (as the kernels: avxvnni_dot.h kq_int16_group, the group the type's
//     widest code allows: k32_min_g8 (Q4_K) 8, k32_min (Q5_K) 4, k16_min (Q2_K) 4,
//     k16_g4 (Q3_K) 4, k16 (Q6_K) 2) by G - 1 VPADDW,
//     each group widened and weighted by the sub-block's scale in one VPMADDWD (the scale
//     as int16 pairs) and added by a VPADDD; per super-block the min or bias term
//     (coefficient pairs x the bsum pairs, one VPMADDWD + VPADDD per two sub-blocks) and
//     the epilogue: for the min types VCVTDQ2PS, VMULPS, VFMADD, VMULPS, VXORPS,
//     VCVTDQ2PS, VFMADD; for Q3_K / Q6_K a VPADDD (sum + bias term), VCVTDQ2PS, VMULPS,
//     VFMADD;
//   k32 (IQ4_XS: book + 128 up to 241): per 32 products the signed dot above with the
//     sub-block scale as the VPMADDWD weight, per sub-block its start (scale x neg(a):
//     VPMADDWD + VPADDD), then VCVTDQ2PS, VMULPS, VFMADD.
// Nothing else (no loads, no unpacking, no broadcasts): real kernels can only be slower.
#include <immintrin.h>

#include "harness/calibrate/loops.h"

namespace amxlab::calibrate::loops {
namespace {

constexpr int kOut = 4;  // 2 rows x 2 halves

template <int N>
inline void opaque(__m256i (&v)[N]) {
  for (int i = 0; i < N; ++i) __asm__ volatile("" : "+x"(v[i]));
}
template <int N>
inline void opaque(__m256 (&v)[N]) {
  for (int i = 0; i < N; ++i) __asm__ volatile("" : "+x"(v[i]));
}

// An empty asm that takes v in a register and may change it, after each add of a chain:
// without it gcc 12 reassociates the chains into trees of all their products and spills
// them (as kernels/vnni/avxvnni_dot.h says of the kernels, which do the same).
[[gnu::always_inline]] inline __m256i chained(__m256i v) {
  __asm__("" : "+x"(v));
  return v;
}

// The tile's per-block scales: d_w (and dmin_w) per half, d_a per row; output o is (row
// o / 2, half o % 2). One VMULPS per output and block makes each product, as in the
// kernels; next_block() makes them new as far as the compiler knows (nothing emitted),
// so that no product is hoisted out of the loop.
struct Scales {
  static constexpr int kHalves = 2, kRows = 2;
  __m256 dw[kHalves], dm[kHalves], da[kRows];
  explicit Scales(float seed) {
    for (int h = 0; h < kHalves; ++h) {
      dw[h] = _mm256_set1_ps(seed * static_cast<float>(h + 1));
      dm[h] = _mm256_set1_ps(0.25f * static_cast<float>(h + 1));
    }
    for (int r = 0; r < kRows; ++r) da[r] = _mm256_set1_ps(1.0f / static_cast<float>(1024 * (r + 1)));
  }
  template <bool kMin>
  [[gnu::always_inline]] void next_block() {
    for (auto& v : dw) __asm__ volatile("" : "+x"(v));
    for (auto& v : da) __asm__ volatile("" : "+x"(v));
    if constexpr (kMin) {
      for (auto& v : dm) __asm__ volatile("" : "+x"(v));
    }
  }
  [[gnu::always_inline]] __m256 product(int o) const {
    return _mm256_mul_ps(dw[o % kHalves], da[o / kHalves]);
  }
  [[gnu::always_inline]] __m256 min_product(int o) const {
    return _mm256_mul_ps(da[o / kHalves], dm[o % kHalves]);
  }
};

// Sum of every lane of every accumulator, so that nothing is optimised away.
double fold(const __m256 (&acc)[kOut]) {
  __m256 s = acc[0];
  for (int o = 1; o < kOut; ++o) s = _mm256_add_ps(s, acc[o]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  double sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}

// The operands of the tile: weight codes per half, activation codes (and, for the
// signed dot, their |a| and flip) per row; output o multiplies half o % 2 by row o / 2,
// so the four products of a step are four instructions, as in the kernels. step() makes
// them new as far as the compiler knows (nothing emitted): a product of loop-invariant
// operands would be computed once. Values do not change these instructions' timing.
struct Operands {
  __m256i u[2], a[2], flip[2], ones = _mm256_set1_epi16(1);
  explicit Operands(float seed) {
    for (int i = 0; i < 2; ++i) {
      u[i] = _mm256_set1_epi32(0x02020202 + i);
      a[i] = _mm256_set1_epi32((static_cast<int>(seed * 64.0f) + i) | 0x01010101);
      flip[i] = _mm256_set1_epi8(static_cast<char>(i == 0 ? 0x80 : 0x7f));
    }
    __asm__ volatile("" : "+x"(ones));
  }
  template <bool kSigned>
  [[gnu::always_inline]] void step() {
    __asm__ volatile("" : "+x"(u[0]), "+x"(u[1]), "+x"(a[0]), "+x"(a[1]));
    if constexpr (kSigned) __asm__ volatile("" : "+x"(flip[0]), "+x"(flip[1]));
  }
  [[gnu::always_inline]] __m256i pairs(int o) const { return _mm256_maddubs_epi16(u[o % 2], a[o / 2]); }
  // One signed-dot step of output o (Dot256::dot_flip): acc + weight x pairs(|a| x (u XOR
  // flip)).
  [[gnu::always_inline]] __m256i dot_flip(int o, __m256i acc, __m256i weight) const {
    const __m256i p = _mm256_maddubs_epi16(a[o / 2], _mm256_xor_si256(u[o % 2], flip[o / 2]));
    return chained(_mm256_add_epi32(acc, _mm256_madd_epi16(p, weight)));
  }
  // G VPMADDUBSW per output summed in int16 (G - 1 VPADDW), widened by its half's weight
  // (VPMADDWD) into acc, or into nothing (kStart false: the widening is acc).
  template <int G, bool kStart = true>
  [[gnu::always_inline]] void group(__m256i (&acc)[kOut], const __m256i (&weight)[2]) {
    __m256i s16[kOut];
    step<false>();
#pragma GCC unroll 4
    for (int o = 0; o < kOut; ++o) s16[o] = pairs(o);
#pragma GCC unroll 8
    for (int g = 1; g < G; ++g) {
      step<false>();
#pragma GCC unroll 4
      for (int o = 0; o < kOut; ++o) s16[o] = chained(_mm256_add_epi16(s16[o], pairs(o)));
    }
#pragma GCC unroll 4
    for (int o = 0; o < kOut; ++o) {
      const __m256i w = _mm256_madd_epi16(s16[o], weight[o % 2]);
      acc[o] = kStart ? chained(_mm256_add_epi32(acc[o], w)) : w;
    }
  }
};

template <bool kSigned, bool kMin>
double mix32(int64_t iterations, float seed) {
  Operands op(seed);
  Scales sc(seed);
  __m256 mw = _mm256_set1_ps(0.5f);
  __m256i start = _mm256_set1_epi32(-8);
  __asm__ volatile("" : "+x"(mw), "+x"(start));
  __m256 acc[kOut];
  for (auto& x : acc) x = _mm256_setzero_ps();
  opaque(acc);
  for (int64_t it = 0; it < iterations; ++it) {
    sc.next_block<false>();
    __asm__ volatile("" : "+x"(start));  // a new block's start
    __m256i d[kOut];
    for (auto& x : d) x = start;
    if constexpr (kSigned) {
#pragma GCC unroll 8
      for (int kk = 0; kk < 8; ++kk) {
        op.step<true>();
#pragma GCC unroll 4
        for (int o = 0; o < kOut; ++o) d[o] = op.dot_flip(o, d[o], op.ones);
      }
    } else {
      const __m256i ones[2] = {op.ones, op.ones};
      op.group<8, !kMin>(d, ones);  // Q4_1 starts at 0: no VPADDD
    }
#pragma GCC unroll 4
    for (int o = 0; o < kOut; ++o) {
      acc[o] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d[o]), sc.product(o), acc[o]);
      if constexpr (kMin) acc[o] = _mm256_fmadd_ps(mw, sc.da[o / Scales::kHalves], acc[o]);
    }
  }
  return fold(acc);
}

// K-quants: sub-blocks of SUB, int16 groups of G (0: the signed dot, IQ4_XS).
template <int SUB, bool MIN, int G>
double mixk(int64_t iterations, float seed) {
  Operands op(seed);
  // Per half: the sub-block scales (int16 pairs) and the min / bias coefficient pairs;
  // per row: the bsum pairs (the signed dot's neg(a) for k32).
  __m256i scale[2], cf[2], bs[2];
  for (int i = 0; i < 2; ++i) {
    scale[i] = _mm256_set1_epi32(0x00030003 + i);
    cf[i] = _mm256_set1_epi32(0x00050007 + i);
    bs[i] = _mm256_set1_epi32(0x00110013 + i);
  }
  Scales scales(seed);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 acc[kOut];
  for (auto& x : acc) x = _mm256_setzero_ps();
  opaque(acc);
  for (int64_t it = 0; it < iterations; ++it) {
    scales.next_block<MIN>();
    __m256i sum[kOut];
    for (auto& x : sum) x = _mm256_setzero_si256();
    opaque(sum);
#pragma GCC unroll 2
    for (int sub = 0; sub < 256 / SUB; ++sub) {
      __asm__ volatile("" : "+x"(scale[0]), "+x"(scale[1]));  // a new sub-block's scales
      if constexpr (G == 0) {
        __asm__ volatile("" : "+x"(bs[0]), "+x"(bs[1]));  // the rows' neg(a) of this sub-block
#pragma GCC unroll 4
        for (int o = 0; o < kOut; ++o)
          sum[o] = chained(_mm256_add_epi32(sum[o], _mm256_madd_epi16(scale[o % 2], bs[o / 2])));
#pragma GCC unroll 8
        for (int kk = 0; kk < SUB / 4; ++kk) {
          op.step<true>();
#pragma GCC unroll 4
          for (int o = 0; o < kOut; ++o) sum[o] = op.dot_flip(o, sum[o], scale[o % 2]);
        }
      } else {
#pragma GCC unroll 8
        for (int g = 0; g < SUB / 4 / G; ++g) op.group<G>(sum, scale);
      }
    }
    if constexpr (G != 0) {
      __m256i t[kOut];
      for (auto& x : t) x = _mm256_setzero_si256();
      opaque(t);
#pragma GCC unroll 8
      for (int p = 0; p < 256 / SUB / 2; ++p) {
        __asm__ volatile("" : "+x"(cf[0]), "+x"(cf[1]), "+x"(bs[0]), "+x"(bs[1]));  // the next pair's
#pragma GCC unroll 4
        for (int o = 0; o < kOut; ++o)
          t[o] = chained(_mm256_add_epi32(t[o], _mm256_madd_epi16(cf[o % 2], bs[o / 2])));
      }
#pragma GCC unroll 4
      for (int o = 0; o < kOut; ++o) {
        if constexpr (MIN) {
          acc[o] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[o]), scales.product(o), acc[o]);
          const __m256 nd = _mm256_xor_ps(scales.min_product(o), sign);
          acc[o] = _mm256_fmadd_ps(nd, _mm256_cvtepi32_ps(t[o]), acc[o]);
        } else {
          acc[o] =
              _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_add_epi32(sum[o], t[o])), scales.product(o), acc[o]);
        }
      }
    } else {
#pragma GCC unroll 4
      for (int o = 0; o < kOut; ++o)
        acc[o] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum[o]), scales.product(o), acc[o]);
    }
  }
  return fold(acc);
}

}  // namespace

double format_mix_ymm(FormatMix mix, int64_t iterations, float seed) {
  switch (mix) {
    case FormatMix::block32: return mix32<false, false>(iterations, seed);
    case FormatMix::block32_min: return mix32<false, true>(iterations, seed);
    case FormatMix::block32_signed: return mix32<true, false>(iterations, seed);
    case FormatMix::k32_min: return mixk<32, true, 4>(iterations, seed);
    case FormatMix::k32: return mixk<32, false, 0>(iterations, seed);
    case FormatMix::k16_min: return mixk<16, true, 4>(iterations, seed);
    case FormatMix::k16: return mixk<16, false, 2>(iterations, seed);
    case FormatMix::k32_min_g8: return mixk<32, true, 8>(iterations, seed);
    case FormatMix::k16_g4: return mixk<16, false, 4>(iterations, seed);
  }
  return 0;
}

}  // namespace amxlab::calibrate::loops
