// The row loops of the vector activation quantisers (avx512_quantize.cpp,
// avx2_quantize.cpp), written once: integer and scalar code in an unnamed namespace, so
// each ISA translation unit keeps its own copy (vnni_raw.h says why).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

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

}  // namespace
}  // namespace amxlab::vnni::raw
