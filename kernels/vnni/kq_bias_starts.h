// The start of each sub-block's VPDPBUSD chain in the K-quant VNNI kernels, for the types
// whose codes carry a bias and have no min (Q3_K: 4, Q6_K: 32, IQ4_XS: 128;
// kernels/pack/kquant_pack.h): the chain over the biased codes u = code + bias starts at
// -bias * bsum(sub) instead of 0, so it ends at sum code * a = dot_u(sub) - bias * bsum(sub)
// exactly, and S = sum_sub scale * chain(sub) is the golden S_b with no bsum term T
// (no coefficient loads, no VPDPWSSD: the AVX-512 4 x 32 tile, the nibble GEMV and the
// AVX-VNNI tile for IQ4_XS; kquant_tile.h's kStarts says which).
// |bias * bsum| <= 128 * 32 * 128 fits int32. Used by kquant_tile.h and
// avx512_kqn_gemv.cpp; AVX2 instructions (every including translation unit has them), in
// an unnamed namespace: each translation unit gets its own copy (vnni_raw.h says why).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "kernels/pack/kquant_records.h"

namespace amxlab::vnni::raw {
namespace {

// out[sub] = neg_bias * bsum(sub) for the 256 / SUB sub-blocks of the Q8_K block at ab;
// a 32-code sub-block's bsum is the sum of its two stored bsums.
template <int SUB>
[[gnu::always_inline]] inline void bias_starts(const uint8_t* ab, int32_t neg_bias, int32_t* out) {
  const __m256i stored =
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ab + kq_records::kQ8KBsumOffset));
  const __m256i nb = _mm256_set1_epi32(neg_bias);
  if constexpr (SUB == 16) {
    const __m256i lo = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(stored));
    const __m256i hi = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(stored, 1));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_mullo_epi32(lo, nb));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_mullo_epi32(hi, nb));
  } else {
    static_assert(SUB == 32, "sub-blocks of 16 or 32 codes");
    const __m256i sums = _mm256_madd_epi16(stored, _mm256_set1_epi16(1));  // 8 x int32
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_mullo_epi32(sums, nb));
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
