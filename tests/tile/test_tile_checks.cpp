// Every strict check of the emulator fires on a minimal bad program, with a message
// naming the instruction, the tiles and the shapes; a fault changes nothing.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/emulator.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

using testing::expect_fault;
using testing::make_emulator;

// --- LDTILECFG ----------------------------------------------------------------------

TEST(TileChecks, InvalidPalette) {
  EmulatedTiles t = make_emulator();
  TileConfig cfg = TileConfig::palette1().set(0, 16, 64);
  cfg.palette_id = 2;
  expect_fault([&] { t.configure(cfg); }, {"LDTILECFG", "palette_id 2 is invalid"});
  EXPECT_FALSE(t.configured());
  EXPECT_EQ(t.counters().ldtilecfg(), 0u);
}

TEST(TileChecks, PaletteZeroIsTheInitState) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 16, 64));
  EXPECT_TRUE(t.configured());
  t.configure(TileConfig{});  // palette 0
  EXPECT_FALSE(t.configured());
  expect_fault([&] { t.zero<0>(); }, {"TILEZERO tmm0", "tiles are not configured"});
}

TEST(TileChecks, RowsAbove16) {
  EmulatedTiles t = make_emulator();
  expect_fault([&] { t.configure(TileConfig::palette1().set(3, 17, 64)); },
               {"LDTILECFG", "tmm3 rows 17 > 16"});
}

TEST(TileChecks, ColsbAbove64) {
  EmulatedTiles t = make_emulator();
  expect_fault([&] { t.configure(TileConfig::palette1().set(6, 4, 65)); },
               {"LDTILECFG", "tmm6 colsb 65 > 64"});
}

TEST(TileChecks, ReservedBytesMustBeZero) {
  EmulatedTiles t = make_emulator();
  {
    TileConfig cfg = TileConfig::palette1().set(0, 1, 4);
    cfg.reserved_2_15[3] = 1;  // byte 5
    expect_fault([&] { t.configure(cfg); }, {"LDTILECFG", "reserved config byte 5 is 1"});
  }
  {
    TileConfig cfg = TileConfig::palette1().set(0, 1, 4);
    cfg.reserved_32_47[8] = 7;  // byte 40
    expect_fault([&] { t.configure(cfg); }, {"reserved config byte 40 is 7"});
  }
  {
    TileConfig cfg = TileConfig::palette1().set(0, 1, 4);
    cfg.reserved_56_63[4] = 255;  // byte 60
    expect_fault([&] { t.configure(cfg); }, {"reserved config byte 60 is 255"});
  }
}

TEST(TileChecks, StartRowMustBeZero) {
  EmulatedTiles t = make_emulator();
  TileConfig cfg = TileConfig::palette1().set(0, 16, 64);
  cfg.start_row = 1;
  expect_fault([&] { t.configure(cfg); }, {"LDTILECFG", "start_row 1 is not 0"});
}

TEST(TileChecks, RowsZeroXorColsbZero) {
  EmulatedTiles t = make_emulator();
  expect_fault([&] { t.configure(TileConfig::palette1().set(2, 0, 4)); },
               {"LDTILECFG", "tmm2 rows 0, colsb 4", "both zero"});
  expect_fault([&] { t.configure(TileConfig::palette1().set(7, 2, 0)); },
               {"LDTILECFG", "tmm7 rows 2, colsb 0"});
}

// --- unconfigured tiles -------------------------------------------------------------

TEST(TileChecks, TileUsedWhileUnconfigured) {
  std::vector<uint8_t> buf(1024);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(buf.data(), buf.size(), "buf");
  expect_fault([&] { t.loadd<1>(buf.data(), 64); }, {"TILELOADD tmm1", "tiles are not configured"});
  t.configure(TileConfig::palette1().set(0, 16, 64));
  expect_fault([&] { t.loadd<1>(buf.data(), 64); }, {"TILELOADD tmm1", "tile is not configured (rows = 0"});
  expect_fault([&] { t.stored<4>(buf.data(), 64); }, {"TILESTORED tmm4", "tile is not configured"});
  t.release();
  expect_fault([&] { t.stored<0>(buf.data(), 64); }, {"TILESTORED tmm0", "tiles are not configured"});
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64));
  expect_fault([&] { t.dpbssd<0, 1, 2>(); }, {"TDPBSSD tmm2 (B)", "tile is not configured"});
}

// --- dot-product shapes ---------------------------------------------------------------

