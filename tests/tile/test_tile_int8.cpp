// The emulated int8 tile dot products against a naive scalar loop written here, on
// every valid shape (M 1..16, N 1..16 dwords, K 1..16 dwords) for all four
// signedness combinations, random and extreme operands; plus zeroing beyond the
// configured shape after loads and dot products, and hand-computed wrap-around.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/core/fpenv.h"
#include "kernels/tile/emulator.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

using testing::expect_fault;
using testing::load_u32;
using testing::make_emulator;

const TileOp kInt8Ops[] = {TileOp::tdpbssd, TileOp::tdpbsud, TileOp::tdpbusd, TileOp::tdpbuud};

// Naive reference, independent of the emulator's helpers: int64 sums, then wrap.
int64_t byte_value(uint8_t v, bool is_signed) {
  return is_signed ? static_cast<int64_t>(static_cast<int8_t>(v)) : static_cast<int64_t>(v);
}

std::vector<uint32_t> naive_dp(TileOp op, int M, int N, int K, const std::vector<uint32_t>& c,
                               const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  const bool as = op == TileOp::tdpbssd || op == TileOp::tdpbsud;
  const bool bs = op == TileOp::tdpbssd || op == TileOp::tdpbusd;
  std::vector<uint32_t> out(c);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      int64_t s = static_cast<int64_t>(static_cast<int32_t>(c[m * N + n]));
      for (int k = 0; k < K; ++k)
        for (int i = 0; i < 4; ++i)
          s += byte_value(a[m * 4 * K + 4 * k + i], as) * byte_value(b[k * 4 * N + 4 * n + i], bs);
      out[m * N + n] = static_cast<uint32_t>(static_cast<uint64_t>(s));
    }
  return out;
}

void run_dp(EmulatedTiles& t, TileOp op) {
  switch (op) {
    case TileOp::tdpbssd: t.dpbssd<0, 1, 2>(); break;
    case TileOp::tdpbsud: t.dpbsud<0, 1, 2>(); break;
    case TileOp::tdpbusd: t.dpbusd<0, 1, 2>(); break;
    default: t.dpbuud<0, 1, 2>(); break;
  }
}

