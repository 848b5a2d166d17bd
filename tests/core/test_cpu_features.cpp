#include <gtest/gtest.h>

#include "kernels/core/cpu_features.h"
#include "kernels/core/fpenv.h"

namespace amxlab {
namespace {

TEST(CpuFeatures, ImpliedFeaturesAreConsistent) {
  const CpuFeatures& f = cpu_features();
  if (f.avx512vnni || f.avx512bw || f.avx512vl || f.avx512bf16) {
    EXPECT_TRUE(f.avx512f);
  }
  if (f.amx_int8 || f.amx_bf16) {
    EXPECT_TRUE(f.amx_tile);
  }
  EXPECT_FALSE(f.model_name.empty());
  EXPECT_EQ(feature_list(f).find("avx2") != std::string::npos, f.avx2) << feature_list(f);
}

TEST(AmxPermission, AnswerIsStableAndExplainsItself) {
  const AmxStatus& first = request_amx_permission();
  const AmxStatus& second = request_amx_permission();
  EXPECT_EQ(&first, &second);
  EXPECT_TRUE(amx_permission_requested());
  EXPECT_FALSE(first.os_answer.empty());
  const CpuFeatures& f = cpu_features();
  if (!f.amx_tile || !f.amx_int8) {
    EXPECT_FALSE(first.usable);
    EXPECT_EQ(first.reason, "CPU lacks AMX");
  } else if (first.usable) {
    EXPECT_TRUE(first.reason.empty());
    EXPECT_EQ(first.os_answer, "granted");
  } else {
    EXPECT_FALSE(first.reason.empty());
  }
}

TEST(FpEnv, DefaultMxcsrIsWhatTestsRunWith) {
  EXPECT_TRUE(mxcsr_is_default());
}

}  // namespace
}  // namespace amxlab
