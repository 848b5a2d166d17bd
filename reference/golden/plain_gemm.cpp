// Golden GEMMs of the plain element types: raw integers (exact, wrapping) and
// BF16 / F32 (exact products, double accumulation, one final rounding).
#include <cstdint>
#include <vector>

#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/checks.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/output_chunks.h"

namespace amxlab::golden {
namespace {

// int32 accumulation with two's-complement wrap, computed in uint32 (no UB).
template <class TA>
void int_gemm(std::span<const TA> a, std::span<const int8_t> w, Shape s, std::span<int32_t> y) {
  const auto k = static_cast<size_t>(s.k);
  for_each_output(s.m, s.n, s.k, [&](size_t i, size_t j, size_t ij) {
    uint32_t acc = 0;
    for (size_t p = 0; p < k; ++p) {
      acc += static_cast<uint32_t>(static_cast<int32_t>(a[i * k + p]) * static_cast<int32_t>(w[j * k + p]));
    }
    y[ij] = static_cast<int32_t>(acc);
  });
}

template <class T, class ToDouble>
void float_gemm(std::span<const T> a, std::span<const T> w, Shape s, std::span<float> y, ToDouble conv) {
  const auto k = static_cast<size_t>(s.k);
  for_each_output(s.m, s.n, s.k, [&](size_t i, size_t j, size_t ij) {
    double acc = 0.0;
    for (size_t p = 0; p < k; ++p) acc += conv(a[i * k + p]) * conv(w[j * k + p]);
    y[ij] = static_cast<float>(acc);
  });
}

}  // namespace

void gemm_s8s8(std::span<const int8_t> a, std::span<const int8_t> w, Shape s, std::span<int32_t> y) {
  check_plain(a, w, y, s, "golden::gemm_s8s8");
  int_gemm(a, w, s, y);
}

void gemm_u8s8(std::span<const uint8_t> a, std::span<const int8_t> w, Shape s, std::span<int32_t> y) {
  check_plain(a, w, y, s, "golden::gemm_u8s8");
  int_gemm(a, w, s, y);
}

void gemm_bf16(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::gemm_bf16");
  float_gemm(a, w, s, y, [](uint16_t v) { return static_cast<double>(bf16_to_f32(v)); });
}

void gemm_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::gemm_f32");
  float_gemm(a, w, s, y, [](float v) { return static_cast<double>(v); });
}

void gemm_f16(std::span<const float> a, std::span<const uint16_t> w, Shape s, std::span<float> y) {
  check_plain(a, w, y, s, "golden::gemm_f16");
  std::vector<float> wf(static_cast<size_t>(s.n * s.k));
  dequantize(QType::F16, std::as_bytes(w), s.n, s.k, wf);
  float_gemm<float>(a, wf, s, y, [](float v) { return static_cast<double>(v); });
}

}  // namespace amxlab::golden
