// Native VPDPBUSD / VDPBF16PS (zmm), compiled with AVX-512 flags (sources.cmake).
// Called only after cpu_features() reported avx512vnni / avx512bf16.
//
// Deliberately self-contained: it includes no project header and instantiates no
// inline or template code shared with other translation units, so no function
// compiled here with AVX-512 can be picked by the linker for baseline code.
#include "kernels/tile/validate_vnni_native.h"

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace amxlab::tile::native_vnni {

void vpdpbusd_zmm(std::size_t vectors, const uint32_t* acc, const uint8_t* a, const uint8_t* b,
                  uint32_t* out) {
  for (std::size_t v = 0; v < vectors; ++v) {
    const __m512i c = _mm512_loadu_si512(acc + 16 * v);
    const __m512i x = _mm512_loadu_si512(a + 64 * v);
    const __m512i y = _mm512_loadu_si512(b + 64 * v);
    _mm512_storeu_si512(out + 16 * v, _mm512_dpbusd_epi32(c, x, y));
  }
}

void vdpbf16ps_zmm(std::size_t vectors, const uint32_t* acc, const uint16_t* a, const uint16_t* b,
                   uint32_t* out) {
  for (std::size_t v = 0; v < vectors; ++v) {
    const __m512 c = _mm512_castsi512_ps(_mm512_loadu_si512(acc + 16 * v));
    const __m512i x = _mm512_loadu_si512(a + 32 * v);
    const __m512i y = _mm512_loadu_si512(b + 32 * v);
    const __m512 r = _mm512_dpbf16_ps(c, (__m512bh)x, (__m512bh)y);
    _mm512_storeu_si512(out + 16 * v, _mm512_castps_si512(r));
  }
}

}  // namespace amxlab::tile::native_vnni
