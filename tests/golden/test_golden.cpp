// The golden model against exact arithmetic, per type, on one block and on a long K;
// raw integer wrap-around; and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {
namespace {

std::vector<float> randn(size_t n, uint64_t seed, float outlier_every = 53) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = d(rng);
    if (i % static_cast<size_t>(outlier_every) == 0) v[i] *= 25.0f;
  }
  return v;
}

struct Case {
  QType type;
  int64_t k;
};

class GoldenVsExact : public ::testing::TestWithParam<Case> {};

TEST_P(GoldenVsExact, WithinPerBlockBound) {
  const auto [t, k] = GetParam();
  const Shape s{3, 5, k};
  const QType act = traits(t).act_type;
  std::vector<std::byte> w(row_bytes(t, k) * 5), aq(row_bytes(act, k) * 3);
  quantize_weights(t, randn(static_cast<size_t>(5 * k), 1), 5, k, w);
  for (ActQuant v : {ActQuant::runtime, ActQuant::ref}) {
    quantize_activations(act, v, randn(static_cast<size_t>(3 * k), 2), 3, k, aq);
    std::vector<float> y(15, std::numeric_limits<float>::quiet_NaN());
    gemm_quantized(t, w, aq, s, y);
    const ExactModel e = exact_model_quantized(t, w, aq, s);
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_FALSE(std::isnan(y[i])) << i;
      ASSERT_LE(std::fabs(y[i] - e.y[i]), e.bound[i])
          << name(t) << " k=" << k << " y[" << i / 5 << "][" << i % 5 << "]=" << y[i] << " exact=" << e.y[i];
    }
  }
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (QType t : kAllQTypes) {
    const auto& tr = traits(t);
    if (!tr.block_quantized || !tr.weight_type) continue;
    out.push_back({t, tr.block_elems});
    out.push_back({t, 4096 + tr.block_elems});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryType, GoldenVsExact, ::testing::ValuesIn(cases()), [](const auto& p) {
  return std::string(name(p.param.type)) + "_k" + std::to_string(p.param.k);
});

// The accumulation order is the contract: a Q8_0 case worked by hand. Block 0: weights
// d=1 codes all 1, activations d=1 codes all 1 -> isum 32; block 1: weights d=2^-24,
// codes 1 -> acc = fmaf(32, 2^-24 * 1, 32) = 32 + 2^-19, exactly half an ulp of 32
// (2^-18): the tie goes to even, y = 32 exactly, while the exact sum is larger.
TEST(Golden, Q8_0AccumulationOrderByHand) {
  std::vector<std::byte> w(68, std::byte{0}), a(68, std::byte{0});
  const uint16_t one = f32_to_fp16(1.0f), tiny = f32_to_fp16(std::ldexp(1.0f, -24));
  std::memcpy(&w[0], &one, 2);
  std::memcpy(&w[34], &tiny, 2);
  std::memcpy(&a[0], &one, 2);
  std::memcpy(&a[34], &one, 2);
  for (int i = 0; i < 32; ++i) {
    w[2 + i] = w[36 + i] = a[2 + i] = a[36 + i] = std::byte{1};
  }
  std::vector<float> y(1);
  gemm_quantized(QType::Q8_0, w, a, {1, 1, 64}, y);
  EXPECT_EQ(y[0], 32.0f);
}

TEST(Golden, S8S8WrapsAround) {
  const int64_t k = (1 << 17) + 1;  // 16384 * k overflows int32
  std::vector<int8_t> a(static_cast<size_t>(k), -128), w(static_cast<size_t>(k), -128);
  std::vector<int32_t> y(1);
  gemm_s8s8(a, w, {1, 1, k}, y);
  EXPECT_EQ(y[0], static_cast<int32_t>(static_cast<uint32_t>(int64_t{16384} * k)));
  EXPECT_EQ(y[0], -2147467264);  // 2^31 + 16384 wrapped
}

TEST(Golden, U8S8WrapsAround) {
  const int64_t k = 70000;  // 255 * 127 * k > 2^31
  std::vector<uint8_t> a(static_cast<size_t>(k), 255);
  std::vector<int8_t> w(static_cast<size_t>(k), 127);
  std::vector<int32_t> y(1);
  gemm_u8s8(a, w, {1, 1, k}, y);
  EXPECT_EQ(y[0], static_cast<int32_t>(static_cast<uint32_t>(int64_t{255 * 127} * k)));
}

