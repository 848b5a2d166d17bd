// TDPBF16PS in every order variant against hand-worked examples.
// Expected values are worked out in the comments, not printed from the code.
//
// Notation: a pair is (even, odd); the tile computes C += A.pair . B.pair per K dword.
// bf16 encodings used (sign | exponent | 7 mantissa bits; value = fp32 bits << 16):
//   1.0 = 0x3f80, -1.0 = 0xbf80, 2^-12 = 0x3980, 2^-30 = 0x3080,
//   2^-62 = 0x2080, 2^-63 = 0x2000, -2^-64 = 0x9f80, 2^-75 = 0x1a00, -2^-75 = 0x9a00,
//   2^-76 = 0x1980, -2^-76 = 0x9980, 2^100 = 0x7180, denormal 0x0001 = 2^-133.
// fp32: 1.0 = 0x3f800000, 2^-30 = 0x30800000, 2^-125 = 0x01000000,
//   2^-126 = 0x00800000 (FLT_MIN), 2^-127 = 0x00400000 (denormal), 1+2^-23 = 0x3f800001.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/core/fpenv.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/emulator.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

using testing::make_emulator;

// Runs one TDPBF16PS on a 1 x 1 C with K = `pairs` pairs; a, b hold 2*pairs bf16
// (even, odd, even, odd, ...). Returns C's fp32 bits.
uint32_t tile_dp(uint32_t acc, std::vector<uint16_t> a, std::vector<uint16_t> b, Bf16Order order) {
  const int pairs = static_cast<int>(a.size() / 2);
  // B in the VNNI layout: row k holds the pair for K dword k (one output column).
  EmulatorOptions opt;
  opt.bf16_order = order;
  EmulatedTiles t = make_emulator(opt);
  uint32_t out = 0xdeadbeefu;
  t.declare_buffer(&acc, 4, "C", BufferAccess::read);
  t.declare_buffer(a.data(), 2 * a.size(), "A", BufferAccess::read);
  t.declare_buffer(b.data(), 2 * b.size(), "B", BufferAccess::read);
  t.declare_buffer(&out, 4, "out", BufferAccess::write);
  t.configure(TileConfig::palette1().set(0, 1, 4).set(1, 1, 4 * pairs).set(2, pairs, 4));
  t.loadd<0>(&acc, 4);
  t.loadd<1>(a.data(), 4 * pairs);
  t.loadd<2>(b.data(), 4);
  t.dpbf16ps<0, 1, 2>();
  t.stored<0>(&out, 4);
  return out;
}

struct Expect {
  uint32_t odd_then_even, even_then_odd, separate;
};

void check_all_orders(uint32_t acc, const std::vector<uint16_t>& a, const std::vector<uint16_t>& b,
                      Expect e) {
  EXPECT_EQ(tile_dp(acc, a, b, Bf16Order::odd_then_even_fma), e.odd_then_even) << "odd_then_even_fma";
  EXPECT_EQ(tile_dp(acc, a, b, Bf16Order::even_then_odd_fma), e.even_then_odd) << "even_then_odd_fma";
  EXPECT_EQ(tile_dp(acc, a, b, Bf16Order::separate_sums), e.separate) << "separate_sums";
}

// acc = 1, even pair 2^-30 * 1, odd pair 1 * -1.
//  odd first:  fma(1,-1,1) = +0 exactly; fma(2^-30,1,+0) = 2^-30          -> 0x30800000
//  even first: fma(2^-30,1,1) = 1 + 2^-30 rounds to 1; fma(1,-1,1) = +0      -> 0x00000000
//  separate:   even = 2^-30, odd = -1; even + odd = -1 + 2^-30 rounds to -1
//              (ulp below 1 is 2^-24); acc + (-1) = +0                        -> 0x00000000
TEST(TileBf16, OrderDecidesCancellation) {
  check_all_orders(0x3f800000u, {0x3080, 0x3f80}, {0x3f80, 0xbf80}, {0x30800000u, 0u, 0u});
}

