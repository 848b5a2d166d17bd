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
//   acc = fma_step(a[m][k], w[n][k], acc)  (one fused step, RNE, no DAZ/FTZ; a step with a
//                                          NaN operand returns the first NaN of (a, w, acc)
//                                          quieted: kernels/core/fma_step.h)
// with f16 weights widened exactly to f32 first. y = acc.
void model_fma_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y);

// BF16 kernels on VDPBF16PS (AVX512-BF16), the AVX2 one (FMA under DAZ + FTZ) and the
// portable one: per output acc = +0.0f,
// then for each pair p in ascending K
//   acc = step(a[2p+1], w[2p+1], acc);  acc = step(a[2p], w[2p], acc)
// where step is the fused DAZ/FTZ bf16 step of kernels/core/bf16_arith.h (measured on
// silicon). With K odd the last pair's odd element is +0 on both sides (the packing's
// padding), which still runs its step (it turns an accumulator of -0 into +0).
void model_bf16_dot2(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, std::span<float> y);

// BF16 kernels on AMX TDPBF16PS (native and emulated; the order measured on Emerald
// Rapids silicon, kernels/tile/arith.h): per output acc = +0.0f, then K in instructions of
// 16 pairs (the last one the pairs left, the odd element past an odd K +0 on both sides);
// per instruction even = +0, odd = +0, for each pair p in ascending K
//   even = step(a[2p], w[2p], even);  odd = step(a[2p+1], w[2p+1], odd)
// and then acc = add(acc, add(even, odd)), add being the same DAZ/FTZ step with factor 1.
inline constexpr int64_t kTdpbf16psPairs = 16;  // pairs per TDPBF16PS (64-byte tile rows)
void model_bf16_tdpbf16ps(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s,
                          std::span<float> y);

// Which of the two a BF16 kernel follows (by the instruction it is built on).
enum class Bf16Model : uint8_t { vdpbf16ps, tdpbf16ps };
void model_bf16(Bf16Model model, std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s,
                std::span<float> y);

}  // namespace amxlab::golden
