// The AVX-VNNI K-quant GEMM (kquant_tile.h) over kq_i8_vnni16: the 256-bit operations, a
// strip being two ymm halves (lanes 0..7 and 8..15). One body, two translation units
// (avxvnni_dot.h): avxvnni_kquant.cpp (VEX) and avxvnni_evex.cpp (the EVEX stand-ins).
#pragma once

#include <immintrin.h>

#include "kernels/vnni/avxvnni_dot.h"
#include "kernels/vnni/kquant_tile.h"
#include "kernels/vnni/ymm_lanes.h"

namespace amxlab::vnni::raw {
namespace {

struct AvxVnni {
  using I = __m256i;
  using F = __m256;
  using Mask = __m256i;  // all-ones lanes are stored
  static constexpr int kHalves = 2, kLanes = 8;
  static constexpr size_t kCodeHalf = 32, kScaleHalf = 8, kHalfHalf = 16;
  static I zero_i() { return _mm256_setzero_si256(); }
  static F zero_f() { return _mm256_setzero_ps(); }
  static I load_i(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static F load_f(const float* p) { return _mm256_loadu_ps(p); }
  static void store_f(float* p, F v) { _mm256_storeu_ps(p, v); }
  static void store_masked(float* p, Mask m, F v) { _mm256_maskstore_ps(p, m, v); }
  static Mask lane_mask(uint32_t bits) { return ymm_lane_mask(bits); }  // ymm_lanes.h
  static I set1_i(int32_t v) { return _mm256_set1_epi32(v); }
  static F set1_f(float v) { return _mm256_set1_ps(v); }
  static I dpbusd(I acc, I u, I a) { return Dot256::dpbusd(acc, u, a); }
  static I dpwssd(I acc, I c, I b) { return Dot256::dpwssd(acc, c, b); }
  // IQ4_XS on plain AVX2: its book + 128 (up to 241) through Dot256::dot_flip
  // (kquant_tile.h kSignedBook).
  static constexpr bool kFullU8 = Dot256::kFullU8;
  static constexpr bool kSignedBook = !kFullU8;
#if defined(AMXLAB_DOT256_AVX2)
  static void signed_codes(const uint8_t* codes, uint8_t* abs, uint8_t* flip, int32_t* neg) {
    Dot256::signed_codes(codes, abs, flip, neg);
  }
  static I scale_pairs(const uint8_t* p) { return Dot256::scale_pairs(p); }
  static I dot_flip(I acc, I u, I abs_a, I flip, I scale) {
    return Dot256::dot_flip(acc, u, abs_a, flip, scale);
  }
  // acc + scale x v per int32 lane, for 0 <= v < 2^15 (the int16 pairs (v, 0)).
  static I add_scaled(I acc, I scale, I v) { return _mm256_add_epi32(acc, _mm256_madd_epi16(scale, v)); }
  // A group's int16 pair sums (dot16) widened and weighted by the scale pairs sc16 (both
  // halves of each dword the same scale) in one VPMADDWD, into the chain acc.
  static I widen_scaled(I acc, I acc16, I sc16) { return Dot256::dpwssd(acc, acc16, sc16); }
#endif
  template <int SUB, int UMAX>
  static constexpr int int16_group() {
    return kq_int16_group<SUB, UMAX>();
  }
  static I dot16(I acc16, I u, I a) { return raw::dot16(acc16, u, a); }
  static I mullo(I a, I b) { return _mm256_mullo_epi32(a, b); }
  static I add(I a, I b) { return _mm256_add_epi32(a, b); }
  static I load_scales(const uint8_t* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static F load_half(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static F cvt(I v) { return _mm256_cvtepi32_ps(v); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F neg(F v) { return _mm256_xor_ps(v, _mm256_set1_ps(-0.0f)); }
};

// 2 rows x 1 strip (2 x 2 ymm columns), K in ranges of 4 super-blocks.
constexpr int kMR = 2, kNS = 1;
constexpr int64_t kKc = 4;

// The entry point's body.
inline void avxvnni_kq_gemm_body(const KqArgs& g) {
  kq::run<AvxVnni, kMR, kNS>(g, kKc);
}

}  // namespace
}  // namespace amxlab::vnni::raw
