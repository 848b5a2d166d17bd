// Converting between F32 rows and the block formats: dequantisers, weight
// quantisers (any valid encoder) and the two activation quantiser variants.
// Every function checks its arguments first and throws amxlab::Error without
// writing anything when they are wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "kernels/core/qtype.h"

namespace amxlab {

// Activation quantiser variant (DESIGN.md "Formats"): both are bit-identical to ggml.
//  runtime — what ggml-cpu's x86 matmul feeds its kernels: inverse scale 127/amax,
//            round to nearest even (the default);
//  ref     — ggml's quantize_row_*_ref: id = 1/d, roundf (ties away from zero).
// They differ only on exact ties; Q8_K is the same function in both.
enum class ActQuant : uint8_t { runtime, ref };
const char* name(ActQuant v);
std::optional<ActQuant> parse_act_quant(std::string_view text);

// rows x k elements of type t (rows stored back to back) -> rows x k floats.
void dequantize(QType t, std::span<const std::byte> src, int64_t rows, int64_t k, std::span<float> dst);

// rows x k floats -> rows x k elements of weight type t. For the block formats this is
// one valid encoder (real weights come from GGUF files); see max_roundtrip_error().
void quantize_weights(QType t, std::span<const float> src, int64_t rows, int64_t k, std::span<std::byte> dst);

// Documented worst-case |x - dequantize(quantize_weights(x))| for one block of the
// encoder above, given the block's (or super-block's) largest magnitude `amax`.
// Plain float/integer types: 0 for f32, half an ulp of amax for bf16/f16.
double max_roundtrip_error(QType t, double amax);

// Activation rows [m][k] -> Q8_0 / Q8_1 / Q8_K rows. A row holding Inf or NaN throws an
// Error naming the row and column (nothing is written); a block whose inverse scale is
// not finite (all zeros, or only denormals) gets all-zero codes.
void quantize_activations(QType act, ActQuant variant, std::span<const float> src, int64_t m, int64_t k,
                          std::span<std::byte> dst);

}  // namespace amxlab
