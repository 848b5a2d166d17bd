// The integer view of a block: every weight format reduces to
//   x[i] = d * scale[i / sub_len] * code[i] - dmin * min[i / sub_len]
// with small integers scale/code/min. The golden model and the dequantisers share
// this decoding, so they agree on what a block means.
#pragma once

#include <cstdint>

#include "kernels/core/blocks.h"
#include "kernels/core/qtype.h"

namespace amxlab {

struct BlockInts {
  static constexpr int kMaxElems = kQKK;
  static constexpr int kMaxSub = kQKK / 16;
  int n = 0;        // elements in the block (32 or 256)
  int sub_len = 0;  // elements per scale (the whole block for the 32-wide formats)
  int n_sub = 0;
  bool has_min = false;  // the dmin * min term exists (Q2_K, Q4_K, Q5_K)
  float d = 0.0f;
  float dmin = 0.0f;  // Q4_1 stores m here (x = d*q + m), with min[] = {-1}
  int8_t code[kMaxElems] = {};
  int16_t scale[kMaxSub] = {};
  int16_t min[kMaxSub] = {};
};

// Decodes one block of a block-quantised weight type (Q4_0 ... IQ4_XS, not Q8_1/Q8_K).
void decode_block(QType t, const void* block, BlockInts& out);

// The exact inverse of decode_block() for Q4_0 ... IQ4_XS: writes the GGUF block whose
// decoding is `in`, with d and dmin (Q4_1: m) taken as raw fp16 bits (a round trip through
// fp32 would quiet signalling NaNs). Every code, scale and min must be one the format can
// hold (as decode_block() produces); throws Error otherwise.
void encode_block(QType t, const BlockInts& in, uint16_t d_bits, uint16_t dmin_bits, void* block);

// The 6-bit scale/min packing shared by Q4_K and Q5_K (12 bytes for 8 pairs).
void unpack_scale_min_k4(const uint8_t packed[kKScaleBytes], uint8_t sc[8], uint8_t mn[8]);
void pack_scale_min_k4(const uint8_t sc[8], const uint8_t mn[8], uint8_t packed[kKScaleBytes]);
// Q3_K: 16 6-bit scales (stored with +32 bias) in 12 bytes.
void unpack_scales_q3k(const uint8_t packed[kKScaleBytes], uint8_t s[16]);
void pack_scales_q3k(const uint8_t s[16], uint8_t packed[kKScaleBytes]);

}  // namespace amxlab
