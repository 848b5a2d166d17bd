#include "kernels/plain/portable_panel_gemm.h"

#include <cmath>
#include <cstring>

#include "kernels/core/bf16_arith.h"
#include "kernels/core/fma_step.h"
#include "kernels/core/fp16.h"

namespace amxlab::plain {
namespace {

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One output: row `a` (activations) against column j of panel `panel`.
uint32_t dot_int(const raw::PanelArgs& g, const std::byte* a, const std::byte* panel, size_t j) {
  uint32_t acc = 0;  // wraps modulo 2^32 like the int32 accumulators
  for (int64_t e = 0; e < g.k; ++e) {
    // Sign extension of the s8 values is the point (NOLINTs below).
    const int8_t ws = load<int8_t>(panel + static_cast<size_t>(e / 4) * g.unit_row_bytes + 4 * j +
                                   static_cast<size_t>(e % 4));
    const int32_t w = ws;  // NOLINT(bugprone-signed-char-misuse)
    const int8_t xs = load<int8_t>(a + e);
    const int32_t x = g.op == raw::kS8S8
                          ? int32_t{xs}
                          : int32_t{load<uint8_t>(a + e)};  // NOLINT(bugprone-signed-char-misuse)
    acc += static_cast<uint32_t>(x * w);
  }
  return acc;
}

float dot_float(const raw::PanelArgs& g, const std::byte* a, const std::byte* panel, size_t j) {
  uint32_t acc = 0;  // +0.0f
  for (int64_t u = 0; u < g.units; ++u) {
    const std::byte* w = panel + static_cast<size_t>(u) * g.unit_row_bytes;
    const uint32_t wb =
        g.op == raw::kF16 ? f32_bits(fp16_to_f32(load<uint16_t>(w + 2 * j))) : load<uint32_t>(w + 4 * j);
    acc = fma_step(load<uint32_t>(a + 4 * u), wb, acc);
  }
  return f32_from_bits(acc);
}

float dot_bf16(const raw::PanelArgs& g, const std::byte* a, const std::byte* panel, size_t j) {
  uint32_t acc = 0;  // +0.0f
  for (int64_t u = 0; u < g.units; ++u) {
    const std::byte* w = panel + static_cast<size_t>(u) * g.unit_row_bytes + 4 * j;  // padded with zero
    const uint16_t a_even = load<uint16_t>(a + 4 * u);
    const uint16_t a_odd = 2 * u + 1 < g.k ? load<uint16_t>(a + 4 * u + 2) : 0;
    acc = fma_daz_ftz(bf16_bits_to_f32_bits(a_odd), bf16_bits_to_f32_bits(load<uint16_t>(w + 2)), acc);
    acc = fma_daz_ftz(bf16_bits_to_f32_bits(a_even), bf16_bits_to_f32_bits(load<uint16_t>(w)), acc);
  }
  return f32_from_bits(acc);
}

}  // namespace

void portable_panel_gemm(const raw::PanelArgs& g) {
  for (int64_t r = 0; r < g.rows; ++r) {
    const std::byte* a = g.a + static_cast<size_t>(r) * g.a_stride;
    std::byte* y = static_cast<std::byte*>(g.y) + static_cast<size_t>(r) * g.y_stride * 4;
    for (int64_t n = g.n0; n < g.n1; ++n) {
      const std::byte* panel = g.w + static_cast<size_t>(n / 32) * g.panel_bytes;
      const auto j = static_cast<size_t>(n % 32);
      uint32_t bits;
      if (g.op == raw::kS8S8 || g.op == raw::kU8S8) {
        bits = dot_int(g, a, panel, j);
      } else {
        bits = f32_bits(g.op == raw::kBf16 ? dot_bf16(g, a, panel, j) : dot_float(g, a, panel, j));
      }
      std::memcpy(y + 4 * static_cast<size_t>(n), &bits, 4);
    }
  }
}

}  // namespace amxlab::plain
