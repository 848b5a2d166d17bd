#include "reference/golden/kernel_models.h"

#include <algorithm>
#include <cmath>

#include "kernels/core/bf16_arith.h"
#include "kernels/core/fma_step.h"
#include "reference/golden/checks.h"

namespace amxlab::golden {

void model_fma_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::model_fma_f32");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      uint32_t acc = 0;  // +0.0f
      for (size_t p = 0; p < k; ++p) acc = fma_step(f32_bits(a[i * k + p]), f32_bits(w[j * k + p]), acc);
      y[i * n + j] = f32_from_bits(acc);
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

void model_bf16_tdpbf16ps(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s,
                          std::span<float> y) {
  check_plain(a, w, y, s, "golden::model_bf16_tdpbf16ps");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  const size_t pairs = (k + 1) / 2, chunk = static_cast<size_t>(kTdpbf16psPairs);
  const auto element = [k](const uint16_t* row, size_t i) {
    return bf16_bits_to_f32_bits(i < k ? row[i] : 0);
  };
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint16_t* ar = a.data() + i * k;
      const uint16_t* wr = w.data() + j * k;
      uint32_t acc = 0;  // +0.0f
      for (size_t p0 = 0; p0 < pairs; p0 += chunk) {
        uint32_t even = 0, odd = 0;
        for (size_t p = p0; p < std::min(p0 + chunk, pairs); ++p) {
          even = fma_daz_ftz(element(ar, 2 * p), element(wr, 2 * p), even);
          odd = fma_daz_ftz(element(ar, 2 * p + 1), element(wr, 2 * p + 1), odd);
        }
        acc = add_daz_ftz(acc, add_daz_ftz(even, odd));
      }
      y[i * n + j] = f32_from_bits(acc);
    }
  }
}

void model_bf16(Bf16Model model, std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s,
                std::span<float> y) {
  if (model == Bf16Model::tdpbf16ps)
    model_bf16_tdpbf16ps(a, w, s, y);
  else
    model_bf16_dot2(a, w, s, y);
}

}  // namespace amxlab::golden
