// The plain-type GEMMs (kernels/plain): K tails and K-block edges, the panel32 packing and
// its exact inverse, AVX-512 == portable, and the exact models against golden.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/core/bf16_arith.h"
#include "kernels/core/fp16.h"
#include "kernels/pack/panel_pack.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/plain/plain_kernels.h"
#include "kernels/registry.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/kernel_models.h"
#include "tests/kernels/gemm_tester.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

std::vector<const KernelDesc*> plain_kernels() {
  std::vector<const KernelDesc*> out;
  for (const auto& k : kernel_registry()) {
    if (panel32::packable(k.weight_type)) out.push_back(&k);
  }
  return out;
}

// Every type also runs on AVX2 alone (the portable kernel's fmaf is a library
// call where the build may not assume FMA; its int8 loop ran at 0.02x oneDNN's AVX2 GEMM).
TEST(PlainKernels, EveryTypeHasAnAvx512AndAPortableKernel) {
  for (QType t : {QType::S8, QType::U8, QType::BF16, QType::F16, QType::F32}) {
    int avx512 = 0, avx2 = 0, portable = 0;
    for (const KernelDesc* k : plain_kernels()) {
      if (k->weight_type != t) continue;
      avx512 += (k->isa & kIsaAvx512) != 0;
      avx2 += k->isa == kIsaAvx2;
      portable += k->isa == kIsaNone;
    }
    EXPECT_EQ(avx512, 1) << name(t);
    EXPECT_EQ(avx2, 1) << name(t);
    EXPECT_EQ(portable, 1) << name(t);
  }
}

// K not a multiple of the unit (4 int8, 2 bf16), K across the 1024-unit blocks, one row
// (the 1 x 128 GEMV path) and several, N tails inside a panel and across panels.
TEST(PlainKernels, KTailsAndBlockEdges) {
  int i = 0;
  for (const KernelDesc* kd : plain_kernels()) {
    const std::string why = skip_reason(*kd);
    if (!why.empty()) {
      std::printf("skipped %s: %s\n", std::string(kd->name).c_str(), why.c_str());
      continue;
    }
    // 4099 and 8197: int8 K blocks of 1024 units (4096 values) crossed, with a tail.
    for (int64_t k : {1, 2, 3, 5, 7, 33, 255, 257, 513, 1023, 1025, 2051, 4099, 8197}) {
      for (int64_t m : {1, 13}) {
        const int64_t n = i % 2 == 0 ? 33 : 130;
        GemmTester().m(m).n(n).k(k).threads(1 + i % 3).seed(300 + static_cast<uint64_t>(i)).test(*kd);
        ++i;
      }
    }
  }
}

TEST(PlainKernels, PackingIsExactlyInvertibleAndPadsWithZeros) {
  for (QType t : {QType::S8, QType::U8, QType::BF16, QType::F16, QType::F32}) {
    for (int64_t k : {1, 3, 6, 37}) {
      const int64_t n = 35;
      const GemmData d = make_gemm_data(t, 1, n, k, 7, ActQuant::runtime, false);
      const PackedWeights w = panel32::pack(t, d.weights, n, k, default_memory_resource());
      EXPECT_EQ(w.layout(), panel32::layout_of(t));
      EXPECT_EQ(w.source_checksum(), checksum_bytes(d.weights));
      EXPECT_EQ(panel32::unpack(w), d.weights) << name(t) << " K=" << k;
      EXPECT_EQ(unpack_to_gguf(w), d.weights) << name(t) << " K=" << k;
      const panel32::Geometry g = panel32::geometry(t, n, k);
      ASSERT_EQ(w.bytes().size(), g.total_bytes);
      // The padding columns (35..63 of the second panel) are zero in every unit.
      const std::byte* panel1 = w.bytes().data() + g.panel_bytes;
      const size_t col_bytes = g.unit_row_bytes / 32;
      for (int64_t u = 0; u < g.units; ++u) {
        for (size_t b = 3 * col_bytes; b < g.unit_row_bytes; ++b)
          ASSERT_EQ(panel1[static_cast<size_t>(u) * g.unit_row_bytes + b], std::byte{0}) << name(t);
      }
      if (t == QType::S8 || t == QType::U8) {
        // 128 * row sum, per column.
        for (int64_t row = 0; row < n; ++row) {
          int32_t want = 0, got = 0;
          for (int64_t e = 0; e < k; ++e)
            want += 128 * static_cast<int8_t>(d.weights[static_cast<size_t>(row * k + e)]);
          std::memcpy(&got, w.bytes().data() + g.comp_offset + 4 * static_cast<size_t>(row), 4);
          EXPECT_EQ(got, want) << name(t) << " row " << row;
        }
      }
    }
  }
}