TEST(Golden, FloatGemmsWithinGammaK) {
  const Shape s{2, 3, 1000};
  const auto a = randn(2000, 5), w = randn(3000, 6);
  std::vector<float> y(6);
  gemm_f32(a, w, s, y);
  const auto e = exact_model_f32(a, w, s);
  for (size_t i = 0; i < 6; ++i) EXPECT_LE(std::fabs(y[i] - e.y[i]), e.bound[i]);
  std::vector<uint16_t> ab(2000), wb(3000);
  for (size_t i = 0; i < ab.size(); ++i) ab[i] = f32_to_bf16(a[i]);
  for (size_t i = 0; i < wb.size(); ++i) wb[i] = f32_to_bf16(w[i]);
  gemm_bf16(ab, wb, s, y);
  const auto eb = exact_model_bf16(ab, wb, s, false);
  for (size_t i = 0; i < 6; ++i) EXPECT_LE(std::fabs(y[i] - eb.y[i]), eb.bound[i]);
}

TEST(Golden, SumAbsProductsIsTheExactModelsMagnitude) {
  // K = 1003: eight lanes plus a tail of three; the interleaved double sum may differ
  // from the exact model's plain one only by double rounding (relative ~K * 2^-53).
  const Shape s{3, 5, 1003};
  auto a = randn(3 * 1003, 11);
  const auto w = randn(5 * 1003, 12);
  a[1002] = -1e30f;  // a tail term that dominates row 0
  const auto e = exact_model_f32(a, w, s);
  const auto got = sum_abs_products(a, w, s);
  ASSERT_EQ(got.size(), e.sum_abs.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], e.sum_abs[i], 1e-12 * e.sum_abs[i]) << i;
  EXPECT_GE(got[0], 1e30 * std::fabs(static_cast<double>(w[1002])));
  std::vector<float> short_w(w.begin(), w.end() - 1);
  EXPECT_THROW(sum_abs_products(a, short_w, s), Error);
}

TEST(Golden, UlpDistance) {
  EXPECT_EQ(ulp_distance(1.0f, 1.0f), 0);
  EXPECT_EQ(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)), 1);
  EXPECT_EQ(ulp_distance(-0.0f, 0.0f), 0);
  EXPECT_EQ(ulp_distance(std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min()),
            2);
  EXPECT_GT(ulp_distance(1.0f, std::numeric_limits<float>::quiet_NaN()), int64_t{1} << 40);
}

TEST(Golden, BadInputIsAClearErrorAndWritesNothing) {
  std::vector<std::byte> w(row_bytes(QType::Q4_0, 64) * 2), a(row_bytes(QType::Q8_0, 64) * 2);
  std::vector<float> y(4, 7.0f);
  auto expect_error = [&](auto&& fn, const char* phrase) {
    try {
      fn();
      ADD_FAILURE() << "no error for " << phrase;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
    }
    for (float v : y) EXPECT_EQ(v, 7.0f);
  };
  expect_error([&] { gemm_quantized(QType::Q4_0, w, a, {2, 2, 48}, y); }, "not a positive multiple");
  expect_error([&] { gemm_quantized(QType::Q4_0, w, a, {0, 2, 64}, y); }, "bad shape");
  expect_error(
      [&] { gemm_quantized(QType::Q4_0, std::span<const std::byte>(w.data(), 10), a, {2, 2, 64}, y); },
      "too short");
  expect_error([&] { gemm_quantized(QType::Q4_0, std::span<const std::byte>(), a, {2, 2, 64}, y); }, "null");
  expect_error([&] { gemm_quantized(QType::Q4_0, w, a, {2, 2, 64}, std::span<float>(y.data(), 3)); },
               "too short");
  expect_error([&] { gemm_quantized(QType::Q8_K, w, a, {2, 2, 256}, y); }, "not a quantised weight format");
  std::vector<float> af(128, 1.0f);
  af[70] = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { gemm(QType::Q4_0, w, af, {2, 2, 64}, ActQuant::runtime, y); }, "row 1");
  std::vector<int8_t> s8(10);
  std::vector<int32_t> yi(4, 7);
  EXPECT_THROW(gemm_s8s8(s8, s8, {2, 2, 8}, yi), Error);
  for (int32_t v : yi) EXPECT_EQ(v, 7);
}

}  // namespace
}  // namespace amxlab::golden
