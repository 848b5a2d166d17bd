// The dispatcher: choice by CPU and M, the GEMV threshold (setter and environment), the
// ISA cap forcing each lower path, errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/dispatch.h"
#include "kernels/isa.h"
#include "kernels/registry.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

struct Restore {
  IsaLevel cap = isa_cap();
  ~Restore() {
    set_isa_cap(cap);
    set_gemv_max_m(-1);
    unsetenv("AMXLAB_GEMV_MAX_M");
  }
};

bool have_avx512_vnni() {
  return isa_supported(kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2);
}

TEST(Dispatch, SmallMGetsTheGemvLargeMTheGemm) {
  Restore r;
  set_isa_cap(IsaLevel::avx512_vnni);
  if (!have_avx512_vnni()) GTEST_SKIP() << "needs AVX-512 VNNI";
  set_gemv_max_m(3);
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    std::string why;
    const KernelDesc& small = choose_kernel(t, 1, &why);
    EXPECT_EQ(small.op, KernelOp::gemv) << why;
    EXPECT_EQ(small.weight_type, t);
    EXPECT_NE(why.find(std::string(small.name)), std::string::npos) << why;
    EXPECT_NE(why.find("M=1 <= GEMV threshold 3 (set_gemv_max_m)"), std::string::npos) << why;
    EXPECT_EQ(choose_kernel(t, 3).op, KernelOp::gemv);
    const KernelDesc& big = choose_kernel(t, 4, &why);
    EXPECT_EQ(big.op, KernelOp::gemm) << why;
    EXPECT_NE(std::string(big.name).find("avx512vnni"), std::string::npos) << why;
    EXPECT_NE(why.find("M=4 > GEMV threshold 3"), std::string::npos) << why;
  }
}

// Within the AVX-512 level the GEMV built with VBMI + GFNI is preferred where the CPU has
// both, the plain VNNI one elsewhere (both branches are checked: whichever this CPU takes).
TEST(Dispatch, ExtensionsBreakTiesWithinAnIsaLevel) {
  Restore r;
  set_isa_cap(IsaLevel::avx512_vnni);
  if (!have_avx512_vnni()) GTEST_SKIP() << "needs AVX-512 VNNI";
  const bool ext = isa_supported(kIsaAvx512Vbmi | kIsaGfni);
  EXPECT_GT(isa_preference(kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2 | kIsaAvx512Vbmi | kIsaGfni),
            isa_preference(kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2));
  EXPECT_GT(isa_preference(kIsaAmxInt8), isa_preference(kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2 | kIsaGfni));
  for (QType t : {QType::Q5_K, QType::IQ4_XS, QType::IQ4_NL}) {
    std::string why;
    const KernelDesc& k = choose_kernel(t, 1, &why);
    const std::string want =
        std::string(name(t)) + (ext ? "_gemv_1x64__avx512icl" : "_gemv_1x64__avx512vnni");
    EXPECT_EQ(std::string(k.name), want) << why;
  }
  // Q4_K and Q6_K have no such variant (kernels/README.md says why).
  EXPECT_EQ(std::string(choose_kernel(QType::Q4_K, 1).name), "q4_K_gemv_1x64__avx512vnni");
  EXPECT_EQ(std::string(choose_kernel(QType::Q6_K, 1).name), "q6_K_gemv_1x64__avx512vnni");
}

TEST(Dispatch, ThresholdFromTheEnvironment) {
  Restore r;
  EXPECT_EQ(gemv_max_m(), kDefaultGemvMaxM);
  setenv("AMXLAB_GEMV_MAX_M", "17", 1);
  EXPECT_EQ(gemv_max_m(), 17);
  std::string why;
  (void)choose_kernel(QType::Q8_0, 5, &why);
  EXPECT_NE(why.find("AMXLAB_GEMV_MAX_M"), std::string::npos) << why;
  setenv("AMXLAB_GEMV_MAX_M", "nonsense", 1);
  EXPECT_EQ(gemv_max_m(), kDefaultGemvMaxM);
  (void)choose_kernel(QType::Q8_0, 5, &why);
  EXPECT_NE(why.find("'nonsense' ignored"), std::string::npos) << why;
  setenv("AMXLAB_GEMV_MAX_M", "0", 1);
  EXPECT_EQ(gemv_max_m(), 0);
  set_gemv_max_m(9);  // the setter wins over the environment
  EXPECT_EQ(gemv_max_m(), 9);
  set_gemv_max_m(-1);
  EXPECT_EQ(gemv_max_m(), 0);
}

