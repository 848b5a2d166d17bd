// The row loops of the vector activation quantisers (avx512_quantize.cpp,
// avx2_quantize.cpp), written once: integer and scalar code in an unnamed namespace, so
// each ISA translation unit keeps its own copy (vnni_raw.h says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"

namespace amxlab {
uint16_t f32_to_fp16(float f);  // kernels/core/fp16.h (declared here to keep its inline helpers out)
}

namespace amxlab::vnni::raw {
namespace {

[[gnu::always_inline]] inline bool finite_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return (u & 0x7f800000u) != 0x7f800000u;
}

// Index of the first of x[i..count) that is Inf or NaN, or -1: the tail after a vector scan.
inline int64_t first_nonfinite_from(const float* x, int64_t i, int64_t count) {
  for (; i < count; ++i) {
    if (!finite_bits(x[i])) return i;
  }
  return -1;
}

// The scalar parts of the scalar definition (kernels/core's quantize_activations()) that
// every vector width shares, written once.

// Q8_0 / Q8_1: the block's d = amax / 127 and the inverse its values are scaled by
// (runtime: 127 / amax; ref: 1 / d; 0 where that is 0 or not finite).
struct Q8Scale {
  float d, inv;
};
[[gnu::always_inline]] inline Q8Scale q8_scale(float amax, int ref) {
  const float d = amax / 127.0f;
  float inv = 0.0f;
  if (ref != 0) {
    inv = d != 0.0f ? 1.0f / d : 0.0f;
  } else {
    inv = amax != 0.0f ? 127.0f / amax : 0.0f;
  }
  if (!finite_bits(inv)) inv = 0.0f;
  return {d, inv};
}

// Q8_0 / Q8_1: the block's fp16 d and, for Q8_1, its fp16 s = (float)sum(codes) * d.
[[gnu::always_inline]] inline void store_q8_header(uint8_t* out, int q8_1, float d, int32_t sum) {
  const uint16_t hd = f32_to_fp16(d);
  std::memcpy(out, &hd, sizeof hd);
  if (q8_1 != 0) {
    const uint16_t hs = f32_to_fp16(static_cast<float>(sum) * d);
    std::memcpy(out + 2, &hs, sizeof hs);
  }
}

// Q8_K: iscale = -127 / max (max: the first element of largest |x|, amax its magnitude);
// where amax is 0 or iscale not finite, the block is written all zero (d = 0, codes and
// sums 0) and 0 returned.
[[gnu::always_inline]] inline float q8_k_iscale(float amax, float max, uint8_t* out) {
  const float iscale = amax != 0.0f ? -127.0f / max : 0.0f;
  if (amax == 0.0f || !finite_bits(iscale)) {
    std::memset(out, 0, kq_records::kQ8KBlockBytes);
    return 0.0f;
  }
  return iscale;
}

// block(values, out) for every block of `elems` values of the m rows of k at x, each
// row's blocks written one after another (`bytes` each) into rows of out_stride bytes.
template <class Block>
void for_each_block(const float* x, int64_t m, int64_t k, int64_t elems, size_t bytes, std::byte* out,
                    size_t out_stride, Block block) {
  for (int64_t r = 0; r < m; ++r) {
    auto* row = reinterpret_cast<uint8_t*>(out) + static_cast<size_t>(r) * out_stride;
    const float* xr = x + r * k;
    for (int64_t b = 0; b < k / elems; ++b) block(xr + elems * b, row + static_cast<size_t>(b) * bytes);
  }
}

// Q8_0 / Q8_1 rows: Block(q8_1, ref, values, out) per block of 32 (34 or 36 bytes).
template <void (*Block)(int, int, const float*, uint8_t*)>
void q8_rows(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride) {
  for_each_block(x, m, k, 32, q8_1 != 0 ? 36 : 34, out, out_stride,
                 [=](const float* b, uint8_t* o) { Block(q8_1, ref, b, o); });
}

}  // namespace
}  // namespace amxlab::vnni::raw
