// Activation quantisers F32 -> Q8_0 / Q8_1 / Q8_K, bit-identical to ggml
// (see DESIGN.md "Formats" and the vectors in tests/data/ggml).
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

// Round to nearest, ties to even, as ggml's nearest_int (valid for |v| < 2^22).
int nearest_even(float v) {
  const float shifted = v + 12582912.0f;  // 1.5 * 2^23 puts the integer in the mantissa
  uint32_t bits = f32_bits(shifted);
  return static_cast<int>(bits & 0x007fffffu) - 0x00400000;
}

float block_amax(const float* x, int n) {
  float amax = 0.0f;
  for (int j = 0; j < n; ++j) amax = std::fmax(amax, std::fabs(x[j]));
  return amax;
}

// Q8_0 / Q8_1 codes of one 32-element block; returns d (fp32, before fp16 rounding).
float quantize_q8_codes(const float* x, ActQuant variant, int8_t* qs) {
  const float amax = block_amax(x, kQK);
  const float d = amax / 127.0f;
  float inv = 0.0f;
  if (variant == ActQuant::ref) {
    inv = d != 0.0f ? 1.0f / d : 0.0f;
  } else {
    inv = amax != 0.0f ? 127.0f / amax : 0.0f;
  }
  if (!std::isfinite(inv)) inv = 0.0f;  // denormal-only block: all-zero codes
  for (int j = 0; j < kQK; ++j) {
    const float v = x[j] * inv;
    // ref: roundf (ties away from zero); runtime: round to nearest even.
    const int q = variant == ActQuant::ref ? static_cast<int>(std::round(v)) : nearest_even(v);
    qs[j] = static_cast<int8_t>(q);
  }
  return d;
}

void quantize_q8_0_block(const float* x, ActQuant variant, std::byte* out) {
  BlockQ8_0 b;
  b.d = f32_to_fp16(quantize_q8_codes(x, variant, b.qs));
  std::memcpy(out, &b, sizeof b);
}

void quantize_q8_1_block(const float* x, ActQuant variant, std::byte* out) {
  BlockQ8_1 b;
  const float d = quantize_q8_codes(x, variant, b.qs);
  int sum = 0;
  for (int j = 0; j < kQK; ++j) sum += b.qs[j];
  b.d = f32_to_fp16(d);
  b.s = f32_to_fp16(static_cast<float>(sum) * d);
  std::memcpy(out, &b, sizeof b);
}

// Q8_K (one function in both variants): d = -max/127 with max the signed element of
// largest magnitude (the first one on ties), codes = nearest_even(-127/max * x).
void quantize_q8_k_block(const float* x, std::byte* out) {
  BlockQ8_K b{};
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQKK; ++j) {
    const float ax = std::fabs(x[j]);
    if (ax > amax) {
      amax = ax;
      max = x[j];
    }
  }
  const float iscale = amax != 0.0f ? -127.0f / max : 0.0f;
  if (amax != 0.0f && std::isfinite(iscale)) {
    for (int j = 0; j < kQKK; ++j) {
      const int v = nearest_even(iscale * x[j]);
      b.qs[j] = static_cast<int8_t>(v < 127 ? v : 127);
    }
    for (int g = 0; g < kQKK / 16; ++g) {
      int sum = 0;
      for (int i = 0; i < 16; ++i) sum += b.qs[16 * g + i];
      b.bsums[g] = static_cast<int16_t>(sum);
    }
    b.d = 1.0f / iscale;
  }  // else: all-zero (or denormal-only) super-block: d = 0, codes and sums 0
  std::memcpy(out, &b, sizeof b);
}

}  // namespace

const char* name(ActQuant v) {
  return v == ActQuant::ref ? "ref" : "runtime";
}

std::optional<ActQuant> parse_act_quant(std::string_view text) {
  if (text == "runtime") return ActQuant::runtime;
  if (text == "ref") return ActQuant::ref;
  return std::nullopt;
}

void quantize_activations(QType act, ActQuant variant, std::span<const float> src, int64_t m, int64_t k,
                          std::span<std::byte> dst) {
  require(
      act == QType::Q8_0 || act == QType::Q8_1 || act == QType::Q8_K,
      std::string("quantize_activations: ") + name(act) + " is not an activation format (q8_0, q8_1, q8_K)");
  require(m >= 0, "quantize_activations: negative row count");
  require_dims("quantize_activations", m, k);
  const size_t rb = row_bytes(act, k);
  const size_t n = static_cast<size_t>(m) * static_cast<size_t>(k);
  require_buffer(src.data(), src.size() * sizeof(float), n * sizeof(float), "quantize_activations source");
  require_buffer(dst.data(), dst.size(), rb * static_cast<size_t>(m),
                 std::string("quantize_activations ") + name(act) + " destination");
  // Check every row before writing anything.
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t c = 0; c < k; ++c) {
      const float v = src[static_cast<size_t>(r * k + c)];
      if (!std::isfinite(v)) {
        throw Error("quantize_activations: row " + std::to_string(r) + " holds " +
                    (std::isnan(v) ? "NaN" : "Inf") + " at column " + std::to_string(c));
      }
    }
  }
  const int64_t bk = traits(act).block_elems;
  const size_t bb = traits(act).block_bytes;
  std::byte* out = dst.data();
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t c = 0; c < k; c += bk, out += bb) {
      const float* x = src.data() + r * k + c;
      switch (act) {
        case QType::Q8_0: quantize_q8_0_block(x, variant, out); break;
        case QType::Q8_1: quantize_q8_1_block(x, variant, out); break;
        default: quantize_q8_k_block(x, out); break;
      }
    }
  }
}

}  // namespace amxlab
