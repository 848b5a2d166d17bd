// Exact models of the plain-type kernels (F32, F16, BF16): no two float GEMMs agree
// bitwise, but each kernel fixes its operation order, and these scalar models follow it
// step for step, so the kernel must equal its model BIT FOR BIT (DESIGN.md "The golden
// model and the bitwise contract"). The golden GEMMs (golden_gemm.h, double accumulation)
// and the analytic bound (error_bounds.h) check the models in turn.
#pragma once

#include <cstdint>
#include <span>

#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {

// F32 and F16 kernels: per output acc = +0.0f, then for k = 0..K-1
//   acc = fmaf(a[m][k], w[n][k], acc)      (one fused step, RNE, no DAZ/FTZ)
// with f16 weights widened exactly to f32 first. y = acc.
void model_fma_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y);

// BF16 kernels (AVX512-BF16 VDPBF16PS, and AMX TDPBF16PS under the emulator's default
// order, odd_then_even_fma): per output acc = +0.0f, then for each pair p in ascending K
//   acc = step(a[2p+1], w[2p+1], acc);  acc = step(a[2p], w[2p], acc)
// where step is the fused DAZ/FTZ bf16 step of kernels/core/bf16_arith.h (measured on
// silicon). With K odd the last pair's odd element is +0 on both sides (the packing's
// padding), which still runs its step (it turns an accumulator of -0 into +0).
void model_bf16_dot2(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, std::span<float> y);

}  // namespace amxlab::golden
