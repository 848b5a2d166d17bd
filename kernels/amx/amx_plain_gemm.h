// The AMX GEMM of the plain types on oneDNN's terms: s8 x s8 -> s32 (TDPBSSD), u8 x s8 ->
// s32 (TDPBUSD) and bf16 x bf16 -> f32 (TDPBF16PS), over the panel32 layout
// (kernels/pack/panel_pack.h), written ONCE over the tile backend and instantiated
// natively (amx_gemm_native.cpp) and on the strict emulator (amx_gemm_emulated.cpp).
// Include only from those two translation units (internal linkage below).
//
// Tile register map (palette 1): one 32 x 32 output tile (one panel), K in steps of 16
// units (64 bytes of every row and column):
//
//                               tmm6: B, columns 0..15  tmm7: B, columns 16..31
//                               16 unit rows x 64 B     (the panel's unit rows at
//                                                       stride 128: bytes 0..63 / 64..127)
//                              +-----------------------+-----------------------+
//   tmm4: A, rows m..m+15      | tmm0: C  16 x 16      | tmm1: C               |
//   16 rows x 64 B, straight   |                       |                       |
//   from the activation rows   +-----------------------+-----------------------+
//   tmm5: A, rows m+16..m+31   | tmm2: C               | tmm3: C               |
//                              +-----------------------+-----------------------+
//
// The C tiles accumulate over the whole of K (int32 exact; fp32 in TDPBF16PS's order,
// which per output is the order of the AVX-512 BF16 kernel: reference/golden/
// kernel_models.h), then go through a 32 x 32 scratch to the slice's columns of dst.
// K tail (units % 16): C is stored, the tail configuration (A 4 * tail bytes, B tail
// rows) loaded - LDTILECFG zeroes every tile - C reloaded, the last step run, and the
// main configuration restored for the next output tile. No weight byte past the panel
// and no activation byte past the row is read. The activations are read in place
// (s8 stays s8: TDPBSSD needs no compensation), copied only when K ends inside a unit.
// M tail: the lower half is configured with the rows left (none: tmm5/2/3 unused).
// Loop order: chunks of 4 panels (128 columns), then 32-row tiles, then the panels of
// the chunk: the chunk's weights stay in cache while the rows pass.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/amx/amx_kernels.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/plain/plain_kernels.h"
#include "kernels/plain/plain_raw.h"
#include "kernels/tile/tile.h"