TEST(Dispatch, PerTypeDefaultsAreTheMeasuredOnes) {
  Restore r;
  // kernels/README.md "Dispatcher": measured 1 for every type but Q2_K (12) and Q3_K (4).
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1, QType::IQ4_NL, QType::Q4_K, QType::Q5_K, QType::Q6_K,
                  QType::IQ4_XS}) {
    EXPECT_EQ(default_gemv_max_m(t), 1) << name(t);
    EXPECT_EQ(gemv_max_m(t), 1) << name(t);
  }
  EXPECT_EQ(default_gemv_max_m(QType::Q2_K), 12);
  EXPECT_EQ(gemv_max_m(QType::Q2_K), 12);
  EXPECT_EQ(default_gemv_max_m(QType::Q3_K), 4);
  EXPECT_EQ(gemv_max_m(QType::Q3_K), 4);
  // The AVX2 / AVX-VNNI level's own (kernels/README.md "Dispatcher"), the others as above.
  EXPECT_EQ(default_gemv_max_m(QType::Q4_K, 1), 3);
  EXPECT_EQ(default_gemv_max_m(QType::IQ4_XS, 1), 3);
  EXPECT_EQ(default_gemv_max_m(QType::Q4_K, 2), 1);
  EXPECT_EQ(default_gemv_max_m(QType::Q5_K, 1), 1);
  EXPECT_EQ(default_gemv_max_m(QType::Q2_K, 1), 4);
  EXPECT_EQ(default_gemv_max_m(QType::Q2_K, 2), 12);
  EXPECT_EQ(gemv_max_m(QType::IQ4_XS, 1), 3);
  setenv("AMXLAB_GEMV_MAX_M", "6", 1);
  EXPECT_EQ(gemv_max_m(QType::Q6_K), 6);  // the environment overrides every type
  unsetenv("AMXLAB_GEMV_MAX_M");
  std::string why;
  if (isa_supported(kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2, &why)) {
    const KernelDesc& k = choose_kernel(QType::Q4_K, 1, &why);
    EXPECT_EQ(k.op, KernelOp::gemv) << why;
    EXPECT_EQ(k.layout, Layout::kq_nib_vnni16) << why;
    EXPECT_EQ(choose_kernel(QType::Q4_K, 2, &why).op, KernelOp::gemm) << why;
  }
}

