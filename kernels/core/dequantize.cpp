// Dequantisers, bit-identical to ggml's dequantize_row_* : every format computes
//   y = (d * scale) * code            (no min term)
//   y = (d * scale) * code - dmin*min (Q2_K, Q4_K, Q5_K; Q4_1 as d*q + m)
// in exactly that order of fp32 operations, over the integer view of block_codes.h.
#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

void dequantize_block(QType t, const std::byte* src, float* y) {
  BlockInts b;
  decode_block(t, src, b);
  for (int s = 0; s < b.n_sub; ++s) {
    const float ds = b.d * static_cast<float>(b.scale[s]);
    const float ms = b.dmin * static_cast<float>(b.min[s]);
    for (int i = s * b.sub_len; i < (s + 1) * b.sub_len; ++i) {
      const float v = ds * static_cast<float>(b.code[i]);
      y[i] = b.has_min ? v - ms : v;
    }
  }
}

void dequantize_activation_block(QType t, const std::byte* src, float* y) {
  if (t == QType::Q8_1) {
    BlockQ8_1 b;
    std::memcpy(&b, src, sizeof b);
    const float d = fp16_to_f32(b.d);
    for (int i = 0; i < kQK; ++i) y[i] = static_cast<float>(b.qs[i]) * d;
  } else {  // Q8_K
    BlockQ8_K b;
    std::memcpy(&b, src, sizeof b);
    for (int i = 0; i < kQKK; ++i) y[i] = b.d * static_cast<float>(b.qs[i]);
  }
}

}  // namespace

void dequantize(QType t, std::span<const std::byte> src, int64_t rows, int64_t k, std::span<float> dst) {
  const auto& tr = traits(t);
  require(rows >= 0, "dequantize: negative row count");
  require_dims("dequantize", rows, k);
  const size_t rb = row_bytes(t, k);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(k);
  require_buffer(src.data(), src.size(), rb * static_cast<size_t>(rows),
                 std::string("dequantize ") + tr.name + " source");
  require_buffer(dst.data(), dst.size() * sizeof(float), n * sizeof(float), "dequantize destination");

  const std::byte* p = src.data();
  float* y = dst.data();
  const size_t blocks = n / static_cast<size_t>(tr.block_elems);
  for (size_t b = 0; b < blocks; ++b, p += tr.block_bytes, y += tr.block_elems) {
    switch (t) {
      case QType::F32: std::memcpy(y, p, 4); break;
      case QType::F16: {
        uint16_t h;
        std::memcpy(&h, p, 2);
        *y = fp16_to_f32(h);
        break;
      }
      case QType::BF16: {
        uint16_t h;
        std::memcpy(&h, p, 2);
        *y = bf16_to_f32(h);
        break;
      }
      case QType::S8: *y = static_cast<float>(static_cast<int8_t>(*p)); break;
      case QType::U8: *y = static_cast<float>(static_cast<uint8_t>(*p)); break;
      case QType::Q8_1:
      case QType::Q8_K: dequantize_activation_block(t, p, y); break;
      default: dequantize_block(t, p, y); break;
    }
  }
}

}  // namespace amxlab
