// Long AMX kernel checks: the whole shape grid at K = 2080 on the emulator, bitwise vs
// golden, cut as 3 threads; the count-only model at M = 4096.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/amx/amx_model_check.h"
#include "tests/amx/amx_test_util.h"

namespace amxlab::amx {
namespace {

TEST(AmxLong, GridAtK2080) {
  for (const char* kernel :
       {"q8_0_gemm_32x32__amx_emulated", "q4_0_gemm_32x32__amx_emulated", "q4_1_gemm_32x32__amx_emulated"}) {
    const KernelDesc& kd = testing::amx_kernel(kernel);
    for (int64_t m : {1, 2, 15, 16, 17, 31, 32, 33, 64, 100}) {
      for (int64_t n : {1, 16, 17, 48}) {
        SCOPED_TRACE(std::string(kernel) + " M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=2080");
        const testing::Problem p(kd.weight_type, m, n, 2080, static_cast<uint64_t>(m * 31 + n), m % 2 == 1);
        ASSERT_TRUE(testing::bitwise_equal(
            p.want, testing::run_slices(p, kd.run, testing::cut(m, n, kd.plan(m, n, 2080), 3, 1)), n));
      }
    }
  }
}

// The README figures for q4_0 and q4_1 (q8_0: tests/amx/test_amx_model.cpp).
TEST(AmxLong, ModelM512Q4) {
  for (QType t : {QType::Q4_0, QType::Q4_1}) testing::check_closed_form(t, 512, 4096, 4096);
}

// Issue #11: the modeled utilisation of every AMX kernel type at M=512 N=K=4096 (the
// note's table); the TDPB* count follows from the tile blocking and the sub-block length.
TEST(AmxLong, ModelM512EveryType) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1, QType::IQ4_NL, QType::Q2_K, QType::Q3_K, QType::Q4_K,
                  QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    const AmxModelReport r = model_gemm(t, 512, 4096, 4096);
    testing::print("model", t, 512, 4096, 4096, r);
    const int64_t k_per_tdpb = t == QType::Q2_K || t == QType::Q3_K || t == QType::Q6_K ? 16 : 32;
    EXPECT_EQ(r.counters.tdpb_int8(), 4u * 16 * 128 * static_cast<uint64_t>(4096 / k_per_tdpb)) << name(t);
    EXPECT_GT(r.model.utilisation, 0.0);
    EXPECT_LT(r.model.utilisation, r.format_ceiling);
  }
}

// The plain GEMMs (amx_plain_gemm.h): one TDPB per 16 x 16 x 64-byte block, no epilogue;
// M=512 and a small M (the M <= 16), N=K=4096.
TEST(AmxLong, ModelPlainGemms) {
  for (QType t : {QType::S8, QType::U8, QType::BF16}) {
    for (int64_t m : {int64_t{16}, int64_t{512}}) {
      const AmxModelReport r = model_gemm(t, m, 4096, 4096);
      testing::print("model", t, m, 4096, 4096, r);
      const uint64_t products =
          4u * static_cast<uint64_t>((m + 31) / 32) * 128 * (4096 / 64) * (t == QType::BF16 ? 2 : 1);
      const uint64_t row_halves = m > 16 ? 4u : 2u;  // C tiles per 32-row tile and panel
      EXPECT_EQ(t == QType::BF16 ? r.counters.tdpbf16ps() : r.counters.tdpb_int8(), products / 4 * row_halves)
          << name(t) << " M=" << m;
      EXPECT_GT(r.model.utilisation, 0.0);
      EXPECT_LE(r.model.utilisation, 1.0);
    }
  }
}

TEST(AmxLong, ModelM4096) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    const AmxModelReport r = model_gemm(t, 4096, 4096, 4096);
    std::printf(
        "model %s M=N=K=4096: utilisation %.2f %% of int8 peak (%.1f %% of the format ceiling), "
        "overlapped-epilogue bound %.2f %%\n",
        name(t), 100.0 * r.model.utilisation, 100.0 * r.model.utilisation / r.format_ceiling,
        100.0 * r.overlapped_utilisation);
    EXPECT_EQ(r.counters.tdpb_int8(), 4u * 128 * 128 * 128);
    EXPECT_GT(r.model.utilisation, 0.0);
  }
}

}  // namespace
}  // namespace amxlab::amx