// At the AVX2 level a K-quant's (and IQ4_NL's) M = 1 runs on the AVX-VNNI nibble GEMV (kq_nib_vnni16,
// the same bytes as the AVX-512 GEMV), a larger M on the 2x16 GEMM; never on a stand-in.
TEST(Dispatch, AvxVnniLevelDecodesWithTheNibbleGemvs) {
  Restore r;
  set_isa_cap(IsaLevel::avx2);
  if (!isa_supported(kIsaAvx2 | kIsaAvxVnni))
    GTEST_SKIP() << "needs AVX-VNNI (the stand-ins cover the arithmetic)";
  for (QType t : {QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    std::string why;
    const KernelDesc& k = choose_kernel(t, 1, &why);
    EXPECT_EQ(std::string(k.name), std::string(name(t)) + "_gemv_1x16__avxvnni") << why;
    EXPECT_EQ(k.layout, Layout::kq_nib_vnni16) << why;
    EXPECT_EQ(k.engine, Engine::native) << why;
    const KernelDesc& g = choose_kernel(t, gemv_max_m(t, 1) + 1, &why);
    EXPECT_EQ(std::string(g.name), std::string(name(t)) + "_gemm_2x16__avxvnni") << why;
  }
  std::string why;
  EXPECT_EQ(std::string(choose_kernel(QType::IQ4_NL, 1, &why).name), "iq4_nl_gemv_1x16__avxvnni") << why;
}

// At the AVX2 level without AVX-VNNI (Haswell..Comet Lake, Zen 1-3, or the cap here) the
// plain AVX2 kernels run every quantised type; with AVX-VNNI those kernels win
// (isa_preference).
TEST(Dispatch, Avx2LevelWithoutVnniRunsEveryQuantisedType) {
  Restore r;
  set_isa_cap(IsaLevel::avx2);
  if (!isa_supported(kIsaAvx2)) GTEST_SKIP() << "needs AVX2";
  const bool vnni = isa_supported(kIsaAvx2 | kIsaAvxVnni);
  const std::string isa = vnni ? "__avxvnni" : "__avx2";
  std::string why;
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    // M = 1: the 1 x 32 GEMV of the level, the plain AVX2 one or the AVX-VNNI one (which
    // outranks the plain GEMV by its extension: never the GEMM, never a stand-in).
    const KernelDesc& gemv = choose_kernel(t, 1, &why);
    EXPECT_EQ(std::string(gemv.name), std::string(name(t)) + "_gemv_1x32" + isa) << why;
    EXPECT_EQ(gemv.engine, Engine::native) << why;
    EXPECT_EQ(std::string(choose_kernel(t, 2, &why).name).find(std::string(name(t)) + "_gemm_"), 0u) << why;
    // The plain AVX2 Q4_0 / Q4_1 tiles are 3 rows (avxvnni_gemm_tile.h kNibbleMR).
    const std::string tile = !vnni && t != QType::Q8_0 ? "_gemm_3x16" : "_gemm_2x16";
    EXPECT_EQ(std::string(choose_kernel(t, 64, &why).name), std::string(name(t)) + tile + isa) << why;
  }
  for (QType t :
       {QType::IQ4_NL, QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    // The plain AVX2 GEMVs of Q3_K, Q4_K, Q5_K, IQ4_XS and IQ4_NL take 2 strips per tile
    // (1 x 32): vnni_raw.h.
    const bool two_strips =
        t == QType::Q3_K || t == QType::Q4_K || t == QType::Q5_K || t == QType::IQ4_XS || t == QType::IQ4_NL;
    const std::string gemv = !vnni && two_strips ? "_gemv_1x32" : "_gemv_1x16";
    EXPECT_EQ(std::string(choose_kernel(t, 1, &why).name), std::string(name(t)) + gemv + isa) << why;
    // The plain AVX2 tiles of Q4_K (3 x 16) and IQ4_XS (2 x 32): vnni_raw.h.
    const std::string tile = vnni                 ? "_gemm_2x16"
                             : t == QType::Q4_K   ? "_gemm_3x16"
                             : t == QType::IQ4_XS ? "_gemm_2x32"
                                                  : "_gemm_2x16";
    EXPECT_EQ(std::string(choose_kernel(t, 64, &why).name), std::string(name(t)) + tile + isa) << why;
  }
  // This level's thresholds: Q4_K's M = 3 still on the GEMV, M = 4 on the GEMM.
  EXPECT_EQ(std::string(choose_kernel(QType::Q4_K, 3, &why).name),
            (vnni ? "q4_K_gemv_1x16" : "q4_K_gemv_1x32") + isa)
      << why;
  EXPECT_NE(why.find("GEMV threshold 3"), std::string::npos) << why;
  EXPECT_EQ(std::string(choose_kernel(QType::Q4_K, 4, &why).name),
            (vnni ? "q4_K_gemm_2x16" : "q4_K_gemm_3x16") + isa)
      << why;
  EXPECT_GT(isa_preference(kIsaAvx2 | kIsaAvxVnni), isa_preference(kIsaAvx2));
}

// Within one ISA level a GEMV that lacks the GEMM's extensions leaves it the small M; across
// levels (an AVX-512 GEMV beside an AMX GEMM, a plain AVX2 one beside AVX-512) it keeps it.
TEST(Dispatch, GemvOutrankedOnlyByAGemmOfItsLevelWithMoreExtensions) {
  constexpr uint32_t kAvx2 = kIsaAvx2, kAvxVnni = kIsaAvx2 | kIsaAvxVnni;
  constexpr uint32_t kAvx512 = kIsaAvx2 | kIsaAvx512 | kIsaAvx512Vnni;
  EXPECT_TRUE(gemv_outranked(kAvx2, kAvxVnni));
  EXPECT_FALSE(gemv_outranked(kAvx2, kAvx2));
  EXPECT_FALSE(gemv_outranked(kAvxVnni, kAvxVnni));
  EXPECT_FALSE(gemv_outranked(kAvxVnni, kAvx2));
  EXPECT_FALSE(gemv_outranked(kAvx512, kAvx512 | kIsaAmxInt8));
  EXPECT_FALSE(gemv_outranked(kAvx2, kAvx512));
  EXPECT_FALSE(gemv_outranked(kAvx512 | kIsaAvx512Vbmi | kIsaGfni, kAvx512));
  EXPECT_TRUE(gemv_outranked(kAvx512, kAvx512 | kIsaAvx512Vbmi));
  // Not a superset: more extension bits alone do not outrank.
  EXPECT_FALSE(gemv_outranked(kAvx512 | kIsaGfni, kAvx512 | kIsaAvx512Vbmi | kIsaAvx512Bf16));
}

TEST(Dispatch, EachCapForcesALowerPath) {
  Restore r;
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    for (int64_t m : {1, 64}) {
      set_isa_cap(IsaLevel::portable);
      std::string why;
      const KernelDesc& p = choose_kernel(t, m, &why);
      EXPECT_EQ(p.isa, kIsaNone) << why;
      EXPECT_NE(std::string(p.name).find("portable"), std::string::npos) << why;
      EXPECT_NE(why.find("ISA cap portable"), std::string::npos) << why;
      EXPECT_NE(why.find("not eligible"), std::string::npos) << why;
      set_isa_cap(IsaLevel::avx2);
      const KernelDesc& a2 = choose_kernel(t, m, &why);
      EXPECT_LE(isa_rank(a2.isa), 1) << why;
      if (isa_supported(kIsaAvx2 | kIsaAvxVnni)) {
        EXPECT_EQ(isa_rank(a2.isa), 1) << why;
      }
      set_isa_cap(IsaLevel::avx512_vnni);
      const KernelDesc& a5 = choose_kernel(t, m, &why);
      EXPECT_LE(isa_rank(a5.isa), 2) << why;
      if (have_avx512_vnni()) {
        EXPECT_EQ(isa_rank(a5.isa), 2) << why;
      }
    }
  }
}

