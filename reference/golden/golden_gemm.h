// The golden model: the definition of every result (DESIGN.md "The golden model and
// the bitwise contract"). y[M][N] = A[M][K] . W[N][K]^T, W rows in GGUF layout.
// Scalar, slow, and written for the reader: the accumulation order below IS the
// contract every production kernel must reproduce bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/formats.h"
#include "kernels/core/qtype.h"

namespace amxlab::golden {

struct Shape {
  int64_t m = 0, n = 0, k = 0;
};

// Quantised weight type wt (q4_0 ... iq4_xs): the F32 activations are quantised with
// `variant` to traits(wt).act_type, then gemm_quantized() runs.
void gemm(QType wt, std::span<const std::byte> w, std::span<const float> a, Shape s, ActQuant variant,
          std::span<float> y);

// The same on activations already quantised to traits(wt).act_type ([M] rows of K).
// For each output, acc = 0.0f and for each block b in ascending K:
//   q4_0, q8_0, iq4_nl (x q8_0):  acc = fmaf((float)isum_b, d_w * d_a, acc)
//   q4_1 (x q8_1):                acc = fmaf((float)isum_b, d_w * d_a, acc);
//                                 acc = fmaf(m_w, s_a, acc)          (s_a: stored fp16 sum)
//   q3_K, q6_K, iq4_xs (x q8_K):  acc = fmaf((float)S_b, d_w * d_a, acc)
//   q2_K, q4_K, q5_K (x q8_K):    acc = fmaf((float)S_b, d_w * d_a, acc);
//                                 acc = fmaf(-(d_a * dmin_w), (float)Mn_b, acc)
// where isum_b is the exact int32 dot product of the block's integer codes,
// S_b = sum_j scale_j * dot_j over the sub-blocks j and Mn_b = sum_j min_j * bsum_j
// (bsum_j from the Q8_K block's stored bsums). y = acc overwrites dst.
void gemm_quantized(QType wt, std::span<const std::byte> w, std::span<const std::byte> aq, Shape s,
                    std::span<float> y);

// Raw integer GEMMs: exact int32 with two's-complement wrap-around.
void gemm_s8s8(std::span<const int8_t> a, std::span<const int8_t> w, Shape s, std::span<int32_t> y);
void gemm_u8s8(std::span<const uint8_t> a, std::span<const int8_t> w, Shape s, std::span<int32_t> y);

// BF16 x BF16 -> F32 and F32 x F32 -> F32: exact products summed in double, rounded once.
void gemm_bf16(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, std::span<float> y);
void gemm_f32(std::span<const float> a, std::span<const float> w, Shape s, std::span<float> y);
// F16 weights (GGUF F16 bits) x F32 activations -> F32: the weights widened exactly, then
// as gemm_f32.
void gemm_f16(std::span<const float> a, std::span<const uint16_t> w, Shape s, std::span<float> y);

}  // namespace amxlab::golden
