// VPDPBUSD and VPDPWSSD on ymm registers for the 256-bit kernels' bodies
// (avxvnni_gemm_tile.h, avxvnni_kq_ops.h, kqn_vec256.h), in the encoding of the
// translation unit that includes them:
//   VEX (AVX-VNNI), the production `*__avxvnni` kernels: avxvnni_gemm.cpp,
//     avxvnni_kquant.cpp and avxvnni_kqn_gemv.cpp, built with -mavxvnni;
//   EVEX (AVX512-VL + AVX512-VNNI) where the unit defines AMXLAB_AVXVNNI_EVEX first: the
//     `*__avxvnni_evex` stand-ins (avxvnni_evex.cpp). The two encodings are one operation
//     on 256-bit registers, so a stand-in gives the AVX-VNNI kernel's bits on a CPU that
//     has AVX-512 VNNI and lacks AVX-VNNI (Zen 4, Ice Lake / Sapphire Rapids servers
//     before AVX-VNNI was enabled), where the production kernel cannot run and would
//     otherwise never be checked;
//   plain AVX2 where the unit defines AMXLAB_DOT256_AVX2 first: the `*__avx2` kernels
//     (avx2_kernels.cpp) for CPUs with no VNNI at all (Haswell to Comet Lake, Zen 1-3).
//     VPMADDUBSW (u8 x s8 pairs summed to int16, saturating) then VPMADDWD by ones and
//     VPADDD: the same sum as VPDPBUSD while every u is at most 127, since then a pair
//     is at most 2 x 127 x 128 = 32512 in size and never saturates (Q4_0's and Q4_1's
//     nibbles, the K-quants' code + bias). The codes that reach 128 (Q8_0's code + 128,
//     the IQ4 books + 128), which VPDPBUSD takes as they are, go through dot_flip
//     instead (below). kFullU8 says whether dpbusd takes any u8: where it does not, the
//     nibble GEMV keeps no field in place (kqn_gemv_tile.h kInPlace) and the callers
//     with such codes take dot_flip (they static_assert it). VPDPWSSD is VPMADDWD plus
//     VPADDD exactly (both wrap alike).
// Unnamed namespace (vnni_raw.h): each unit keeps its own copy.
#pragma once

#include <immintrin.h>

#include <cstdint>

#if defined(AMXLAB_AVXVNNI_EVEX)
#if !defined(__AVX512VL__) || !defined(__AVX512VNNI__)
#error "AMXLAB_AVXVNNI_EVEX: build this unit with -mavx512vl -mavx512vnni"
#endif
#elif defined(AMXLAB_DOT256_AVX2)
#if !defined(__AVX2__) || defined(__AVX512F__) || defined(__AVXVNNI__)
#error "AMXLAB_DOT256_AVX2: build this unit with -mavx2 and no VNNI or AVX-512 flags"
#endif
#elif !defined(__AVXVNNI__)
#error "the AVX-VNNI kernels' unit must be built with -mavxvnni (or define AMXLAB_AVXVNNI_EVEX)"
#endif

namespace amxlab::vnni::raw {
namespace {

// An empty asm that takes v in a register and may change it. The AVX2 dots end in a
// VPADDD, which gcc 12 reassociates across a chain: it turned the chains of a register
// tile into trees of all their products at once and spilled them to the stack (199
// stack accesses in the Q4_K GEMM's loop). Behind this, each chain stays a chain, as
// VPDPBUSD keeps it.
[[gnu::always_inline]] inline void in_register(__m256i& v) {
  __asm__("" : "+x"(v));
}

// Sums kept in int16 across several VPMADDUBSW where the operands bound them (the caller
// proves it: a pair is at most 2 x u_max x 128 in size), widened once by VPMADDWD: one
// multiply per 32 products instead of two. Plain AVX2, used where VNNI is missing.
[[gnu::always_inline]] inline __m256i dot16(__m256i acc16, __m256i u, __m256i a) {
  acc16 = _mm256_add_epi16(acc16, _mm256_maddubs_epi16(u, a));
  in_register(acc16);
  return acc16;
}
[[gnu::always_inline]] inline __m256i widen16(__m256i acc, __m256i acc16) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(acc16, _mm256_set1_epi16(1)));
}

