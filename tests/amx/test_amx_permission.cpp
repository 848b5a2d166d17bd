// Tile code before the process asked the OS for AMX permission: the emulated kernels
// fail with the emulator's error (hardware: SIGILL). Its own binary, because the
// permission request is per process and every other AMX test makes it.
#include <gtest/gtest.h>

#include <string>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/emulator.h"
#include "tests/amx/amx_test_util.h"

namespace amxlab::amx {
namespace {

TEST(AmxPermission, EmulatedKernelBeforeThePermissionRequestFails) {
  ASSERT_FALSE(amx_permission_requested()) << "something in this binary asked already";
  for (const char* kernel :
       {"q8_0_gemm_32x32__amx_emulated", "q4_0_gemm_32x32__amx_emulated", "q4_1_gemm_32x32__amx_emulated"}) {
    const KernelDesc& kd = testing::amx_kernel(kernel);
    const testing::Problem p(kd.weight_type, 4, 16, 32, 1, true);
    std::vector<float> dst(64, testing::poison());
    const OutputView y{dst.data(), 16, 4, 16};
    try {
      kd.run(p.packed, p.acts(), y, Slice{0, 4, 0, 16});
      ADD_FAILURE() << kernel << ": ran tile code without the permission request";
    } catch (const tile::TileFault& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("before AMX permission request"), std::string::npos) << what;
      EXPECT_NE(what.find("LDTILECFG"), std::string::npos) << what;
    }
    for (float v : dst) ASSERT_EQ(f32_bits(v), f32_bits(testing::poison()));
  }
  // Once asked (whatever the OS answers), the same calls run and match golden.
  (void)request_amx_permission();
  const KernelDesc& kd = testing::amx_kernel("q8_0_gemm_32x32__amx_emulated");
  const testing::Problem p(QType::Q8_0, 4, 16, 32, 1, true);
  EXPECT_TRUE(testing::bitwise_equal(p.want, testing::run_slices(p, kd.run, {Slice{0, 4, 0, 16}}), 16));
}

}  // namespace
}  // namespace amxlab::amx
