// The emulator's per-element arithmetic against native silicon: the scalar VPDPBUSD
// (dot4_accumulate, the TDPB*D helper) and VDPBF16PS (bf16_dot_pairs, the TDPBF16PS
// code) emulations, bitwise, on directed and random inputs.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/validate_vnni.h"

namespace amxlab::tile {
namespace {

// Hand-computed, no native needed: each lane a = 255 x4 (u8), b = -128 x4 (s8):
// sum = 4 * 255 * -128 = -130560. acc = INT32_MIN: -2147483648 - 130560 =
// -2147614208, + 2^32 = 2147353088 (wraps, no saturation).
TEST(TileVnni, ScalarVpdpbusdWrapsByHand) {
  uint32_t acc[16], out[16];
  uint8_t a[64], b[64];
  for (int i = 0; i < 16; ++i) acc[i] = 0x80000000u;
  for (int i = 0; i < 64; ++i) {
    a[i] = 0xff;
    b[i] = 0x80;
  }
  emulate_vpdpbusd_zmm(acc, a, b, out);
  for (uint32_t v : out) EXPECT_EQ(v, 2147353088u);
}

TEST(TileVnni, VpdpbusdEmulationEqualsNative) {
  if (!cpu_features().avx512vnni) GTEST_SKIP() << "CPU lacks AVX512-VNNI (VPDPBUSD zmm)";
  const VnniValidation r = validate_vpdpbusd(1u << 17, 11);
  ASSERT_TRUE(r.ran) << r.skip_reason;
  EXPECT_GE(r.lanes, 1u << 17);
  EXPECT_EQ(r.mismatches, 0u) << r.first_mismatch;
}

TEST(TileVnni, Vdpbf16psEmulationEqualsNative) {
  if (!cpu_features().avx512bf16) GTEST_SKIP() << "CPU lacks AVX512-BF16 (VDPBF16PS zmm)";
  const Bf16Validation r = validate_vdpbf16ps(1u << 17, 12);
  ASSERT_TRUE(r.ran) << r.skip_reason;
  EXPECT_GT(r.nan_lanes, 0u);  // NaN lanes are part of the comparison
  // VDPBF16PS follows odd_then_even_fma ...
  EXPECT_EQ(r.mismatches[0], 0u) << bf16_order_name(kAllBf16Orders[0]) << ": " << r.first_mismatch[0];
  EXPECT_EQ(kAllBf16Orders[0], kVdpbf16psOrder);
  // ... and the inputs are discriminating: the other orders fail on some lanes.
  EXPECT_GT(r.mismatches[1], 0u);
  EXPECT_GT(r.mismatches[2], 0u);
}

TEST(TileVnni, SkipsWithReasonWithoutTheIsa) {
  const VnniValidation r = validate_vpdpbusd(16, 1);
  const Bf16Validation b = validate_vdpbf16ps(16, 1);
  EXPECT_EQ(r.ran, cpu_features().avx512vnni);
  EXPECT_EQ(b.ran, cpu_features().avx512bf16);
  if (!r.ran) {
    EXPECT_NE(r.skip_reason.find("AVX512-VNNI"), std::string::npos);
  }
  if (!b.ran) {
    EXPECT_NE(b.skip_reason.find("AVX512-BF16"), std::string::npos);
  }
}

}  // namespace
}  // namespace amxlab::tile
