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
  EXPECT_EQ(r.bf16_matches[2], r.bf16_programs)
      << "the emulator's order differs from native: " << r.first_bf16_mismatch[2];
  EXPECT_EQ(kAllBf16Orders[2], kDefaultBf16Order);
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

// The verdict a script records: filled from the same run as the table, and on a CPU
// without AMX it says why nothing was decided.
TEST(TileNative, SelftestFillsTheBf16OrderVerdict) {
  SelftestOptions opt;
  opt.lanes = 256;
  opt.tile_programs = 100;
  Bf16OrderVerdict v;
  v.programs = 7;  // stale values must not survive
  (void)run_tile_selftest(opt, &v);
  const AmxStatus& s = request_amx_permission();
  EXPECT_EQ(v.ran, s.usable);
  if (!s.usable) {
    EXPECT_EQ(v.programs, 0u);
    EXPECT_TRUE(v.matching.empty());
    EXPECT_EQ(v.reason.rfind("AMX unusable: " + s.reason, 0), 0u) << v.reason;
    EXPECT_EQ(bf16_verdict_text(v).rfind("undecided: ", 0), 0u) << bf16_verdict_text(v);
  } else {
    EXPECT_GT(v.programs, 0u);
    EXPECT_EQ(v.default_confirmed, v.matches[2] == v.programs);
  }
}

TEST(TileNative, VerdictTextNamesTheOutcome) {
  Bf16OrderVerdict v;
  v.reason = "AMX unusable: CPU lacks AMX";
  EXPECT_EQ(bf16_verdict_text(v),
            "undecided: the native TDPBF16PS cross-check did not run: AMX unusable: CPU lacks AMX");
  v.ran = true;
  v.programs = 500;
  EXPECT_NE(bf16_verdict_text(v).find("none of the candidate orders"), std::string::npos);
  v.matching = {"separate_sums"};
  v.default_confirmed = true;
  EXPECT_NE(bf16_verdict_text(v).find("separate_sums (the emulator's order) on all 500 programs: confirmed"),
            std::string::npos)
      << bf16_verdict_text(v);
  v.matching = {"odd_then_even_fma"};
  v.default_confirmed = false;
  EXPECT_NE(bf16_verdict_text(v).find("make odd_then_even_fma the default"), std::string::npos)
      << bf16_verdict_text(v);
  v.matching = {"odd_then_even_fma", "separate_sums"};
  EXPECT_EQ(bf16_verdict_text(v).rfind("ambiguous: ", 0), 0u) << bf16_verdict_text(v);
}

}  // namespace
}  // namespace amxlab::tile
