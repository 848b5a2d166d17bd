// The instruction mix the golden order makes unavoidable per block of each weight format
// (reference/golden/golden_gemm.h), as a register-only throughput loop: the ceiling a
// GEMM of that format can reach on this core, whatever its data movement. Compiled with
// -mavx512f -mavx512bw -mavx512vnni only (see loops.h for why).
//
// One iteration is one block (32 K) or one super-block (256 K) for 8 independent output
// vectors of 16 lanes (the kernels' 4 x 32 register tile):
//   32-wide: per output 8 VPDPBUSD (from a fresh int32), VCVTDQ2PS, VMULPS (d_w * d_a),
//            VFMADD; Q4_1 one more VFMADD (m_w * s_a)
//   K-quant: per output and sub-block L/4 VPDPBUSD (fresh), VPMULLD by the scale, VPADDD;
//            then VCVTDQ2PS, VMULPS, VFMADD, and for a type with mins 256/L/2 VPDPWSSD
//            (the min term Mn: a coefficient per sub-block, two per instruction),
//            VMULPS, VXORPS (the negation), VCVTDQ2PS, VFMADD. The biased types without
//            mins (Q3_K, Q6_K, IQ4_XS) need no VPDPWSSD: their chains start at
//            -bias * bsum (kernels/vnni/kq_bias_starts.h; until 2026-11-29 this mix
//            counted 256/L/2 VPDPWSSD for them too).
// Nothing else (no loads, no unpacking): real kernels can only be slower.
// The scale products are per (row, column strip) of the tile and per block, so each
// iteration makes its 2 d_w and 4 d_a vectors opaque: a loop-invariant product would be
// hoisted out of the loop by the compiler (it was, until 2026-11-29: the VMULPS was
// missing from every mix) and the ceiling would be too high.
#include <immintrin.h>

#include "harness/calibrate/loops.h"

