// The 256-bit kernels' partial stores: AVX2 has no lane-mask registers, so the lanes of a
// ymm (8 fp32 columns) that a slice covers become an all-ones / all-zeros vector for
// VMASKMOVPS, which writes (and faults on) only the selected lanes. Shared by the 2x16
// K-quant GEMM (avxvnni_kq_ops.h), the 1x16 nibble GEMV (kqn_vec256.h) and the AVX2 f32 /
// f16 panel GEMM (plain/avx2_panel_gemm.cpp). Internal linkage (vnni_raw.h says why).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace amxlab::vnni::raw {
namespace {

// Lane l all-ones where bit l of `bits` is set (bits 8 and up ignored).
[[gnu::always_inline]] inline __m256i ymm_lane_mask(uint32_t bits) {
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int32_t>(bits)), bit), bit);
}

}  // namespace
}  // namespace amxlab::vnni::raw
