// GGUF block layouts, byte-compatible with ggml (each size is asserted).
// fp16 fields are raw IEEE binary16 bits; convert with fp16_to_f32().
#pragma once

#include <cstdint>

namespace amxlab {

inline constexpr int kQK = 32;    // elements per block of the 32-wide formats
inline constexpr int kQKK = 256;  // elements per K-quant super-block
inline constexpr int kKScaleBytes = 12;

using half_bits = uint16_t;

// x = d * (q - 8); low nibble of qs[i] is element i, high nibble element i + 16.
struct BlockQ4_0 {
  half_bits d;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

// x = d * q + m; nibbles as Q4_0.
struct BlockQ4_1 {
  half_bits d;
  half_bits m;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockQ4_1) == 20);

// x = d * q.
struct BlockQ8_0 {
  half_bits d;
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_0) == 34);

// Activation type of Q4_1: s = fp16(d * sum(q)).
struct BlockQ8_1 {
  half_bits d;
  half_bits s;
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_1) == 36);

// 16 sub-blocks of 16: scales[j] low nibble = scale, high nibble = min;
// 2-bit codes, x = d * sc * q - dmin * m.
struct BlockQ2_K {
  uint8_t scales[kQKK / 16];
  uint8_t qs[kQKK / 4];
  half_bits d;
  half_bits dmin;
};
static_assert(sizeof(BlockQ2_K) == 84);

// 16 sub-blocks of 16, 6-bit signed scales (stored +32), 3-bit codes (2 low bits in qs,
// high bit in hmask, set = no offset): x = d * (sc - 32) * (q - (hbit ? 0 : 4)).
struct BlockQ3_K {
  uint8_t hmask[kQKK / 8];
  uint8_t qs[kQKK / 4];
  uint8_t scales[kKScaleBytes];
  half_bits d;
};
static_assert(sizeof(BlockQ3_K) == 110);

// 8 sub-blocks of 32, 6-bit scales and mins packed in 12 bytes: x = d*sc*q - dmin*m.
struct BlockQ4_K {
  half_bits d;
  half_bits dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQKK / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

// As Q4_K with a fifth bit per element in qh.
struct BlockQ5_K {
  half_bits d;
  half_bits dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQKK / 8];
  uint8_t qs[kQKK / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

// 16 sub-blocks of 16, int8 scales, 6-bit codes (4 low in ql, 2 high in qh):
// x = d * sc * (q - 32).
struct BlockQ6_K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  half_bits d;
};
static_assert(sizeof(BlockQ6_K) == 210);

// Activation type of the K-quants: fp32 d, bsums[j] = sum of qs[16j .. 16j+15].
struct BlockQ8_K {
  float d;
  int8_t qs[kQKK];
  int16_t bsums[kQKK / 16];
};
static_assert(sizeof(BlockQ8_K) == 292);

// x = d * kIQ4NLValues[index].
struct BlockIQ4_NL {
  half_bits d;
  uint8_t qs[kQK / 2];
};
static_assert(sizeof(BlockIQ4_NL) == 18);

// 8 sub-blocks of 32 with 6-bit scales (4 low bits in scales_l, 2 high in scales_h),
// x = d * (ls - 32) * kIQ4NLValues[index].
struct BlockIQ4_XS {
  half_bits d;
  uint16_t scales_h;
  uint8_t scales_l[kQKK / 64];
  uint8_t qs[kQKK / 2];
};
static_assert(sizeof(BlockIQ4_XS) == 136);

// The fixed non-linear code book of IQ4_NL / IQ4_XS.
inline constexpr int8_t kIQ4NLValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

}  // namespace amxlab
