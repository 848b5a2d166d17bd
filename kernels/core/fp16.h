// IEEE binary16 and bfloat16 conversions, bit-exact with ggml's:
// fp32 -> fp16 and fp32 -> bf16 round to nearest even; NaN stays NaN (quiet).
#pragma once

#include <cstdint>
#include <cstring>

namespace amxlab {

inline uint32_t f32_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

float fp16_to_f32(uint16_t h);
uint16_t f32_to_fp16(float f);

inline float bf16_to_f32(uint16_t h) {
  return f32_from_bits(static_cast<uint32_t>(h) << 16);
}
uint16_t f32_to_bf16(float f);

}  // namespace amxlab