namespace amxlab::amx {
namespace {

inline constexpr int64_t kPlainChunkPanels = 4;
inline constexpr int kStepUnits = 16;  // K units per tile step (64 bytes)

// Main (units = 16) or tail configuration for a row tile of r0 + r1 rows.
inline tile::TileConfig plain_tile_config(int r0, int r1, int units) {
  tile::TileConfig c = tile::TileConfig::palette1();
  c.set(0, r0, 64).set(1, r0, 64).set(4, r0, 4 * units);
  if (r1 > 0) c.set(2, r1, 64).set(3, r1, 64).set(5, r1, 4 * units);
  c.set(6, units, 64).set(7, units, 64);
  return c;
}

template <QType WT, class Tiles>
void plain_dp(Tiles& t, bool lower) {
  const auto dp = [&t]<int C, int A, int B>() {
    if constexpr (WT == QType::S8) {
      t.template dpbssd<C, A, B>();
    } else if constexpr (WT == QType::U8) {
      t.template dpbusd<C, A, B>();
    } else {
      t.template dpbf16ps<C, A, B>();
    }
  };
  dp.template operator()<0, 4, 6>();
  dp.template operator()<1, 4, 7>();
  if (lower) {
    dp.template operator()<2, 5, 6>();
    dp.template operator()<3, 5, 7>();
  }
}

// A and B tiles of one K step at unit u, then the dot products.
template <QType WT, class Tiles>
void plain_step(Tiles& t, const std::byte* a, std::ptrdiff_t pitch, const std::byte* panel, int64_t u,
                bool lower) {
  constexpr std::ptrdiff_t kUnitRow = 128;
  t.template loadd<4>(a + 4 * u, pitch);
  if (lower) t.template loadd<5>(a + 16 * pitch + 4 * u, pitch);
  t.template loadd<6>(panel + u * kUnitRow, kUnitRow);
  t.template loadd<7>(panel + u * kUnitRow + 64, kUnitRow);
  plain_dp<WT>(t, lower);
}

// The C tiles to (Store) or from the 32 x 32 scratch c (row stride 32 elements).
template <bool Store, class Tiles>
void plain_move_c(Tiles& t, uint32_t* c, bool lower) {
  constexpr std::ptrdiff_t kCStride = 32 * 4;
  const auto move = [&]<int T>(uint32_t* at) {
    if constexpr (Store) {
      t.template stored<T>(at, kCStride);
    } else {
      t.template loadd<T>(at, kCStride);
    }
  };
  move.template operator()<0>(c);
  move.template operator()<1>(c + 16);
  if (lower) {
    move.template operator()<2>(c + 16 * 32);
    move.template operator()<3>(c + 16 * 32 + 16);
  }
}

template <QType WT, class Tiles>
void plain_gemm_slice(Tiles& t, const char* kernel, const PackedWeights& w, const ActivationView& a,
                      const OutputView& y, const Slice& s) {
  plain::raw::PanelArgs g;
  if (!plain::check_panel_run(WT, kernel, w, a, y, s, g)) return;
  bool count_only = false;
  if constexpr (!Tiles::is_native) count_only = t.options().count_only;
  // Whole 4-byte units of every row (a copy only when K ends inside one; s8 stays s8:
  // TDPBSSD needs no + 128).
  plain::whole_unit_rows(
      g, false,
      reinterpret_cast<std::byte*>(kernel_args::thread_scratch(plain::whole_unit_copy_bytes(g, false) / 4)));
  const std::byte* act = g.a;
  const auto pitch = static_cast<std::ptrdiff_t>(g.a_stride);
  const size_t row_bytes_used = static_cast<size_t>(g.units) * 4;
  alignas(64) uint32_t c[32 * 32];
  t.declare_buffer(act, static_cast<size_t>(g.rows - 1) * static_cast<size_t>(pitch) + row_bytes_used,
                   "activations", tile::BufferAccess::read);
  t.declare_buffer(w.bytes().data(), w.bytes().size(), "packed weights", tile::BufferAccess::read);
  t.declare_buffer(c, sizeof c, "32 x 32 output scratch", tile::BufferAccess::read_write);

  const int64_t full = g.units / kStepUnits, tail = g.units % kStepUnits;
  const int64_t p_begin = g.n0 / 32, p_end = (g.n1 + 31) / 32;
  int cfg0 = -1, cfg1 = -1;
  for (int64_t chunk = p_begin; chunk < p_end; chunk += kPlainChunkPanels) {
    const int64_t chunk_end = std::min(chunk + kPlainChunkPanels, p_end);
    for (int64_t m = 0; m < g.rows; m += 32) {
      const int rows = static_cast<int>(std::min<int64_t>(32, g.rows - m));
      const int r0 = std::min(rows, 16), r1 = rows - r0;
      const bool lower = r1 > 0;
      const std::byte* am = act + m * pitch;
      for (int64_t p = chunk; p < chunk_end; ++p) {
        if (r0 != cfg0 || r1 != cfg1) {
          t.configure(plain_tile_config(r0, r1, kStepUnits));
          cfg0 = r0;
          cfg1 = r1;
        }
        const std::byte* panel = g.w + static_cast<size_t>(p) * g.panel_bytes;
        t.template zero<0>();
        t.template zero<1>();
        if (lower) {
          t.template zero<2>();
          t.template zero<3>();
        }
        for (int64_t step = 0; step < full; ++step)
          plain_step<WT>(t, am, pitch, panel, step * kStepUnits, lower);
        if (tail != 0) {
          plain_move_c<true>(t, c, lower);
          t.configure(plain_tile_config(r0, r1, static_cast<int>(tail)));
          cfg0 = -1;  // the main configuration is restored for the next tile
          plain_move_c<false>(t, c, lower);
          plain_step<WT>(t, am, pitch, panel, full * kStepUnits, lower);
        }
        plain_move_c<true>(t, c, lower);
        if (count_only) continue;
        const int64_t lo = std::max<int64_t>(g.n0 - 32 * p, 0), hi = std::min<int64_t>(g.n1 - 32 * p, 32);
        auto* out = static_cast<std::byte*>(g.y) + (static_cast<size_t>(m) * g.y_stride + 32 * p + lo) * 4;
        for (int r = 0; r < rows; ++r)
          std::memcpy(out + static_cast<size_t>(r) * g.y_stride * 4, c + r * 32 + lo,
                      static_cast<size_t>(hi - lo) * 4);
      }
    }
  }
  t.release();
}

}  // namespace
}  // namespace amxlab::amx