namespace amxlab::calibrate::loops {
namespace {

template <int N>
inline void opaque(__m512i (&v)[N]) {
  for (int i = 0; i < N; ++i) __asm__ volatile("" : "+v"(v[i]));
}
template <int N>
inline void opaque(__m512 (&v)[N]) {
  for (int i = 0; i < N; ++i) __asm__ volatile("" : "+v"(v[i]));
}

constexpr auto kAll = static_cast<__mmask16>(0xffff);

// The per-block scales of the 4 x 32 tile: d_w (and a K-quant's dmin_w) per column
// strip, d_a per row. Output o is (row o / 2, strip o % 2); its scale products d_w * d_a
// (and d_a * dmin_w) are one VMULPS each per output and block, as in the kernels.
struct Scales {
  static constexpr int kStrips = 2, kRows = 4;
  __m512 dw[kStrips], dm[kStrips], da[kRows];
  explicit Scales(float seed) {
    for (int s = 0; s < kStrips; ++s) {
      dw[s] = _mm512_set1_ps(seed * static_cast<float>(s + 1));
      dm[s] = _mm512_set1_ps(0.25f * static_cast<float>(s + 1));
    }
    for (int r = 0; r < kRows; ++r) da[r] = _mm512_set1_ps(1.0f / static_cast<float>(1024 * (r + 1)));
  }
  // A new block: new scales, as far as the compiler knows (no instruction is emitted).
  template <bool kMin>
  [[gnu::always_inline]] void next_block() {
    for (auto& v : dw) __asm__ volatile("" : "+v"(v));
    for (auto& v : da) __asm__ volatile("" : "+v"(v));
    if constexpr (kMin) {
      for (auto& v : dm) __asm__ volatile("" : "+v"(v));
    }
  }
  [[gnu::always_inline]] __m512 product(int o) const {
    return _mm512_mul_ps(dw[o % kStrips], da[o / kStrips]);
  }
  [[gnu::always_inline]] __m512 min_product(int o) const {
    return _mm512_mul_ps(da[o / kStrips], dm[o % kStrips]);
  }
};

// Sum of every lane of every accumulator (summed through memory: gcc 12's
// _mm512_reduce_* trip -Wuninitialized), so that nothing is optimised away.
template <int N>
double fold(const __m512 (&acc)[N]) {
  __m512 s = acc[0];
  for (int o = 1; o < N; ++o) s = _mm512_add_ps(s, acc[o]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  double sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}

template <bool MIN4_1>
double mix32(int64_t iterations, float seed) {
  constexpr int kOut = 8;
  __m512i a = _mm512_set1_epi32(static_cast<int>(seed * 64.0f) | 0x01010101);
  __m512i b = _mm512_set1_epi32(0x02020202);
  Scales sc(seed);
  __m512 mw = _mm512_set1_ps(0.5f);
  __asm__ volatile("" : "+v"(a), "+v"(b), "+v"(mw));
  __m512 acc[kOut];
  for (auto& x : acc) x = _mm512_setzero_ps();
  opaque(acc);
  for (int64_t it = 0; it < iterations; ++it) {
    sc.next_block<false>();
    __m512i d[kOut];
    for (auto& x : d) x = b;
    opaque(d);  // else the compiler sees kOut identical chains and computes one
#pragma GCC unroll 8
    for (int kk = 0; kk < 8; ++kk) {
#pragma GCC unroll 8
      for (int o = 0; o < kOut; ++o) d[o] = _mm512_dpbusd_epi32(d[o], a, b);
    }
#pragma GCC unroll 8
    for (int o = 0; o < kOut; ++o) {
      acc[o] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, d[o]), sc.product(o), acc[o]);
      if constexpr (MIN4_1) acc[o] = _mm512_fmadd_ps(mw, sc.da[o / Scales::kStrips], acc[o]);
    }
  }
  return fold(acc);
}

template <int SUB, bool MIN>
double mixk(int64_t iterations, float seed) {
  constexpr int kOut = 8;
  __m512i a = _mm512_set1_epi32(static_cast<int>(seed * 64.0f) | 0x01010101);
  __m512i b = _mm512_set1_epi32(0x02020202);
  __m512i sc = _mm512_set1_epi32(3), cf = _mm512_set1_epi32(0x00050007), bs = _mm512_set1_epi32(0x00110013);
  Scales scales(seed);
  __asm__ volatile("" : "+v"(a), "+v"(b), "+v"(sc), "+v"(cf), "+v"(bs));
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  __m512 acc[kOut];
  for (auto& x : acc) x = _mm512_setzero_ps();
  opaque(acc);
  for (int64_t it = 0; it < iterations; ++it) {
    scales.next_block<MIN>();
    __m512i sum[kOut], t[kOut];
    for (auto& x : sum) x = _mm512_setzero_si512();
    opaque(sum);
#pragma GCC unroll 2
    for (int sub = 0; sub < 256 / SUB; ++sub) {
      __m512i d[kOut];
      for (auto& x : d) x = b;
      opaque(d);  // else the compiler sees kOut identical chains and computes one
#pragma GCC unroll 8
      for (int kk = 0; kk < SUB / 4; ++kk) {
#pragma GCC unroll 8
        for (int o = 0; o < kOut; ++o) d[o] = _mm512_dpbusd_epi32(d[o], a, b);
      }
#pragma GCC unroll 8
      for (int o = 0; o < kOut; ++o) sum[o] = _mm512_add_epi32(sum[o], _mm512_mullo_epi32(d[o], sc));
    }
    if constexpr (MIN) {
      for (auto& x : t) x = _mm512_setzero_si512();
      opaque(t);
#pragma GCC unroll 8
      for (int p = 0; p < 256 / SUB / 2; ++p) {
#pragma GCC unroll 8
        for (int o = 0; o < kOut; ++o) t[o] = _mm512_dpwssd_epi32(t[o], cf, bs);
      }
    }
#pragma GCC unroll 8
    for (int o = 0; o < kOut; ++o) {
      if constexpr (MIN) {
        acc[o] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, sum[o]), scales.product(o), acc[o]);
        const __m512 nd =
            _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(scales.min_product(o)), sign));
        acc[o] = _mm512_fmadd_ps(nd, _mm512_maskz_cvtepi32_ps(kAll, t[o]), acc[o]);
      } else {
        acc[o] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, sum[o]), scales.product(o), acc[o]);
      }
    }
  }
  return fold(acc);
}

}  // namespace

double format_mix_zmm(FormatMix mix, int64_t iterations, float seed) {
  switch (mix) {
    case FormatMix::block32: return mix32<false>(iterations, seed);
    case FormatMix::block32_min: return mix32<true>(iterations, seed);
    case FormatMix::k32_min: return mixk<32, true>(iterations, seed);
    case FormatMix::k32: return mixk<32, false>(iterations, seed);
    case FormatMix::k16_min: return mixk<16, true>(iterations, seed);
    case FormatMix::k16: return mixk<16, false>(iterations, seed);
    // AVX2-only mixes: VPDPBUSD takes any u8 (block32 is Q8_0's mix here) and sums in
    // int32 (no int16 groups: k32_min and k16 are Q4_K's and Q3_K's).
    case FormatMix::block32_signed:
    case FormatMix::k32_min_g8:
    case FormatMix::k16_g4: break;
  }
  return 0;
}

}  // namespace amxlab::calibrate::loops
