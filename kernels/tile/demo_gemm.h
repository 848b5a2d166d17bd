// A small int8 tile GEMM written ONCE against the tile API and run on both backends:
// emulated in the tests (any CPU), native in the AMX cross-check (native_crosscheck.cpp).
// It is the proof of the single-source design and a template for real kernels.
//
//   C[M][N] (int32, overwritten) = A[M][K] (s8, or u8 when AUnsigned) x B[K][N] (s8)
//
// B comes packed in the VNNI layout that TDPB*D reads (pack_b_vnni): K/4 rows of
// N*4 bytes, row k4 holding B[4*k4+i][n] at byte 4*n+i. Constraints: M >= 1 (a last
// block of fewer than 16 rows is handled by re-configuring), N a multiple of 32, K a
// multiple of 64. Blocking: per 16-row block of A and 32 columns of C, two C tiles
// (tmm0, tmm1) accumulate over K in steps of 64 with one A tile (tmm2) and two B tiles
// (tmm4, tmm5): 2 TDPB*D per 3 TILELOADD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/tile/tile.h"

namespace amxlab::tile {

// B[K][N] int8 (row stride ldb elements) -> VNNI layout, K/4 rows of 4*N bytes.
inline std::vector<uint8_t> pack_b_vnni(const int8_t* b, int K, int N, std::ptrdiff_t ldb) {
  require(K % 4 == 0 && K > 0 && N > 0, "pack_b_vnni: K must be a positive multiple of 4");
  std::vector<uint8_t> out(static_cast<std::size_t>(K) * static_cast<std::size_t>(N));
  for (int k4 = 0; k4 < K / 4; ++k4)
    for (int n = 0; n < N; ++n)
      for (int i = 0; i < 4; ++i)
        out[static_cast<std::size_t>(k4) * 4 * N + 4 * static_cast<std::size_t>(n) + i] =
            static_cast<uint8_t>(b[(4 * k4 + i) * ldb + n]);
  return out;
}

inline TileConfig demo_gemm_config(int rows) {
  TileConfig cfg = TileConfig::palette1();
  cfg.set(0, rows, 64).set(1, rows, 64).set(2, rows, 64).set(4, 16, 64).set(5, 16, 64);
  return cfg;
}

// a: M rows of K bytes, row stride lda bytes; b_vnni: K/4 rows of 4*N bytes, stride
// ldb bytes; c: M rows of N int32, row stride ldc elements.
template <bool AUnsigned, class Tiles>
void demo_gemm_int8(Tiles& t, int M, int N, int K, const void* a, std::ptrdiff_t lda, const uint8_t* b_vnni,
                    std::ptrdiff_t ldb, int32_t* c, std::ptrdiff_t ldc) {
  require(M >= 1 && N % 32 == 0 && N > 0 && K % 64 == 0 && K > 0,
          "demo_gemm_int8: needs M >= 1, N a multiple of 32, K a multiple of 64 (M=" + std::to_string(M) +
              " N=" + std::to_string(N) + " K=" + std::to_string(K) + ")");
  require(lda >= K && ldb >= 4 * N && ldc >= N, "demo_gemm_int8: stride smaller than a row");
  const auto* a8 = static_cast<const uint8_t*>(a);
  t.declare_buffer(a8, static_cast<std::size_t>((M - 1) * lda + K), "A", BufferAccess::read);
  t.declare_buffer(b_vnni, static_cast<std::size_t>((K / 4 - 1) * ldb + 4 * N), "B", BufferAccess::read);
  t.declare_buffer(c, static_cast<std::size_t>((M - 1) * ldc + N) * sizeof(int32_t), "C",
                   BufferAccess::write);
  const std::ptrdiff_t ldc_bytes = ldc * static_cast<std::ptrdiff_t>(sizeof(int32_t));
  int configured_rows = 0;
  for (int m0 = 0; m0 < M; m0 += 16) {
    const int rows = M - m0 < 16 ? M - m0 : 16;
    if (rows != configured_rows) {
      t.configure(demo_gemm_config(rows));
      configured_rows = rows;
    }
    for (int n0 = 0; n0 < N; n0 += 32) {
      t.template zero<0>();
      t.template zero<1>();
      for (int k0 = 0; k0 < K; k0 += 64) {
        t.template loadd<2>(a8 + m0 * lda + k0, lda);
        const uint8_t* bk = b_vnni + (k0 / 4) * ldb;
        t.template loadd<4>(bk + 4 * n0, ldb);
        t.template loadd<5>(bk + 4 * (n0 + 16), ldb);
        if constexpr (AUnsigned) {
          t.template dpbusd<0, 2, 4>();
          t.template dpbusd<1, 2, 5>();
        } else {
          t.template dpbssd<0, 2, 4>();
          t.template dpbssd<1, 2, 5>();
        }
      }
      t.template stored<0>(c + m0 * ldc + n0, ldc_bytes);
      t.template stored<1>(c + m0 * ldc + n0 + 16, ldc_bytes);
    }
  }
  t.release();
}

}  // namespace amxlab::tile