// K = 2 pairs, acc = 1, odd products 2^-12 * 2^-12 = 2^-24 in both, even products 0.
//  sequential (both orders): 1 + 2^-24 is a tie between 1 and 1 + 2^-23, to even: 1;
//              twice                                                           -> 0x3f800000
//  separate:   odd = 2^-24 + 2^-24 = 2^-23 (exact), even = 0, sum 2^-23;
//              1 + 2^-23 is representable                                      -> 0x3f800001
TEST(TileBf16, SeparateSumsAccumulatesPairsApart) {
  check_all_orders(0x3f800000u, {0x0000, 0x3980, 0x0000, 0x3980}, {0x0000, 0x3980, 0x0000, 0x3980},
                   {0x3f800000u, 0x3f800000u, 0x3f800001u});
}

// Denormal bf16 input: odd pair 0x0001 (2^-133) * 2^100 would be 2^-33, but DAZ makes
// the factor +0: +0 * 2^100 + acc(+0) = +0 in every order (without DAZ: 0x2f000000).
TEST(TileBf16, DenormalInputIsZero) {
  check_all_orders(0u, {0x0000, 0x0001}, {0x0000, 0x7180}, {0u, 0u, 0u});
}

// Denormal fp32 accumulator: acc = 2^-127 is treated as +0 (DAZ on every input);
// odd product 2^-62 * 2^-63 = 2^-125, so the result is 2^-125 = 0x01000000 in every
// order (without DAZ on acc: 1.25 * 2^-125 = 0x01200000).
//  separate: odd = 2^-125, even = +0, sum 2^-125; acc(+0) + 2^-125 = 2^-125.
TEST(TileBf16, DenormalAccumulatorIsZero) {
  check_all_orders(0x00400000u, {0x0000, 0x2080}, {0x0000, 0x2000}, {0x01000000u, 0x01000000u, 0x01000000u});
}

// Underflowing output: acc = 2^-126, odd product 2^-63 * -2^-64 = -2^-127.
//  sequential: 2^-126 - 2^-127 = 2^-127, tiny -> flushed to +0; the even step
//              +0 * +0 + +0 = +0                                               -> 0x00000000
//  separate:   odd = -2^-127 is itself tiny -> -0; even = +0; +0 + -0 = +0;
//              acc + 0 = 2^-126                                                -> 0x00800000
TEST(TileBf16, UnderflowingOutputIsFlushed) {
  check_all_orders(0x00800000u, {0x0000, 0x2000}, {0x0000, 0x9f80}, {0u, 0u, 0x00800000u});
}

// Tininess is detected after rounding (measured on VDPBF16PS, see arith.h):
// acc = 2^-126, odd product 2^-75 * -2^-75 = -2^-150.
//  sequential: exact 2^-126 - 2^-150 has 24 significant bits (2^-127 .. 2^-150), so
//              rounding with unbounded exponent keeps it below 2^-126: tiny -> +0.
//              (Rounding to the denormal grid first would give the tie 2^-126.)  -> 0
//  separate:   odd = -2^-150 tiny -> -0; acc + (+0 + -0) = 2^-126              -> 0x00800000
// With odd product -2^-152 = 2^-76 * -2^-76 the exact 2^-126 - 2^-152 rounds (24 bits)
// up to 2^-126: not tiny -> 0x00800000 in every order.
TEST(TileBf16, TininessAfterRounding) {
  check_all_orders(0x00800000u, {0x0000, 0x1a00}, {0x0000, 0x9a00}, {0u, 0u, 0x00800000u});
  check_all_orders(0x00800000u, {0x0000, 0x1980}, {0x0000, 0x9980}, {0x00800000u, 0x00800000u, 0x00800000u});
}

// NaN rule (measured): first NaN among (a, b, acc) of each fused step, quieted.
// a_even = qNaN 0x7fc1, a_odd = qNaN 0x7fc5, b = (1, 1), acc = 1.
//  odd first: step 1 gives 0x7fc50000; step 2 a_even is NaN -> 0x7fc10000
//  even first: step 1 gives 0x7fc10000; step 2 a_odd is NaN -> 0x7fc50000
//  separate: even = 0x7fc10000, odd = 0x7fc50000, even + odd -> even's 0x7fc10000;
//            acc + that -> 0x7fc10000
// Inf * 0 (no NaN operand): the default NaN 0xffc00000 in every order.
TEST(TileBf16, NaNPrecedenceAndDefaultNaN) {
  check_all_orders(0x3f800000u, {0x7fc1, 0x7fc5}, {0x3f80, 0x3f80}, {0x7fc10000u, 0x7fc50000u, 0x7fc10000u});
  check_all_orders(0x3f800000u, {0x3f80, 0x7f80}, {0x3f80, 0x0000}, {0xffc00000u, 0xffc00000u, 0xffc00000u});
  // Signalling NaN is quieted, payload kept: 0x7f81 -> 0x7fc10000.
  check_all_orders(0x3f800000u, {0x3f80, 0x7f81}, {0x3f80, 0x3f80}, {0x7fc10000u, 0x7fc10000u, 0x7fc10000u});
}

