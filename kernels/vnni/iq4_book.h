// The IQ4_NL code book as the unsigned VPDPBUSD operand, for the AVX-512 kernels that look
// nibbles up in it (avx512_gemm.cpp's IQ4_NL GEMV, avx512_kqn_gemv.cpp's IQ4_XS). Included
// only by AVX-512 translation units: unnamed namespace, as vnni_raw.h asks.
#pragma once

#include <immintrin.h>

#include "kernels/core/blocks.h"

namespace amxlab::vnni::raw {
namespace {

// Value + 128 of each index (v + 128 = v XOR 0x80 as a byte) in every 128-bit lane, so
// that VPSHUFB of a vector of indices (0..15 per byte) gives their u8 operands; the chain
// then starts at -128 * sum(a).
[[gnu::always_inline]] inline __m512i iq4_book_u8() {
  return _mm512_maskz_broadcast_i32x4(
      static_cast<__mmask16>(0xffff),
      _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIQ4NLValues)), _mm_set1_epi8(-128)));
}

}  // namespace
}  // namespace amxlab::vnni::raw