TEST(Dispatch, Errors) {
  Restore r;
  std::string msg = error_of([] { (void)choose_kernel(QType::Q8_1, 1, nullptr); });
  EXPECT_NE(msg.find("no kernel for q8_1"), std::string::npos) << msg;
  msg = error_of([] { (void)choose_kernel(QType::Q8_0, 0, nullptr); });
  EXPECT_NE(msg.find("M=0"), std::string::npos) << msg;
}

TEST(Dispatch, EveryRegisteredNameStatesTypeOpTileAndIsa) {
  for (const KernelDesc& k : kernel_registry()) {
    const std::string n(k.name);
    // Raw integer GEMMs name both operands: s8s8 (type s8), u8s8 (type u8: u8 x s8).
    const std::string type = k.weight_type == QType::S8   ? "s8s8"
                             : k.weight_type == QType::U8 ? "u8s8"
                                                          : std::string(name(k.weight_type));
    EXPECT_EQ(n.rfind(type + "_" + name(k.op) + "_", 0), 0u) << n;
    const std::string tile = std::to_string(k.tile_m) + "x" + std::to_string(k.tile_n);
    EXPECT_NE(n.find("_" + tile + "__"), std::string::npos) << n;
  }
}

}  // namespace
}  // namespace amxlab::testing
