// The modeled Sapphire Rapids utilisation of the AMX GEMM kernels (count-only emulator
// + model_sapphire_rapids, labelled engine=emulated, timing=model), checked against the
// closed-form counts of the 2 x 2 blocking (README.md "Modeled utilisation").
#include <gtest/gtest.h>

#include "kernels/amx/amx_kernels.h"
#include "kernels/core/cpu_features.h"
#include "tests/amx/amx_model_check.h"

namespace amxlab::amx {
namespace {

using testing::check_closed_form;
using testing::print;

// The README figure (q4_0 and q4_1 at this shape: tests/amx/test_amx_long.cpp).
TEST(AmxModel, Q8_0M512N4096K4096) {
  check_closed_form(QType::Q8_0, 512, 4096, 4096);
}

TEST(AmxModel, SmallClosedForm) {
  for (QType t : {QType::Q4_0, QType::Q4_1}) check_closed_form(t, 64, 256, 512);
}

// K-quants: one TDPBSUD per C tile and sub-block (K = 32 or 16), one store each.
TEST(AmxModel, KquantCountsFollowTheSubBlocks) {
  for (QType t : {QType::Q4_K, QType::Q6_K, QType::Q2_K, QType::IQ4_XS}) {
    const int64_t m = 64, n = 64, k = 512;
    const AmxModelReport r = model_gemm(t, m, n, k);
    print("model", t, m, n, k, r);
    const int sub = t == QType::Q4_K || t == QType::IQ4_XS ? 32 : 16;
    const auto rounds = static_cast<uint64_t>((m / 32) * (n / 32) * (k / sub));
    EXPECT_EQ(r.counters.tdpb_int8(), 4 * rounds) << name(t);
    EXPECT_EQ(r.counters.tilestored(), 4 * rounds) << name(t);
    EXPECT_EQ(r.format_ceiling, sub / 64.0);
    EXPECT_GT(r.model.utilisation, 0.0);
    EXPECT_LT(r.model.utilisation, r.format_ceiling);
  }
}

TEST(AmxModel, TailsCostFullTileInstructions) {
  // N = 17: a lone strip pair has its second strip of one row; M = 33: a 1-row tile.
  const AmxModelReport r = model_gemm(QType::Q8_0, 33, 17, 64);
  print("model", QType::Q8_0, 33, 17, 64, r);
  // tiles (32 rows, 2 strips) and (1 row, 2 strips), 2 K blocks.
  EXPECT_EQ(r.counters.tdpb_int8(), 2u * (4 + 2));
  EXPECT_EQ(r.counters.ldtilecfg(), 2u);
  EXPECT_GT(r.model.cycles, 0.0);
}

}  // namespace
}  // namespace amxlab::amx