TEST(TileChecks, KMismatch) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 60).set(2, 16, 64));
  expect_fault([&] { t.dpbssd<0, 1, 2>(); },
               {"TDPBSSD tmm0, tmm1, tmm2", "A.colsb (60) != 4*B.rows (4*16=64)",
                "C=tmm0 16x64, A=tmm1 16x60, B=tmm2 16x64"});
}

TEST(TileChecks, CRowsNotARows) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 8, 64).set(1, 16, 64).set(2, 16, 64));
  expect_fault([&] { t.dpbusd<0, 1, 2>(); },
               {"TDPBUSD tmm0, tmm1, tmm2", "C.rows (8) != A.rows (16)", "C=tmm0 8x64"});
}

TEST(TileChecks, CColsbNotBColsb) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 16, 32).set(1, 16, 64).set(2, 16, 64));
  expect_fault([&] { t.dpbf16ps<0, 1, 2>(); },
               {"TDPBF16PS tmm0, tmm1, tmm2", "C.colsb (32) != B.colsb (64)"});
}

TEST(TileChecks, ColsbNotMultipleOf4) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 16, 62).set(1, 16, 64).set(2, 16, 62));
  expect_fault([&] { t.dpbsud<0, 1, 2>(); },
               {"TDPBSUD tmm0, tmm1, tmm2", "C.colsb (62) is not a multiple of 4"});
  t.configure(TileConfig::palette1().set(0, 4, 64).set(1, 4, 6).set(2, 2, 64));
  expect_fault([&] { t.dpbuud<0, 1, 2>(); }, {"A.colsb (6) is not a multiple of 4", "A=tmm1 4x6"});
  t.configure(TileConfig::palette1().set(0, 4, 64).set(1, 4, 64).set(2, 16, 63));
  expect_fault([&] { t.dpbssd<0, 1, 2>(); }, {"B.colsb (63) is not a multiple of 4"});
}

// Silicon (Emerald Rapids) accepts colsb = 10 in LDTILECFG and TILEZERO but raises #UD
// on TILELOADD / TILESTORED of that tile (`tile-selftest --probe-colsb`); so does the
// emulator, and a fault changes nothing.
TEST(TileChecks, LoadAndStoreNeedWholeDwords) {
  EmulatedTiles t = make_emulator();
  std::vector<uint8_t> buf(64, 0x5a);
  t.declare_buffer(buf.data(), buf.size(), "buf");
  t.configure(TileConfig::palette1().set(0, 2, 10).set(1, 2, 8));
  t.zero<0>();
  expect_fault([&] { t.loadd<0>(buf.data(), 16); }, {"TILELOADD tmm0", "colsb (10) is not a multiple of 4"});
  expect_fault([&] { t.stored<0>(buf.data(), 16); },
               {"TILESTORED tmm0", "colsb (10) is not a multiple of 4"});
  EXPECT_EQ(buf, std::vector<uint8_t>(64, 0x5a));
  t.loadd<1>(buf.data(), 16);
  t.stored<1>(buf.data(), 16);
}

// B.rows > 16 (more than 16 rows of K) cannot be configured: LDTILECFG already
// rejects rows > 16 (RowsAbove16), so K <= 16 dwords holds for every dot product.

TEST(TileChecks, SameTileTwice) {
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64));
  expect_fault([&] { t.dp_at(TileOp::tdpbssd, 0, 0, 1); },
               {"TDPBSSD tmm0, tmm0, tmm1", "the same tile (tmm0) is used as C and A"});
  expect_fault([&] { t.dp_at(TileOp::tdpbf16ps, 1, 0, 1); },
               {"TDPBF16PS tmm1, tmm0, tmm1", "the same tile (tmm1) is used as C and B"});
  expect_fault([&] { t.dp_at(TileOp::tdpbuud, 0, 1, 1); },
               {"TDPBUUD tmm0, tmm1, tmm1", "the same tile (tmm1) is used as A and B"});
  // (With template tile numbers the same mistake does not compile: check_dp_tiles.)
}

TEST(TileChecks, FaultChangesNothing) {
  std::vector<uint8_t> buf(1024, 3);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(buf.data(), buf.size(), "buf");
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 60).set(2, 16, 64));
  t.loadd<0>(buf.data(), 64);
  const TileCounters before = t.counters();
  std::vector<uint8_t> c_before(t.tile_data(0), t.tile_data(0) + kTileBytes);
  expect_fault([&] { t.dpbssd<0, 1, 2>(); }, {"A.colsb (60)"});
  EXPECT_EQ(t.counters().total(), before.total());
  EXPECT_EQ(std::vector<uint8_t>(t.tile_data(0), t.tile_data(0) + kTileBytes), c_before);
}