#if defined(AMXLAB_DOT256_AVX2)
struct Dot256 {
  static constexpr bool kFullU8 = false;  // dpbusd: u <= 127 only (above)
  [[gnu::always_inline]] static __m256i dpbusd(__m256i acc, __m256i u, __m256i a) {
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, a), _mm256_set1_epi16(1)));
    in_register(acc);
    return acc;
  }
  [[gnu::always_inline]] static __m256i dpwssd(__m256i acc, __m256i c, __m256i b) {
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(c, b));
    in_register(acc);
    return acc;
  }
  // The signed dot of codes stored biased by 128 (u = w + 128: Q8_0's codes, the IQ4
  // books) with s8 activations a, any values of both, without VPSIGNB (which here takes
  // a multiplier port: sign + VPMADDUBSW + VPMADDWD + VPADDD ran 1.45x the time of the
  // same chain with VPXOR in its place, 2026-11-30). Per activation byte, once
  // (SignedOperands): |a| (exact as u8, 128 included) and flip = 0x80 where a >= 0, 0x7f
  // where a < 0. Per weight byte, u XOR flip is w where a >= 0 and ~w = -w - 1 where
  // a < 0, so |a| x (u XOR flip) = a x w - |a| [a < 0]: VPMADDUBSW(|a|, u XOR flip) sums
  // two of them to at least 2 x 128 x -128 = -32768 and at most 2 x 128 x 127, never
  // saturating, and a chain of them ends at sum a x w - neg(a), where neg(a) = sum of
  // |a| over the negative codes (neg_sum) is the caller's to add back (the chain's
  // start, or its scaled term). Each product pair is weighted by an int16 in the
  // widening VPMADDWD (ones, or a scale: the caller proves the int32 bound).
  struct SignedOperands {
    __m256i abs, flip;
  };
  [[gnu::always_inline]] static SignedOperands signed_operands(__m256i a) {
    const __m256i negative = _mm256_cmpgt_epi8(_mm256_setzero_si256(), a);
    return {_mm256_abs_epi8(a), _mm256_xor_si256(negative, _mm256_set1_epi8(-128))};
  }
  // neg(a) of 32 codes, from their SignedOperands: the sum of |a| where flip is 0x7f.
  [[gnu::always_inline]] static int32_t neg_sum(const SignedOperands& o) {
    const __m256i negative = _mm256_cmpeq_epi8(o.flip, _mm256_set1_epi8(0x7f));
    const __m256i sad = _mm256_sad_epu8(_mm256_and_si256(o.abs, negative), _mm256_setzero_si256());
    const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(sad), _mm256_extracti128_si256(sad, 1));
    return static_cast<int32_t>(_mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1));
  }
  // A row's 256 Q8_K codes as dot_flip's operands: abs[256], flip[256] and neg(a) per 32
  // codes (neg[8]), for the K-quant kernels' IQ4_XS (once per super-block and row).
  [[gnu::always_inline]] static void signed_codes(const uint8_t* codes, uint8_t* abs, uint8_t* flip,
                                                  int32_t* neg) {
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      const SignedOperands o =
          signed_operands(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(codes + 32 * i)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(abs + 32 * i), o.abs);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(flip + 32 * i), o.flip);
      neg[i] = neg_sum(o);
    }
  }
  // Eight int8 scales at p, each as the int16 pair (s, s) of its dword.
  [[gnu::always_inline]] static __m256i scale_pairs(const void* p) {
    const __m128i s = _mm_loadl_epi64(static_cast<const __m128i*>(p));
    return _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(s, s));
  }
  // acc + sum weight x pair over one vector of biased codes u and a broadcast activation
  // dword given as its |a| and flip (above).
  [[gnu::always_inline]] static __m256i dot_flip(__m256i acc, __m256i u, __m256i abs_a, __m256i flip,
                                                 __m256i weight) {
    const __m256i pairs = _mm256_maddubs_epi16(abs_a, _mm256_xor_si256(u, flip));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, weight));
    in_register(acc);
    return acc;
  }
};
// VPMADDUBSW results of a K-quant sub-block that int16 holds (kquant_tile.h): a pair of
// codes u <= UMAX times two activation codes (>= -128) is at most 2 x UMAX x 128 in
// size, and g of them at most 32767. UMAX is the instantiation's largest code
// (KqArgs::code_max): Q4_K 15 (a whole 32-code sub-block, 8 steps), Q5_K 31 (4), Q2_K 3
// (all 4 of a 16-code sub-block), Q3_K 7 (4), Q6_K 63 (2), IQ4_XS's book + 128 up to
// 241 (no pair fits: 0).
template <int SUB, int UMAX>
constexpr int kq_int16_group() {
  int g = 32767 / (2 * UMAX * 128);
  const int steps = SUB / 4;
  return g >= steps ? steps : g < 2 ? 0 : g;
}
static_assert(kq_int16_group<32, 15>() == 8 && kq_int16_group<32, 31>() == 4 &&
              kq_int16_group<16, 3>() == 4 && kq_int16_group<16, 7>() == 4 && kq_int16_group<16, 63>() == 2 &&
              kq_int16_group<32, 241>() == 0);
#else
// The intrinsic of one operation in this unit's encoding.
#if defined(AMXLAB_AVXVNNI_EVEX)
#define AMXLAB_DOT256(op) _mm256_##op##_epi32
#else
#define AMXLAB_DOT256(op) _mm256_##op##_avx_epi32
#endif
template <int SUB, int UMAX>
constexpr int kq_int16_group() {
  return 0;  // VPDPBUSD sums in int32 at no extra cost
}
struct Dot256 {
  static constexpr bool kFullU8 = true;
  [[gnu::always_inline]] static __m256i dpbusd(__m256i acc, __m256i u, __m256i a) {
    return AMXLAB_DOT256(dpbusd)(acc, u, a);
  }
  [[gnu::always_inline]] static __m256i dpwssd(__m256i acc, __m256i c, __m256i b) {
    return AMXLAB_DOT256(dpwssd)(acc, c, b);
  }
};
#undef AMXLAB_DOT256
#endif

}  // namespace
}  // namespace amxlab::vnni::raw
