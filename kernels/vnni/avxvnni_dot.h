// VPDPBUSD and VPDPWSSD on ymm registers for the AVX-VNNI kernels' bodies
// (avxvnni_gemm_tile.h, avxvnni_kq_ops.h), in the encoding of the translation unit that
// includes them:
//   VEX (AVX-VNNI), the production `*__avxvnni` kernels: avxvnni_gemm.cpp and
//     avxvnni_kquant.cpp, built with -mavxvnni;
//   EVEX (AVX512-VL + AVX512-VNNI) where the unit defines AMXLAB_AVXVNNI_EVEX first: the
//     `*__avxvnni_evex` stand-ins (avxvnni_evex.cpp). The two encodings are one operation
//     on 256-bit registers, so a stand-in gives the AVX-VNNI kernel's bits on a CPU that
//     has AVX-512 VNNI and lacks AVX-VNNI (Zen 4, Ice Lake / Sapphire Rapids servers
//     before AVX-VNNI was enabled), where the production kernel cannot run and would
//     otherwise never be checked.
// Unnamed namespace (vnni_raw.h): each unit keeps its own copy.
#pragma once

#include <immintrin.h>

#if defined(AMXLAB_AVXVNNI_EVEX)
#if !defined(__AVX512VL__) || !defined(__AVX512VNNI__)
#error "AMXLAB_AVXVNNI_EVEX: build this unit with -mavx512vl -mavx512vnni"
#endif
#elif !defined(__AVXVNNI__)
#error "the AVX-VNNI kernels' unit must be built with -mavxvnni (or define AMXLAB_AVXVNNI_EVEX)"
#endif

namespace amxlab::vnni::raw {
namespace {

struct Dot256 {
  [[gnu::always_inline]] static __m256i dpbusd(__m256i acc, __m256i u, __m256i a) {
#if defined(AMXLAB_AVXVNNI_EVEX)
    return _mm256_dpbusd_epi32(acc, u, a);
#else
    return _mm256_dpbusd_avx_epi32(acc, u, a);
#endif
  }
  [[gnu::always_inline]] static __m256i dpwssd(__m256i acc, __m256i c, __m256i b) {
#if defined(AMXLAB_AVXVNNI_EVEX)
    return _mm256_dpwssd_epi32(acc, c, b);
#else
    return _mm256_dpwssd_avx_epi32(acc, c, b);
#endif
  }
};

}  // namespace
}  // namespace amxlab::vnni::raw
