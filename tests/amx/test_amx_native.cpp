// The native AMX instantiations: bitwise against golden and against the emulated
// instantiation of the same template. Skipped, with the reason, where AMX cannot run
// (this Zen 5: "AMX unusable: CPU lacks AMX").
#include <gtest/gtest.h>

#include <string>

#include "kernels/isa.h"
#include "tests/amx/amx_test_util.h"
#include "tests/test_util.h"

namespace amxlab::amx {
namespace {

using testing::amx_kernel;
using testing::bitwise_equal;
using testing::cut;
using testing::Problem;
using testing::run_slices;

TEST(AmxNative, BitwiseEqualsGoldenAndEmulated) {
  std::string why;
  if (!isa_supported(kAmxNativeIsa, &why)) GTEST_SKIP() << "native AMX kernels not run here: " << why;
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    const std::string base = std::string(name(t)) + "_gemm_32x32__amx";
    const KernelDesc& native = amx_kernel(base);
    const KernelDesc& emulated = amx_kernel(base + "_emulated");
    for (int64_t m : {1, 17, 32, 33, 100}) {
      for (int64_t n : {1, 17, 48}) {
        for (int64_t k : {32, 96, 2080}) {
          SCOPED_TRACE(base + " M=" + std::to_string(m) + " N=" + std::to_string(n) +
                       " K=" + std::to_string(k));
          const Problem p(t, m, n, k, static_cast<uint64_t>(m + n + k), m % 2 == 1);
          const auto slices = cut(m, n, native.plan(m, n, k), 2, 2);
          const std::vector<float> got = run_slices(p, native.run, slices);
          ASSERT_TRUE(bitwise_equal(p.want, got, n));
          ASSERT_TRUE(bitwise_equal(run_slices(p, emulated.run, slices), got, n));
        }
      }
    }
  }
}

// Wrong layouts are refused natively too (before or after the AMX check, an Error).
TEST(AmxNative, RefusesOtherLayouts) {
  std::string why;
  if (!isa_supported(kAmxNativeIsa, &why)) GTEST_SKIP() << "native AMX kernels not run here: " << why;
  const Problem p(QType::Q8_0, 4, 16, 64, 1, true);
  PackedWeights vnni(QType::Q8_0, Layout::q8_0_vnni16, 16, 64, p.packed.bytes().size(), 0);
  std::vector<float> dst(64);
  const std::string e = amxlab::testing::error_of([&] {
    amx_kernel("q8_0_gemm_32x32__amx")
        .run(vnni, p.acts(), OutputView{dst.data(), 16, 4, 16}, Slice{0, 4, 0, 16});
  });
  EXPECT_NE(e.find("q8_0_vnni16"), std::string::npos) << e;
}

// Without AMX the native entry points answer with the reason instead of faulting.
TEST(AmxNative, WithoutAmxTheNativeRunThrowsTheReason) {
  std::string why;
  if (isa_supported(kIsaAmxInt8, &why)) GTEST_SKIP() << "AMX is usable here";
  const Problem p(QType::Q8_0, 4, 16, 64, 1, true);
  std::vector<float> dst(64);
  const std::string e = amxlab::testing::error_of([&] {
    amx_kernel("q8_0_gemm_32x32__amx")
        .run(p.packed, p.acts(), OutputView{dst.data(), 16, 4, 16}, Slice{0, 4, 0, 16});
  });
  EXPECT_NE(e.find("AMX unusable"), std::string::npos) << e;
}

}  // namespace
}  // namespace amxlab::amx
