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

// The intrinsic of one operation in this unit's encoding.
#if defined(AMXLAB_AVXVNNI_EVEX)
#define AMXLAB_DOT256(op) _mm256_##op##_epi32
#else
#define AMXLAB_DOT256(op) _mm256_##op##_avx_epi32
#endif
struct Dot256 {
  [[gnu::always_inline]] static __m256i dpbusd(__m256i acc, __m256i u, __m256i a) {
    return AMXLAB_DOT256(dpbusd)(acc, u, a);
  }
  [[gnu::always_inline]] static __m256i dpwssd(__m256i acc, __m256i c, __m256i b) {
    return AMXLAB_DOT256(dpwssd)(acc, c, b);
  }
};
#undef AMXLAB_DOT256

}  // namespace
}  // namespace amxlab::vnni::raw
