// The demo GEMM, written once over the tile API (kernels/tile/demo_gemm.h), run on the
// emulator against a scalar integer GEMM. (native_crosscheck.cpp runs the same source
// on NativeTiles where AMX exists.)
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "kernels/tile/demo_gemm.h"
#include "kernels/tile/emulator.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

using testing::make_emulator;

template <bool AUnsigned>
void check_demo(int M, int N, int K, int lda_pad, std::mt19937_64& rng) {
  const int lda = K + lda_pad, ldc = N + 3;
  std::vector<uint8_t> a(static_cast<std::size_t>(M) * lda);
  std::vector<int8_t> b(static_cast<std::size_t>(K) * N);
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  for (auto& v : b) v = static_cast<int8_t>(static_cast<uint8_t>(rng()));
  const std::vector<uint8_t> bp = pack_b_vnni(b.data(), K, N, N);
  std::vector<int32_t> c(static_cast<std::size_t>(M) * ldc, 0x11111111);
  EmulatedTiles t = make_emulator();
  demo_gemm_int8<AUnsigned>(t, M, N, K, a.data(), lda, bp.data(), 4 * N, c.data(), ldc);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < ldc; ++n) {
      if (n >= N) {
        ASSERT_EQ(c[m * ldc + n], 0x11111111) << "wrote outside C";
        continue;
      }
      int64_t s = 0;
      for (int k = 0; k < K; ++k) {
        const int64_t av = AUnsigned ? static_cast<int64_t>(a[m * lda + k])
                                     : static_cast<int64_t>(static_cast<int8_t>(a[m * lda + k]));
        s += av * static_cast<int64_t>(b[k * N + n]);
      }
      ASSERT_EQ(c[m * ldc + n], static_cast<int32_t>(s))
          << "M=" << M << " N=" << N << " K=" << K << " at " << m << "," << n;
    }
  // The last row block is configured with its real rows, so no padded work: M*N*K.
  EXPECT_EQ(t.counters().int8_macs, static_cast<uint64_t>(M) * N * K);
  EXPECT_FALSE(t.configured());  // released
}

TEST(TileDemo, GemmS8MatchesScalar) {
  std::mt19937_64 rng(5);
  for (int M : {1, 5, 16, 17, 37})
    for (int N : {32, 64})
      for (int K : {64, 192}) {
        check_demo<false>(M, N, K, M % 3, rng);
        if (::testing::Test::HasFatalFailure()) return;
      }
}

TEST(TileDemo, GemmU8MatchesScalar) {
  std::mt19937_64 rng(6);
  for (int M : {3, 16, 33})
    for (int N : {32, 96})
      for (int K : {64, 128}) {
        check_demo<true>(M, N, K, 1, rng);
        if (::testing::Test::HasFatalFailure()) return;
      }
}

TEST(TileDemo, RejectsUnsupportedShapes) {
  EmulatedTiles t = make_emulator();
  std::vector<uint8_t> a(64), bp(64 * 48);
  std::vector<int32_t> c(48);
  EXPECT_THROW(demo_gemm_int8<false>(t, 1, 48, 64, a.data(), 64, bp.data(), 4 * 48, c.data(), 48), Error);
}

}  // namespace
}  // namespace amxlab::tile