TEST(TileBf16, TheEmulatorFollowsTheSiliconsOrders) {
  // TDPBF16PS: separate sums per instruction (measured on Emerald Rapids; the probes in
  // tests/data/tile replay it below); VDPBF16PS: odd then even (measured on Zen 5).
  EXPECT_EQ(kDefaultBf16Order, Bf16Order::separate_sums);
  EXPECT_EQ(EmulatorOptions{}.bf16_order, Bf16Order::separate_sums);
  EXPECT_EQ(kVdpbf16psOrder, Bf16Order::odd_then_even_fma);
}

TEST(TileBf16, NeedsDefaultMxcsrAndLeavesItAlone) {
  ASSERT_TRUE(mxcsr_is_default());
  EXPECT_EQ(tile_dp(0x3f800000u, {0x3f80, 0x3f80}, {0x3f80, 0x3f80}, kDefaultBf16Order),
            0x40400000u);  // 1+1+1
  EXPECT_TRUE(mxcsr_is_default());
  set_default_mxcsr();
  _mm_setcsr(kDefaultMxcsr | 0x8040u);  // FTZ | DAZ
  try {
    (void)tile_dp(0x3f800000u, {0x3f80, 0x3f80}, {0x3f80, 0x3f80}, kDefaultBf16Order);
    ADD_FAILURE() << "expected an Error about MXCSR";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("default MXCSR"), std::string::npos) << e.what();
  }
  set_default_mxcsr();
}

// A full 16 x 16 x 32-pair tile agrees with the shared per-element rule applied by
// hand in K order (the tile's indexing: A row m pairs, B row k column n pairs).
TEST(TileBf16, FullTileIndexing) {
  std::vector<uint16_t> a(16 * 32), b(16 * 32);
  std::vector<uint32_t> c(16 * 16), out(16 * 16);
  uint32_t x = 1;
  auto next = [&x] {
    x = x * 1664525u + 1013904223u;
    return x;
  };
  for (auto& v : a) v = static_cast<uint16_t>(0x3c00u + (next() >> 20) % 0x0400u);  // ~2^-7..2^1
  for (auto& v : b)
    v = static_cast<uint16_t>(((next() >> 8) & 0x8000u) | (0x3c00u + (next() >> 20) % 0x0400u));
  for (auto& v : c) v = 0x3f800000u + (next() >> 12);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(a.data(), 2 * a.size(), "A");
  t.declare_buffer(b.data(), 2 * b.size(), "B");
  t.declare_buffer(c.data(), 4 * c.size(), "C");
  t.declare_buffer(out.data(), 4 * out.size(), "out");
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64).set(2, 16, 64));
  t.loadd<0>(c.data(), 64);
  t.loadd<1>(a.data(), 64);
  t.loadd<2>(b.data(), 64);
  t.dpbf16ps<0, 1, 2>();
  t.stored<0>(out.data(), 64);
  for (int m = 0; m < 16; ++m)
    for (int n = 0; n < 16; ++n) {
      // The silicon's order (separate even and odd sums, then C + (even + odd)).
      uint32_t even = 0, odd = 0;
      for (int k = 0; k < 16; ++k) {
        const uint16_t ae = a[m * 32 + 2 * k], ao = a[m * 32 + 2 * k + 1];
        const uint16_t be = b[k * 32 + 2 * n], bo = b[k * 32 + 2 * n + 1];
        even = fma_daz_ftz(bf16_bits_to_f32_bits(ae), bf16_bits_to_f32_bits(be), even);
        odd = fma_daz_ftz(bf16_bits_to_f32_bits(ao), bf16_bits_to_f32_bits(bo), odd);
      }
      const uint32_t acc = add_daz_ftz(c[m * 16 + n], add_daz_ftz(even, odd));
      ASSERT_EQ(out[m * 16 + n], acc) << m << "," << n;
    }
}

}  // namespace
}  // namespace amxlab::tile
