// fp16 / bf16 conversions: exhaustive on the 16-bit side, and against the F16C
// hardware conversion (an independent oracle) on the fp32 side.
#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>
#include <random>

#include "kernels/core/cpu_features.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

TEST(Fp16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = fp16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(fp16_to_f32(f32_to_fp16(f)))) << h;
    } else {
      EXPECT_EQ(f32_to_fp16(f), h) << "half 0x" << std::hex << h;
    }
  }
}

TEST(Fp16, KnownValues) {
  EXPECT_EQ(fp16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(fp16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(fp16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(fp16_to_f32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(f32_to_fp16(65520.0f), 0x7c00);               // tie rounds to even = Inf
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even: 0
  EXPECT_EQ(f32_to_fp16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie to even
  EXPECT_EQ(f32_to_fp16(1.0f + std::ldexp(3.0f, -11)), 0x3c02);
}

__attribute__((target("f16c"))) uint16_t hw_fp16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT));
}

TEST(Fp16, MatchesF16cHardware) {
  if (!cpu_features().f16c) GTEST_SKIP() << "CPU lacks F16C: no hardware oracle";
  std::mt19937 rng(7);
  for (int i = 0; i < 2000000; ++i) {
    const auto bits = static_cast<uint32_t>(rng());
    const float f = f32_from_bits(bits);
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_fp16(f), hw_fp16(f)) << "bits 0x" << std::hex << bits;
  }
  // Every exponent around the fp16 range, with mantissas near rounding boundaries.
  for (uint32_t e = 90; e < 150; ++e) {
    for (uint32_t m = 0; m < (1u << 23); m += 4093) {
      const float f = f32_from_bits((e << 23) | m);
      ASSERT_EQ(f32_to_fp16(f), hw_fp16(f)) << f;
      ASSERT_EQ(f32_to_fp16(-f), hw_fp16(-f)) << -f;
    }
  }
}

TEST(Bf16, RoundsToNearestEvenAndKeepsNaN) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(f32_from_bits(0x3f808000)), 0x3f80);  // tie, even stays
  EXPECT_EQ(f32_to_bf16(f32_from_bits(0x3f818000)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(f32_to_bf16(f32_from_bits(0x3f808001)), 0x3f81);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(f32_from_bits(0x7f800001)))));  // sNaN stays NaN
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = bf16_to_f32(static_cast<uint16_t>(h));
    if (!std::isnan(f)) {
      EXPECT_EQ(f32_to_bf16(f), h);
    }
  }
}

}  // namespace
}  // namespace amxlab