// --- buffers ------------------------------------------------------------------------

TEST(TileChecks, LoadOutsideEveryBuffer) {
  std::vector<uint8_t> a(1024), other(1024);
  EmulatedTiles t = make_emulator();
  t.configure(TileConfig::palette1().set(2, 16, 64));
  expect_fault(
      [&] { t.loadd<2>(a.data(), 64); },
      {"TILELOADD tmm2 16x64", "stride 64", "outside every declared buffer", "none - call declare_buffer()"});
  t.declare_buffer(a.data(), a.size(), "A");
  expect_fault([&] { t.loadd<2>(other.data(), 64); }, {"outside every declared buffer", "'A' 1024 bytes"});
}

TEST(TileChecks, LoadRunsPastTheEndOfItsBuffer) {
  std::vector<uint8_t> a(1024);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(a.data(), 1023, "A");
  t.configure(TileConfig::palette1().set(2, 16, 64));
  expect_fault([&] { t.loadd<2>(a.data(), 64); },
               {"TILELOADD tmm2 16x64", "16 rows x 64 bytes", "runs 1 bytes past the end of buffer 'A'"});
  // The stride counts: 16 rows of 16 bytes with stride 64 need 15*64+16 = 976 bytes.
  t.configure(TileConfig::palette1().set(2, 16, 16));
  t.loadd<2>(a.data(), 64);
  expect_fault([&] { t.loadd<2>(a.data() + 48, 64); }, {"runs 1 bytes past the end"});
  // Negative strides: the footprint extends below base.
  expect_fault([&] { t.loadd<2>(a.data() + 100, -64); }, {"outside every declared buffer"});
  t.loadd<2>(a.data() + 960, -64);
}

TEST(TileChecks, StoreIntoReadOnlyBuffer) {
  std::vector<uint8_t> w(1024), out(1024);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(w.data(), w.size(), "weights", BufferAccess::read);
  t.declare_buffer(out.data(), out.size(), "out", BufferAccess::write);
  t.configure(TileConfig::palette1().set(0, 16, 64));
  t.loadd<0>(w.data(), 64);
  expect_fault([&] { t.stored<0>(w.data(), 64); },
               {"TILESTORED tmm0 16x64", "buffer 'weights', declared read-only"});
  expect_fault([&] { t.loadd<0>(out.data(), 64); }, {"TILELOADD tmm0", "buffer 'out', declared write-only"});
  t.stored<0>(out.data(), 64);
}

// --- AMX permission -----------------------------------------------------------------

bool never_requested() {
  return false;
}
bool always_requested() {
  return true;
}

TEST(TileChecks, TileUseBeforePermissionRequest) {
  EmulatorOptions opt;
  EXPECT_EQ(opt.permission_requested, &amx_permission_requested);  // default: process state
  opt.permission_requested = &never_requested;
  EmulatedTiles t(opt);
  expect_fault([&] { t.configure(TileConfig::palette1().set(0, 16, 64)); },
               {"LDTILECFG", "tile use before AMX permission request (on hardware: SIGILL)"});
  expect_fault([&] { t.release(); }, {"TILERELEASE", "before AMX permission request"});
  expect_fault([&] { t.zero<0>(); }, {"TILEZERO", "before AMX permission request"});
  expect_fault([&] { t.dp_at(TileOp::tdpbssd, 0, 1, 2); }, {"TDPBSSD", "before AMX permission request"});
  // The emulator runs once the request was made, even when the OS refused it
  // (this machine has no AMX): only the request itself is enforced.
  EmulatorOptions ok;
  ok.permission_requested = &always_requested;
  EmulatedTiles t2(ok);
  t2.configure(TileConfig::palette1().set(0, 16, 64));
  t2.zero<0>();
  EXPECT_EQ(t2.counters().tilezero(), 1u);
}

TEST(TileChecks, ProcessPermissionState) {
  (void)request_amx_permission();
  EXPECT_TRUE(amx_permission_requested());
  EmulatedTiles t;  // default hook
  t.configure(TileConfig::palette1().set(0, 1, 4));
  t.release();
}

}  // namespace
}  // namespace amxlab::tile
