// oneDNN's ISA cap takes effect only before its first ISA query, once per process.
// Each check runs in a fresh process (threadsafe death-test style re-executes the
// binary), as the harness's one-subprocess-per-ISA comparison does.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "reference/onednn/matmul.h"

namespace amxlab::onednn {
namespace {

class OnednnIsa : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(OnednnIsa, CapBeforeFirstUseIsHonoured) {
  if (!cpu_features().avx512f) GTEST_SKIP() << "needs AVX-512";
  EXPECT_EXIT(
      {
        set_max_isa(Isa::avx512_core);
        const std::string eff = effective_isa_name();
        Matmul mm(MatmulKind::u8s8s32, 16, 64, 64);
        std::fprintf(stderr, "cap %s effective %s impl %s\n", isa_cap_name().c_str(), eff.c_str(),
                     mm.impl().c_str());
        const bool ok = isa_cap_name() == "avx512_core" && eff == "avx512_core" &&
                        mm.impl().find("vnni") == std::string::npos;
        std::exit(ok ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "cap avx512_core effective avx512_core");
}

TEST_F(OnednnIsa, CapFromEnvironmentIsApplied) {
  if (!cpu_features().avx2) GTEST_SKIP() << "needs AVX2";
  EXPECT_EXIT(
      {
        setenv("ONEDNN_MAX_CPU_ISA", "AVX2", 1);
        const std::string applied = set_max_isa_from_env();
        Matmul mm(MatmulKind::f32f32f32, 8, 8, 8);
        std::fprintf(stderr, "applied %s effective %s impl %s\n", applied.c_str(),
                     effective_isa_name().c_str(), mm.impl().c_str());
        std::exit(applied == "avx2" && effective_isa_name() == "avx2" ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "applied avx2 effective avx2");
}

TEST_F(OnednnIsa, UnknownEnvironmentValueIsAnError) {
  EXPECT_EXIT(
      {
        setenv("ONEDNN_MAX_CPU_ISA", "AVX1024", 1);
        try {
          set_max_isa_from_env();
        } catch (const Error& e) {
          std::fprintf(stderr, "error: %s\n", e.what());
          std::exit(3);
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(3), "AVX1024");
}

TEST_F(OnednnIsa, UnsetEnvironmentChangesNothing) {
  EXPECT_EXIT(
      {
        unsetenv("ONEDNN_MAX_CPU_ISA");
        unsetenv("DNNL_MAX_CPU_ISA");
        std::exit(set_max_isa_from_env().empty() && isa_cap_name() == "all" ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace amxlab::onednn
