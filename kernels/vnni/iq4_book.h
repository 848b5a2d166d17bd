// The IQ4_NL code book as the unsigned VPDPBUSD operand, for the kernels that look nibbles
// up in it: on zmm the AVX-512 ones (avx512_gemm.cpp's IQ4_NL GEMV, the IQ4_XS nibble
// GEMV through kqn_vec512.h), on ymm the AVX-VNNI ones (avxvnni_gemm_tile.h's IQ4_NL
// GEMV, kqn_vec256.h). Included only by ISA translation units: unnamed namespace, as
// vnni_raw.h asks; the zmm form only where the unit has AVX-512.
#pragma once

#include <immintrin.h>

#include "kernels/core/blocks.h"

namespace amxlab::vnni::raw {
namespace {

// Value + 128 of each index (v + 128 = v XOR 0x80 as a byte) in every 128-bit lane, so
// that VPSHUFB of a vector of indices (0..15 per byte) gives their u8 operands; the chain
// then starts at -128 * sum(a).
[[gnu::always_inline]] inline __m128i iq4_book_u8_128() {
  return _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4NLValues)), _mm_set1_epi8(-128));
}
[[gnu::always_inline]] inline __m256i iq4_book_u8_256() {
  return _mm256_broadcastsi128_si256(iq4_book_u8_128());
}
#if defined(__AVX512F__)
[[gnu::always_inline]] inline __m512i iq4_book_u8() {
  return _mm512_maskz_broadcast_i32x4(static_cast<__mmask16>(0xffff), iq4_book_u8_128());
}
#endif

}  // namespace
}  // namespace amxlab::vnni::raw
