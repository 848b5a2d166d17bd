#include "reference/golden/kernel_models.h"

#include <cmath>

#include "kernels/core/bf16_arith.h"
#include "reference/golden/checks.h"

namespace amxlab::golden {

void model_fma_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::model_fma_f32");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      float acc = 0.0f;
      for (size_t p = 0; p < k; ++p) acc = std::fma(a[i * k + p], w[j * k + p], acc);
      y[i * n + j] = acc;
    }
  }
}

void model_bf16_dot2(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::model_bf16_dot2");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint16_t* ar = a.data() + i * k;
      const uint16_t* wr = w.data() + j * k;
      uint32_t acc = 0;  // +0.0f
      for (size_t p = 0; p < k; p += 2) {
        const uint16_t ao = p + 1 < k ? ar[p + 1] : 0, wo = p + 1 < k ? wr[p + 1] : 0;
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(ao), bf16_bits_to_f32_bits(wo), acc);
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(ar[p]), bf16_bits_to_f32_bits(wr[p]), acc);
      }
      y[i * n + j] = f32_from_bits(acc);
    }
  }
}

}  // namespace amxlab::golden
