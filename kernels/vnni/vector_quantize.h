// The vectorised activation quantisers (QuantizeFn), F32 -> Q8_0 / Q8_1 / Q8_K, each
// bit-identical to kernels/core's quantize_activations() (both variants; Q8_K has one):
// AVX-512 (avx512_quantize.cpp) for the 512-bit kernels and the native AMX ones (whose
// ISA bits include AVX-512), AVX2 (avx2_quantize.cpp) for the 256-bit kernels and the
// emulated AMX ones (ISA bits: AVX2). Each checks every row for Inf / NaN before writing
// (an error naming the row and column) and refuses to run below its ISA level.
// Definitions: vnni_kernels.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/core/formats.h"

namespace amxlab::vnni {

void quantize_q8_0_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out);
void quantize_q8_1_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out);
void quantize_q8_k_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out);
void quantize_q8_0_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out);
void quantize_q8_1_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out);
void quantize_q8_k_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out);

}  // namespace amxlab::vnni
