// Portable kernels: plain C++ built without ISA flags (the fmaf below is the C library's
// correctly rounded fused multiply-add, a real instruction only where the build allows it).
#include "kernels/generic/portable_kernels.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "kernels/core/fp16.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/pack/vnni_pack.h"

namespace amxlab::generic {
namespace {

uint16_t load_u16(const std::byte* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <int KIND>
void run_portable(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                  const OutputView& y, const Slice& s) {
  vnni::raw::GemmArgs g;
  if (!kernel_args::check_vnni16_run(wt, kernel, w, a, y, s, g, vnni16::layout_of(wt))) return;
  const auto blocks = static_cast<size_t>(g.blocks);
  std::vector<float> da(blocks), sa(blocks);
  for (int64_t r = 0; r < g.rows; ++r) {
    const std::byte* arow = g.a + static_cast<size_t>(r) * g.a_stride;
    for (size_t b = 0; b < blocks; ++b) {
      da[b] = fp16_to_f32(load_u16(arow + b * g.a_block_bytes));
      sa[b] = KIND == vnni::raw::kQ4_1 ? fp16_to_f32(load_u16(arow + b * g.a_block_bytes + 2)) : 0.0f;
    }
    float* yrow = g.y + static_cast<size_t>(r) * g.y_stride;
    for (int64_t n = g.n0; n < g.n1; ++n) {
      const std::byte* strip = g.w + static_cast<size_t>(n / 16) * g.strip_bytes;
      const auto j = static_cast<size_t>(n % 16);
      float acc = 0.0f;
      for (size_t b = 0; b < blocks; ++b) {
        const std::byte* group = strip + (b / 2) * g.group_bytes;
        const size_t h = b % 2;
        const std::byte* codes = group + g.code_offset + h * g.code_bytes + 4 * j;
        const auto* act = reinterpret_cast<const int8_t*>(arow + b * g.a_block_bytes + g.a_code_offset);
        int32_t isum = 0;
        if constexpr (KIND == vnni::raw::kQ8_0) {
          for (size_t kk = 0; kk < 8; ++kk) {
            for (size_t i = 0; i < 4; ++i) {
              const int code = static_cast<int>(std::to_integer<uint8_t>(codes[64 * kk + i])) - 128;
              isum += code * act[4 * kk + i];
            }
          }
        } else {
          const int offset = KIND == vnni::raw::kQ4_0 ? 8 : 0;
          for (size_t kk = 0; kk < 4; ++kk) {
            for (size_t i = 0; i < 4; ++i) {
              const auto byte = std::to_integer<int>(codes[64 * kk + i]);
              isum += ((byte & 0x0f) - offset) * act[4 * kk + i];
              isum += ((byte >> 4) - offset) * act[16 + 4 * kk + i];
            }
          }
        }
        const float dw = fp16_to_f32(load_u16(group + g.d_offset + 32 * h + 2 * j));
        acc = std::fmaf(static_cast<float>(isum), dw * da[b], acc);
        if constexpr (KIND == vnni::raw::kQ4_1) {
          const float mw = fp16_to_f32(load_u16(group + g.m_offset + 32 * h + 2 * j));
          acc = std::fmaf(mw, sa[b], acc);
        }
      }
      yrow[n] = acc;
    }
  }
}

}  // namespace

void quantize_q8_0(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out) {
  quantize_activations(QType::Q8_0, variant, a, m, k, out);
}

void quantize_q8_k(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out) {
  quantize_activations(QType::Q8_K, variant, a, m, k, out);
}

void quantize_q8_1(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out) {
  quantize_activations(QType::Q8_1, variant, a, m, k, out);
}

Plan plan_portable(int64_t, int64_t, int64_t) {
  return Plan{4, 16};
}

void run_q8_0_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_portable<vnni::raw::kQ8_0>(QType::Q8_0, "q8_0_gemm_1x1__portable", w, a, y, s);
}
void run_q4_0_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_portable<vnni::raw::kQ4_0>(QType::Q4_0, "q4_0_gemm_1x1__portable", w, a, y, s);
}
void run_q4_1_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_portable<vnni::raw::kQ4_1>(QType::Q4_1, "q4_1_gemm_1x1__portable", w, a, y, s);
}
void run_iq4_nl_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s) {
  run_portable<vnni::raw::kQ8_0>(QType::IQ4_NL, "iq4_nl_gemm_1x1__portable", w, a, y, s);
}

}  // namespace amxlab::generic
