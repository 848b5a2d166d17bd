// The tile ISA layer: one API, two backends.
//
// A tile kernel is written once as a template over a backend type `Tiles`:
//
//   template <class Tiles>
//   void kernel(Tiles& t, const int8_t* a, ...) {
//     t.declare_buffer(a, a_bytes, "A");        // emulator: bounds of every load/store
//     t.configure(cfg);                          // LDTILECFG
//     t.template zero<0>();                      // TILEZERO tmm0
//     t.template loadd<4>(a, lda);               // TILELOADD tmm4, [a + lda*row]
//     t.template dpbssd<0, 4, 6>();              // TDPBSSD tmm0, tmm4, tmm6  (C, A, B)
//     t.template stored<0>(c, ldc);              // TILESTORED [c + ldc*row], tmm0
//     t.release();                               // TILERELEASE
//   }
//
// Backends (same member names, no virtual calls):
//  * NativeTiles   (kernels/tile/native_backend.h): the _tile_* intrinsics; only in
//    translation units compiled with -mamx-tile -mamx-int8 -mamx-bf16; every member is
//    one instruction (declare_buffer is a no-op). Run through run_native(), which
//    checks that AMX is usable first.
//  * EmulatedTiles (kernels/tile/emulator.h): exact SDM semantics plus strict checks
//    (the "AMX sanitizer"), instruction/byte counters, a count-only mode.
//
// Tile numbers are template parameters because the native intrinsics need them as
// compile-time constants. Strides are in bytes (signed). Dot products take
// <C, A, B> = <srcdest, src1, src2> as in the intrinsics:
//   dpbssd (A s8, B s8), dpbsud (A s8, B u8), dpbusd (A u8, B s8), dpbuud (A u8, B u8)
//   -> C int32;  dpbf16ps (bf16 pairs) -> C fp32.
// B is in the VNNI layout: row k holds, for each output column n, the four bytes
// (or two bf16) of K index 4k..4k+3 (2k..2k+1) at bytes 4n..4n+3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "kernels/core/error.h"

namespace amxlab::tile {

inline constexpr int kNumTiles = 8;   // palette 1: TMM0..TMM7
inline constexpr int kMaxRows = 16;   // palette 1: rows per tile
inline constexpr int kMaxColsb = 64;  // palette 1: bytes per row
inline constexpr int kTileBytes = kMaxRows * kMaxColsb;

// The 64-byte LDTILECFG memory operand, laid out as in the SDM:
// byte 0 palette_id, byte 1 start_row, bytes 2-15 reserved (0), bytes 16-31
// colsb[0..7] (uint16, little endian), bytes 32-47 reserved (0), bytes 48-55
// rows[0..7], bytes 56-63 reserved (0).
struct alignas(64) TileConfig {
  uint8_t palette_id = 0;
  uint8_t start_row = 0;
  uint8_t reserved_2_15[14] = {};
  uint16_t colsb[8] = {};
  uint8_t reserved_32_47[16] = {};
  uint8_t rows[8] = {};
  uint8_t reserved_56_63[8] = {};

  // A palette-1 config with every tile unconfigured (rows = colsb = 0).
  static TileConfig palette1() {
    TileConfig c;
    c.palette_id = 1;
    return c;
  }
  // Sets tile `t` to `r` rows of `cb` bytes; returns *this for chaining.
  TileConfig& set(int t, int r, int cb) {
    require(t >= 0 && t < kNumTiles,
            "TileConfig::set: tile number " + std::to_string(t) + " out of range 0..7");
    require(r >= 0 && r <= 255 && cb >= 0 && cb <= 65535,
            "TileConfig::set: rows/colsb do not fit the config fields");
    rows[t] = static_cast<uint8_t>(r);
    colsb[t] = static_cast<uint16_t>(cb);
    return *this;
  }
};
static_assert(sizeof(TileConfig) == 64, "LDTILECFG reads exactly 64 bytes");
static_assert(offsetof(TileConfig, start_row) == 1);
static_assert(offsetof(TileConfig, colsb) == 16);
static_assert(offsetof(TileConfig, reserved_32_47) == 32);
static_assert(offsetof(TileConfig, rows) == 48);
static_assert(offsetof(TileConfig, reserved_56_63) == 56);

// Access a kernel declares for a buffer (emulator checks; native ignores).
enum class BufferAccess : uint8_t { read, write, read_write };

// The instructions of the layer (counters, messages, random programs).
enum class TileOp : uint8_t {
  ldtilecfg,
  tileloadd,
  tilestored,
  tilezero,
  tilerelease,
  tdpbssd,
  tdpbsud,
  tdpbusd,
  tdpbuud,
  tdpbf16ps,
};
inline constexpr int kNumTileOps = 10;

inline const char* tile_op_name(TileOp op) {
  switch (op) {
    case TileOp::ldtilecfg: return "LDTILECFG";
    case TileOp::tileloadd: return "TILELOADD";
    case TileOp::tilestored: return "TILESTORED";
    case TileOp::tilezero: return "TILEZERO";
    case TileOp::tilerelease: return "TILERELEASE";
    case TileOp::tdpbssd: return "TDPBSSD";
    case TileOp::tdpbsud: return "TDPBSUD";
    case TileOp::tdpbusd: return "TDPBUSD";
    case TileOp::tdpbuud: return "TDPBUUD";
    case TileOp::tdpbf16ps: return "TDPBF16PS";
  }
  return "?";
}

// Compile-time operand checks shared by both backends: hardware raises #UD when a
// dot product names the same tile twice; here it does not even compile.
template <int C, int A, int B>
constexpr void check_dp_tiles() {
  static_assert(C >= 0 && C < kNumTiles && A >= 0 && A < kNumTiles && B >= 0 && B < kNumTiles,
                "tile numbers are 0..7");
  static_assert(C != A && C != B && A != B, "a tile dot product needs three different tiles (hardware: #UD)");
}
template <int T>
constexpr void check_tile() {
  static_assert(T >= 0 && T < kNumTiles, "tile numbers are 0..7");
}

}  // namespace amxlab::tile