TEST(PlainKernels, BadInputIsAClearError) {
  EXPECT_NE(error_of([] { (void)panel32::geometry(QType::Q8_0, 4, 32); }).find("not a plain weight type"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)panel32::geometry(QType::F32, 0, 32); }).find("N=0"), std::string::npos);
  std::vector<std::byte> short_rows(10);
  const std::string msg =
      error_of([&] { (void)panel32::pack(QType::F32, short_rows, 2, 3, default_memory_resource()); });
  EXPECT_NE(msg.find("panel32::pack f32 rows"), std::string::npos) << msg;
}

// The BF16 model is the VDPBF16PS order, not another: swapping the pair order or leaving
// out DAZ changes results on these data (so the bitwise tests can fail).
TEST(PlainKernels, Bf16ModelIsOrderSensitive) {
  const int64_t m = 4, n = 8, k = 64;
  const GemmData d = make_gemm_data(QType::BF16, m, n, k, 11, ActQuant::runtime, false);
  const auto bits = reference_bits(QType::BF16, d, m, n, k);
  const auto* a = reinterpret_cast<const uint16_t*>(d.activations.data());
  const auto* w = reinterpret_cast<const uint16_t*>(d.weights.data());
  int differs = 0;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      uint32_t acc = 0;
      for (int64_t p = 0; p < k; p += 2) {
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[i * k + p]), bf16_bits_to_f32_bits(w[j * k + p]), acc);
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[i * k + p + 1]), bf16_bits_to_f32_bits(w[j * k + p + 1]),
                          acc);
      }
      differs += acc != bits[static_cast<size_t>(i * n + j)];
    }
  }
  EXPECT_GT(differs, 0);
}

// NaN (several payloads), Inf, overflow, subnormals and results on the edge of the normal
// range through every plain float kernel that runs here, K odd and even, short and across
// K blocks: bitwise the kernel's exact model. (The AVX2 bf16 kernel takes DAZ / FTZ from
// MXCSR and recomputes its NaN outputs; this is what checks both.)
TEST(PlainKernels, FloatSpecialValuesGiveTheModelsBits) {
  int i = 0;
  for (const KernelDesc* kd : plain_kernels()) {
    const QType t = kd->weight_type;
    if (t != QType::BF16 && t != QType::F16 && t != QType::F32) continue;
    const std::string why = skip_reason(*kd);
    if (!why.empty()) {
      std::printf("skipped %s: %s\n", std::string(kd->name).c_str(), why.c_str());
      continue;
    }
    for (int64_t k : {1, 2, 3, 8, 64, 2051}) {
      for (int64_t m : {1, 5, 13}) {
        GemmTester()
            .m(m)
            .n(37)
            .k(k)
            .threads(1 + i % 3)
            .seed(700 + static_cast<uint64_t>(i))
            .float_specials(true)
            .test(*kd);
        ++i;
      }
    }
  }
}

// The special data reach what the bf16 rules decide: NaN outputs of several payloads,
// outputs flushed to zero that plain fma would leave non-zero, and outputs of exactly
// 2^-126 (not flushed: tiny only before rounding) - so the test above can fail.
TEST(PlainKernels, FloatSpecialsReachTheBf16RulesEdges) {
  int nan_payloads = 0, flushed = 0, edge = 0;
  std::vector<uint32_t> seen_nans;
  for (int64_t k : {2, 3, 8}) {
    const int64_t m = 13, n = 37;
    GemmData d = make_gemm_data(QType::BF16, m, n, k, 5, ActQuant::runtime, false);
    plant_float_specials(QType::BF16, d, 5 + static_cast<uint64_t>(k));
    const auto bits = reference_bits(QType::BF16, d, m, n, k);
    const auto* a = reinterpret_cast<const uint16_t*>(d.activations.data());
    const auto* w = reinterpret_cast<const uint16_t*>(d.weights.data());
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t c = 0; c < n; ++c) {
        const uint32_t b = bits[static_cast<size_t>(r * n + c)];
        if ((b & 0x7fffffffu) > 0x7f800000u &&
            std::find(seen_nans.begin(), seen_nans.end(), b) == seen_nans.end()) {
          seen_nans.push_back(b);
          ++nan_payloads;
        }
        edge += b == 0x00800000u;
        float plain = 0.0f;  // the same order with IEEE fma, no DAZ / FTZ
        for (int64_t p = 0; p < k; p += 2) {
          const auto at = [&](const uint16_t* v, int64_t row, int64_t e) {
            return e < k ? f32_from_bits(bf16_bits_to_f32_bits(v[row * k + e])) : 0.0f;
          };
          plain = std::fma(at(a, r, p + 1), at(w, c, p + 1), plain);
          plain = std::fma(at(a, r, p), at(w, c, p), plain);
        }
        flushed += (b & 0x7fffffffu) == 0 && plain != 0.0f;
      }
    }
  }
  EXPECT_GE(nan_payloads, 3);
  EXPECT_GT(flushed, 0);
  EXPECT_GT(edge, 0);
}

}  // namespace
}  // namespace amxlab::testing
