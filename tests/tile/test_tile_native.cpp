// Emulated == native on random tile programs (skips with the reason without AMX),
// run_native's usability check, and the self-test's structure.
#include <gtest/gtest.h>

#include <string>

#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/native_crosscheck.h"
#include "kernels/tile/selftest.h"

namespace amxlab::tile {
namespace {

TEST(TileNative, CrosscheckTenThousandPrograms) {
  const AmxStatus& s = request_amx_permission();
  if (!s.usable) GTEST_SKIP() << "AMX unusable: " << s.reason;
  const NativeCrosscheckReport r = run_native_tile_crosscheck(10000, 4242);
  EXPECT_EQ(r.programs, 10000u);
  EXPECT_EQ(r.int8_mismatches, 0u) << r.first_int8_mismatch;
  EXPECT_EQ(r.demo_mismatches, 0u) << r.first_demo_mismatch;
  for (int o = 0; o < 3; ++o)
    std::printf("TDPBF16PS order %s: %llu/%llu programs equal\n", bf16_order_name(kAllBf16Orders[o]),
                static_cast<unsigned long long>(r.bf16_matches[o]),
                static_cast<unsigned long long>(r.bf16_programs));
  EXPECT_EQ(r.bf16_matches[0], r.bf16_programs)
      << "the PROVISIONAL default order differs from native: " << r.first_bf16_mismatch[0];
}

TEST(TileNative, RunNativeReportsWhyAmxIsUnusable) {
  const AmxStatus& s = request_amx_permission();
  if (s.usable) GTEST_SKIP() << "AMX is usable here; nothing to refuse";
  try {
    (void)run_native_tile_crosscheck(1, 1);
    ADD_FAILURE() << "expected Error(\"AMX unusable: ...\")";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "AMX unusable: " + s.reason);
  }
}

TEST(TileNative, SelftestRunsWhatTheCpuAllows) {
  SelftestOptions opt;
  opt.lanes = 4096;
  opt.tile_programs = 200;
  const std::vector<CheckResult> results = run_tile_selftest(opt);
  ASSERT_EQ(results.size(), 5u);
  const bool amx = request_amx_permission().usable;
  for (const CheckResult& r : results) {
    EXPECT_NE(r.status, CheckStatus::fail) << r.name << ": " << r.detail;
    EXPECT_FALSE(r.detail.empty()) << r.name;
  }
  EXPECT_EQ(results[0].status == CheckStatus::pass, cpu_features().avx512vnni);
  EXPECT_EQ(results[1].status == CheckStatus::pass, cpu_features().avx512bf16);
  for (int i = 2; i < 5; ++i) {
    EXPECT_EQ(results[i].status == CheckStatus::pass, amx) << results[i].name;
    if (!amx) {
      EXPECT_EQ(results[i].detail.rfind("AMX unusable: ", 0), 0u) << results[i].detail;
    }
  }
}

}  // namespace
}  // namespace amxlab::tile
