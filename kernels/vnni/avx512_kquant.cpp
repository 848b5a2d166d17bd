// AVX-512 VNNI K-quant GEMM and GEMV (kquant_tile.h) over kq_i8_vnni16: one zmm per strip.
// Built with the flags of avx512_gemm.cpp (vnni/sources.cmake).
#include <immintrin.h>

#include "kernels/vnni/kquant_tile.h"

namespace amxlab::vnni::raw {
namespace {

struct Avx512 {
  using I = __m512i;
  using F = __m512;
  using Mask = __mmask16;
  static constexpr int kHalves = 1, kLanes = 16;
  static constexpr size_t kCodeHalf = 0, kScaleHalf = 0, kHalfHalf = 0;
  static I zero_i() { return _mm512_setzero_si512(); }
  static F zero_f() { return _mm512_setzero_ps(); }
  static I load_i(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static F load_f(const float* p) { return _mm512_loadu_ps(p); }
  static void store_f(float* p, F v) { _mm512_storeu_ps(p, v); }
  static void store_masked(float* p, Mask m, F v) { _mm512_mask_storeu_ps(p, m, v); }
  static Mask lane_mask(uint32_t bits) { return static_cast<Mask>(bits); }
  static I set1_i(int32_t v) { return _mm512_set1_epi32(v); }
  static F set1_f(float v) { return _mm512_set1_ps(v); }
  static I dpbusd(I acc, I u, I a) { return _mm512_dpbusd_epi32(acc, u, a); }
  static I dpwssd(I acc, I c, I b) { return _mm512_dpwssd_epi32(acc, c, b); }
  static constexpr bool kFullU8 = true;       // VPDPBUSD takes any u8
  static constexpr bool kSignedBook = false;  // VPDPBUSD takes IQ4_XS's book + 128 as it is
  template <int SUB, int UMAX>
  static constexpr int int16_group() {
    return 0;  // VPDPBUSD sums in int32 at no extra cost
  }
  static I mullo(I a, I b) { return _mm512_mullo_epi32(a, b); }
  static I add(I a, I b) { return _mm512_add_epi32(a, b); }
  static I load_scales(const uint8_t* p) {
    return _mm512_maskz_cvtepi8_epi32(static_cast<Mask>(0xffff),
                                      _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  // Zero-masking forms with an all-ones mask (the same instructions): gcc 12's unmasked
  // intrinsics merge into _mm512_undefined_ps(), which -Wmaybe-uninitialized reports.
  static F load_half(const uint8_t* p) {
    return _mm512_maskz_cvtph_ps(static_cast<Mask>(0xffff),
                                 _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static F cvt(I v) { return _mm512_maskz_cvtepi32_ps(static_cast<Mask>(0xffff), v); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F neg(F v) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), _mm512_set1_epi32(INT32_MIN)));
  }
};

// GEMM: 4 rows x 2 strips, K in ranges of 4 super-blocks (2 x 4 x 4928 bytes = 39 KB of
// records in L1 while the row tiles pass). The GEMVs read kq_nib_vnni16 instead
// (kqn_gemv_tile.h).
constexpr int kGemmMR = 4, kGemmNS = 2;
constexpr int64_t kGemmKc = 4;

}  // namespace

void avx512_kq_gemm(const KqArgs& g) {
  kq::run<Avx512, kGemmMR, kGemmNS>(g, kGemmKc);
}

}  // namespace amxlab::vnni::raw