// One dot product of shape (M, N, K) through memory with padded strides; checks the
// result, the bytes around the stored C, and the zeroed parts of the C tile.
void check_shape(TileOp op, int M, int N, int K, bool extreme, std::mt19937_64& rng) {
  std::vector<uint8_t> a(static_cast<std::size_t>(M) * 4 * K), b(static_cast<std::size_t>(K) * 4 * N);
  std::vector<uint32_t> c(static_cast<std::size_t>(M) * N);
  const uint8_t ext[] = {0x80, 0x7f, 0xff, 0x00, 0x01};
  const uint32_t ext_c[] = {0x80000000u, 0x7fffffffu, 0u, 0xffffffffu};
  for (auto& v : a) v = extreme ? ext[rng() % 5] : static_cast<uint8_t>(rng());
  for (auto& v : b) v = extreme ? ext[rng() % 5] : static_cast<uint8_t>(rng());
  for (auto& v : c) v = extreme ? ext_c[rng() % 4] : static_cast<uint32_t>(rng());

  // Memory images with row strides larger than the rows (padding filled with 0xEE).
  const std::ptrdiff_t sa = 4 * K + 3, sb = 4 * N + 5, sc = 4 * N + 12;
  std::vector<uint8_t> ma(static_cast<std::size_t>(M * sa), 0xee), mb(static_cast<std::size_t>(K * sb), 0xee),
      mc(static_cast<std::size_t>(M * sc), 0xee);
  for (int m = 0; m < M; ++m) std::memcpy(&ma[m * sa], &a[m * 4 * K], 4 * K);
  for (int k = 0; k < K; ++k) std::memcpy(&mb[k * sb], &b[k * 4 * N], 4 * N);
  for (int m = 0; m < M; ++m) std::memcpy(&mc[m * sc], &c[m * N], 4 * N);
  std::vector<uint8_t> out(mc.size() + 32, 0x5a);

  EmulatedTiles t = make_emulator();
  t.declare_buffer(ma.data(), ma.size(), "A", BufferAccess::read);
  t.declare_buffer(mb.data(), mb.size(), "B", BufferAccess::read);
  t.declare_buffer(mc.data(), mc.size(), "C", BufferAccess::read);
  t.declare_buffer(out.data(), out.size(), "out", BufferAccess::write);
  t.configure(TileConfig::palette1().set(0, M, 4 * N).set(1, M, 4 * K).set(2, K, 4 * N));
  t.loadd<0>(mc.data(), sc);
  t.loadd<1>(ma.data(), sa);
  t.loadd<2>(mb.data(), sb);
  run_dp(t, op);
  t.stored<0>(out.data() + 16, sc);

  const std::vector<uint32_t> want = naive_dp(op, M, N, K, c, a, b);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n)
      ASSERT_EQ(load_u32(&out[16 + m * sc + 4 * n]), want[m * N + n])
          << tile_op_name(op) << " M=" << M << " N=" << N << " K=" << K << " at (" << m << "," << n << ")";
  // Bytes the store must not touch: the padding of each row and the guards.
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::ptrdiff_t rel = static_cast<std::ptrdiff_t>(i) - 16;
    const bool inside = rel >= 0 && rel / sc < M && rel % sc < 4 * N;
    if (!inside) {
      ASSERT_EQ(out[i], 0x5a) << "store wrote byte " << i << " outside the footprint";
    }
  }
  // Hardware zeroes the C tile beyond its rows / colsb after the op.
  const uint8_t* tc = t.tile_data(0);
  for (int r = 0; r < kMaxRows; ++r)
    for (int cb = 0; cb < kMaxColsb; ++cb)
      if (r >= M || cb >= 4 * N) {
        ASSERT_EQ(tc[r * kMaxColsb + cb], 0) << "C tile byte " << r << "," << cb;
      }
}

TEST(TileInt8, EveryShapeEveryOpMatchesNaiveLoop) {
  std::mt19937_64 rng(12345);
  for (TileOp op : kInt8Ops)
    for (int M = 1; M <= 16; ++M)
      for (int N = 1; N <= 16; ++N)
        for (int K = 1; K <= 16; ++K) {
          check_shape(op, M, N, K, (M + N + K) % 3 == 0, rng);
          if (::testing::Test::HasFatalFailure()) return;
        }
  EXPECT_TRUE(mxcsr_is_default());
}

TEST(TileInt8, ExtremeOperandsOnFullTiles) {
  std::mt19937_64 rng(99);
  for (TileOp op : kInt8Ops)
    for (int rep = 0; rep < 20; ++rep) {
      check_shape(op, 16, 16, 16, true, rng);
      if (::testing::Test::HasFatalFailure()) return;
    }
}

// Hand-computed wrap-around on a full tile (K = 16 dwords = 64 byte products):
//  TDPBUSD, A = 255 (u8), B = -128 (s8): each C += 64 * 255 * (-128) = -2088960;
//    C = INT32_MIN + 5 = -2147483643 -> -2149572603, + 2^32 = 2145394693.
//  TDPBSSD, A = B = -128: each C += 64 * 16384 = 1048576;
//    C = INT32_MAX = 2147483647 -> 2148532223, - 2^32 = -2146435073.
TEST(TileInt8, HandComputedWrapAround) {
  struct Case {
    TileOp op;
    uint8_t a, b;
    int32_t c0, want;
  };
  const Case cases[] = {{TileOp::tdpbusd, 0xff, 0x80, INT32_MIN + 5, 2145394693},
                        {TileOp::tdpbssd, 0x80, 0x80, INT32_MAX, -2146435073}};
  for (const Case& cs : cases) {
    std::vector<uint8_t> a(1024, cs.a), b(1024, cs.b);
    std::vector<int32_t> c(256, cs.c0), out(256, 0);
    EmulatedTiles t = make_emulator();
    t.declare_buffer(a.data(), a.size(), "A");
    t.declare_buffer(b.data(), b.size(), "B");
    t.declare_buffer(c.data(), 1024, "C");
    t.declare_buffer(out.data(), 1024, "out");
    t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64).set(2, 16, 64));
    t.loadd<0>(c.data(), 64);
    t.loadd<1>(a.data(), 64);
    t.loadd<2>(b.data(), 64);
    run_dp(t, cs.op);
    t.stored<0>(out.data(), 64);
    for (int32_t v : out) ASSERT_EQ(v, cs.want) << tile_op_name(cs.op);
  }
}

