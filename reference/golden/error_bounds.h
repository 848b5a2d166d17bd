// Analytic error bounds and the double-precision models they are measured against.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {

inline constexpr double kUnitRoundoff = 1.0 / 16777216.0;  // u = 2^-24 (fp32)

// gamma(n) = n u / (1 - n u): the relative bound of n rounded fp32 operations.
double gamma(int64_t n);

// An exact (double) model of one GEMM with a per-element error bound for fp32 results.
struct ExactModel {
  std::vector<double> y;        // [M][N]
  std::vector<double> bound;    // [M][N]: allowed |y_fp32 - y|
  std::vector<double> sum_abs;  // [M][N]: sum_k |w_k * a_k| (dequantised values)
};

// The golden model's own bound (DESIGN.md): double model over the dequantised weights
// and the dequantised *quantised* activations; per element
//   bound = gamma(terms + 2) * sum_b (|d_w d_a S_b| + |extra_b|) + underflow slack,
// terms = number of fmaf steps (1 or 2 per block).
ExactModel exact_model_quantized(QType wt, std::span<const std::byte> w, std::span<const std::byte> aq,
                                 Shape s);

// Float GEMMs: bound = gamma(K) * sum_k |w_k a_k|; with `daz_ftz` (BF16 tile / VNNI
// units) also the terms whose inputs are denormal and K * 2^-126 of flushed partials.
ExactModel exact_model_bf16(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, bool daz_ftz);
ExactModel exact_model_f32(std::span<const float> a, std::span<const float> w, Shape s);

// sum_k |w_k a_k| alone, [M][N] (ExactModel::sum_abs up to the order of its double
// additions), for a bound that needs no exact y: the oneDNN check of a quantised case.
std::vector<double> sum_abs_products(std::span<const float> a, std::span<const float> w, Shape s);

// Distance in units in the last place between two fp32 values (0 when bitwise equal,
// huge when one is NaN and the other is not).
int64_t ulp_distance(float x, float y);

}  // namespace amxlab::golden
