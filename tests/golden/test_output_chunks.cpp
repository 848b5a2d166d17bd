// The golden model's outputs split over threads (reference/golden/output_chunks.h): every
// index computed once, errors carried back, and a split GEMM or exact model equal bit for
// bit to the same outputs computed one row at a time (too little work to split).
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "kernels/core/formats.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/output_chunks.h"
#include "tests/test_util.h"

namespace amxlab::golden {
namespace {

TEST(OutputChunks, EveryIndexExactlyOnce) {
  for (int64_t count : {0, 1, 2, 7, 1000, 100003}) {
    for (int64_t macs : {int64_t{1}, int64_t{1} << 20, int64_t{1} << 30}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(count));
      for_output_chunks(count, macs, [&](int64_t first, int64_t last) {
        ASSERT_LE(0, first);
        ASSERT_LE(first, last);
        ASSERT_LE(last, count);
        for (int64_t i = first; i < last; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
      });
      for (int64_t i = 0; i < count; ++i)
        ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1)
            << "index " << i << " of " << count << ", macs " << macs;
    }
  }
}

TEST(OutputChunks, AnExceptionFromTheLastRangeReachesTheCaller) {
  const int64_t count = 4096;
  EXPECT_THROW(for_output_chunks(count, int64_t{1} << 30,
                                 [&](int64_t, int64_t last) {
                                   if (last == count) throw std::runtime_error("last range");
                                 }),
               std::runtime_error);
}

using testing::normal_floats;

// Large enough to split (M*N*K = 32 M multiply-adds: two ranges), each row alone too small to.
constexpr int64_t kM = 32, kN = 256, kK = 4096;

class SplitGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    if (output_chunk_threads(kM * kN, kK) < 2)
      GTEST_SKIP() << "this process may use one CPU: the golden model splits nothing here";
    ASSERT_EQ(output_chunk_threads(kN, kK), 1) << "a single row must not split, or the comparison is moot";
  }
};

TEST_F(SplitGolden, QuantizedGemmEqualsRowByRow) {
  const auto a = normal_floats(static_cast<size_t>(kM * kK), 1);
  const auto wf = normal_floats(static_cast<size_t>(kN * kK), 2);
  for (QType t : {QType::Q4_0, QType::Q4_1, QType::Q8_0, QType::Q4_K, QType::Q6_K, QType::IQ4_XS}) {
    std::vector<std::byte> w(row_bytes(t, kK) * kN);
    quantize_weights(t, wf, kN, kK, w);
    const QType act = traits(t).act_type;
    const size_t arow = row_bytes(act, kK);
    std::vector<std::byte> aq(arow * kM);
    quantize_activations(act, ActQuant::runtime, a, kM, kK, aq);
    std::vector<float> split(static_cast<size_t>(kM * kN)), rows(split.size());
    gemm_quantized(t, w, aq, {kM, kN, kK}, split);
    for (int64_t i = 0; i < kM; ++i) {
      gemm_quantized(t, w, std::span(aq).subspan(static_cast<size_t>(i) * arow, arow), {1, kN, kK},
                     std::span(rows).subspan(static_cast<size_t>(i * kN), kN));
    }
    for (size_t x = 0; x < split.size(); ++x) {
      ASSERT_EQ(std::bit_cast<uint32_t>(split[x]), std::bit_cast<uint32_t>(rows[x]))
          << name(t) << " y[" << x / kN << "][" << x % kN << "] split " << split[x] << " row by row "
          << rows[x];
    }
    // The exact model the quantised checks use, split the same way.
    const ExactModel e = exact_model_quantized(t, w, aq, {kM, kN, kK});
    for (int64_t i = 0; i < kM; ++i) {
      const ExactModel r = exact_model_quantized(
          t, w, std::span(aq).subspan(static_cast<size_t>(i) * arow, arow), {1, kN, kK});
      for (int64_t j = 0; j < kN; ++j) {
        const auto x = static_cast<size_t>(i * kN + j), y = static_cast<size_t>(j);
        ASSERT_EQ(e.y[x], r.y[y]) << name(t) << " exact y[" << i << "][" << j << "]";
        ASSERT_EQ(e.bound[x], r.bound[y]) << name(t) << " bound [" << i << "][" << j << "]";
        ASSERT_EQ(e.sum_abs[x], r.sum_abs[y]) << name(t) << " sum_abs [" << i << "][" << j << "]";
      }
    }
  }
}

TEST_F(SplitGolden, PlainGemmsAndExactF32EqualRowByRow) {
  const auto af = normal_floats(static_cast<size_t>(kM * kK), 3);
  const auto wf = normal_floats(static_cast<size_t>(kN * kK), 4);
  std::vector<int8_t> a8(af.size()), w8(wf.size());
  for (size_t i = 0; i < af.size(); ++i) a8[i] = static_cast<int8_t>(static_cast<int>(af[i] * 40.0f) % 128);
  for (size_t i = 0; i < wf.size(); ++i) w8[i] = static_cast<int8_t>(static_cast<int>(wf[i] * 40.0f) % 128);
  std::vector<int32_t> s8(static_cast<size_t>(kM * kN)), s8_rows(s8.size());
  gemm_s8s8(a8, w8, {kM, kN, kK}, s8);
  std::vector<float> f32(s8.size()), f32_rows(s8.size());
  gemm_f32(af, wf, {kM, kN, kK}, f32);
  const ExactModel e = exact_model_f32(af, wf, {kM, kN, kK});
  for (int64_t i = 0; i < kM; ++i) {
    const auto row = static_cast<size_t>(i);
    gemm_s8s8(std::span<const int8_t>(a8).subspan(row * kK, kK), w8, {1, kN, kK},
              std::span(s8_rows).subspan(row * kN, kN));
    gemm_f32(std::span<const float>(af).subspan(row * kK, kK), wf, {1, kN, kK},
             std::span(f32_rows).subspan(row * kN, kN));
    const ExactModel r = exact_model_f32(std::span<const float>(af).subspan(row * kK, kK), wf, {1, kN, kK});
    for (int64_t j = 0; j < kN; ++j) {
      const auto x = static_cast<size_t>(i * kN + j), y = static_cast<size_t>(j);
      ASSERT_EQ(e.y[x], r.y[y]) << "exact f32 y[" << i << "][" << j << "]";
      ASSERT_EQ(e.bound[x], r.bound[y]) << "exact f32 bound [" << i << "][" << j << "]";
    }
  }
  EXPECT_EQ(s8, s8_rows);
  for (size_t x = 0; x < f32.size(); ++x)
    ASSERT_EQ(std::bit_cast<uint32_t>(f32[x]), std::bit_cast<uint32_t>(f32_rows[x]))
        << "f32 y[" << x / kN << "][" << x % kN << "]";
}

}  // namespace
}  // namespace amxlab::golden