TEST(TileInt8, LoadZeroesBeyondRowsAndColsb) {
  std::vector<uint8_t> src(16 * 80, 0xff);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(src.data(), src.size(), "src");
  for (int rows = 1; rows <= 16; rows += 5)
    for (int colsb = 4; colsb <= 64; colsb += 12) {  // whole dwords: loads of others #UD
      t.configure(TileConfig::palette1().set(3, 16, 64));
      t.loadd<3>(src.data(), 80);  // fill the whole register with 0xff
      t.configure(TileConfig::palette1().set(3, rows, colsb));
      t.loadd<3>(src.data(), 80);  // rows x colsb of 0xff, the rest must be 0
      const uint8_t* d = t.tile_data(3);
      for (int r = 0; r < kMaxRows; ++r)
        for (int cb = 0; cb < kMaxColsb; ++cb)
          ASSERT_EQ(d[r * kMaxColsb + cb], (r < rows && cb < colsb) ? 0xff : 0)
              << rows << "x" << colsb << " at " << r << "," << cb;
    }
}

// After a dot product every byte of C outside C.rows x C.colsb is zero (as hardware
// zeroes the upper part). Within one configuration a tile never holds bytes outside
// its shape, so this checks that the op writes nothing beyond it.
TEST(TileInt8, DotProductZeroesBeyondRowsAndColsb) {
  std::vector<uint8_t> ones(16 * 64, 1);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(ones.data(), ones.size(), "ones");
  t.configure(TileConfig::palette1().set(0, 3, 8).set(1, 3, 64).set(2, 16, 8));
  t.loadd<0>(ones.data(), 64);
  t.loadd<1>(ones.data(), 64);
  t.loadd<2>(ones.data(), 8);
  t.dpbuud<0, 1, 2>();
  const uint8_t* d = t.tile_data(0);
  for (int r = 0; r < kMaxRows; ++r)
    for (int cb = 0; cb < kMaxColsb; ++cb) {
      if (r < 3 && cb < 8) continue;
      ASSERT_EQ(d[r * kMaxColsb + cb], 0) << r << "," << cb;
    }
  // Inside: 0x01010101 + 64 products of 1*1 = 16843009 + 64.
  EXPECT_EQ(load_u32(d), 0x01010101u + 64u);
}

TEST(TileInt8, ZeroAndReleaseAndNegativeStride) {
  std::vector<uint8_t> src(4 * 16);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<uint8_t>(i);
  std::vector<uint8_t> dst(4 * 16, 0);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(src.data(), src.size(), "src");
  t.declare_buffer(dst.data(), dst.size(), "dst");
  t.configure(TileConfig::palette1().set(5, 4, 16));
  // Negative stride: row r comes from src + 48 - 16 r (rows reversed).
  t.loadd<5>(src.data() + 48, -16);
  t.stored<5>(dst.data(), 16);
  for (int r = 0; r < 4; ++r)
    for (int i = 0; i < 16; ++i) ASSERT_EQ(dst[r * 16 + i], src[(3 - r) * 16 + i]);
  t.zero<5>();
  for (int i = 0; i < kTileBytes; ++i) ASSERT_EQ(t.tile_data(5)[i], 0);
  t.release();
  EXPECT_FALSE(t.configured());
  expect_fault([&] { t.zero<5>(); }, {"TILEZERO tmm5", "tiles are not configured"});
}

}  // namespace
}  // namespace amxlab::tile
