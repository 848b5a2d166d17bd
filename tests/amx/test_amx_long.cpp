// Long AMX kernel checks: the whole shape grid at K = 2080 on the emulator, bitwise vs
// golden, cut as 3 threads; the count-only model at M = 4096.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "tests/amx/amx_model_check.h"
#include "tests/amx/amx_test_util.h"

namespace amxlab::amx {
namespace {

class AmxEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { (void)request_amx_permission(); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new AmxEnvironment);

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
