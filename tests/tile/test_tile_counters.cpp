// Counters, count-only mode and the Sapphire Rapids model on hand-computed examples.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernels/tile/demo_gemm.h"
#include "kernels/tile/emulator.h"
#include "kernels/tile/sapphire_rapids_model.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

using testing::expect_fault;
using testing::make_emulator;

// demo_gemm_int8 with M = 32, N = 64, K = 128: 2 row blocks x 2 column blocks x 2 K
// steps. Per (row, column) block: 2 TILEZERO, 2 K steps x (3 TILELOADD + 2 TDPBSSD),
// 2 TILESTORED. Totals: LDTILECFG 1 (both row blocks have 16 rows), TILEZERO 8,
// TILELOADD 24, TDPBSSD 16, TILESTORED 8, TILERELEASE 1; bytes loaded 24 * 1024,
// stored 8 * 1024; MACs 16 * 16*16*64 = 262144 = M*N*K.
void expect_demo_counts(const TileCounters& c) {
  EXPECT_EQ(c.ldtilecfg(), 1u);
  EXPECT_EQ(c.tilezero(), 8u);
  EXPECT_EQ(c.tileloadd(), 24u);
  EXPECT_EQ(c.count(TileOp::tdpbssd), 16u);
  EXPECT_EQ(c.tdpb_int8(), 16u);
  EXPECT_EQ(c.tdpbf16ps(), 0u);
  EXPECT_EQ(c.tilestored(), 8u);
  EXPECT_EQ(c.tilerelease(), 1u);
  EXPECT_EQ(c.bytes_loaded, 24u * 1024u);
  EXPECT_EQ(c.bytes_stored, 8u * 1024u);
  EXPECT_EQ(c.int8_macs, 262144u);
  EXPECT_EQ(c.total(), 1u + 8u + 24u + 16u + 8u + 1u);
}

TEST(TileCounters, CountsOfTheDemoGemm) {
  std::vector<uint8_t> a(32 * 128, 1);
  std::vector<int8_t> b(128 * 64, 1);
  const std::vector<uint8_t> bp = pack_b_vnni(b.data(), 128, 64, 64);
  std::vector<int32_t> c(32 * 64, 0);
  EmulatedTiles t = make_emulator();
  demo_gemm_int8<false>(t, 32, 64, 128, a.data(), 128, bp.data(), 4 * 64, c.data(), 64);
  expect_demo_counts(t.counters());
  for (int32_t v : c) ASSERT_EQ(v, 128);
  t.reset_counters();
  EXPECT_EQ(t.counters().total(), 0u);
}

// Count-only: same counts and checks, no arithmetic and no memory access at all - the
// "buffers" here are address ranges with nothing mapped behind them.
TEST(TileCounters, CountOnlyTouchesNoMemory) {
  EmulatorOptions opt;
  opt.count_only = true;
  EmulatedTiles t = make_emulator(opt);
  // Made-up addresses: a count-only emulator never dereferences them.
  // NOLINTBEGIN(performance-no-int-to-ptr)
  const auto* a = reinterpret_cast<const uint8_t*>(uintptr_t{0x10000000});
  const auto* bp = reinterpret_cast<const uint8_t*>(uintptr_t{0x20000000});
  auto* c = reinterpret_cast<int32_t*>(uintptr_t{0x30000000});
  // NOLINTEND(performance-no-int-to-ptr)
  demo_gemm_int8<false>(t, 32, 64, 128, a, 128, bp, 4 * 64, c, 64);
  expect_demo_counts(t.counters());
  // Shape and buffer checks still run in count-only mode.
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 60).set(2, 16, 64));
  expect_fault([&] { t.dpbssd<0, 1, 2>(); }, {"A.colsb (60) != 4*B.rows"});
  expect_fault([&] { t.loadd<0>(a - 64, 64); }, {"outside every declared buffer"});
}

TEST(TileCounters, Bf16MacsAndAccumulation) {
  std::vector<uint16_t> ab(16 * 32, 0);
  std::vector<float> c(16 * 16, 0.0f);
  EmulatedTiles t = make_emulator();
  t.declare_buffer(ab.data(), 2 * ab.size(), "AB");
  t.declare_buffer(c.data(), 4 * c.size(), "C");
  t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64).set(2, 16, 64));
  t.zero<0>();
  t.loadd<1>(ab.data(), 64);
  t.loadd<2>(ab.data(), 64);
  t.dpbf16ps<0, 1, 2>();
  t.stored<0>(c.data(), 64);
  EXPECT_EQ(t.counters().tdpbf16ps(), 1u);
  EXPECT_EQ(t.counters().bf16_macs, 16u * 16u * 32u);
  TileCounters sum;
  sum += t.counters();
  sum += t.counters();
  EXPECT_EQ(sum.tdpbf16ps(), 2u);
  EXPECT_EQ(sum.bytes_loaded, 4u * 1024u);
}

// Hand-computed model, costs from sapphire_rapids_model.h (TDPB* 16, TILEZERO 1,
// TILELOADD 8, TILESTORED 16, LDTILECFG 16, TILERELEASE 16):
//  demo counts: tmul = 16*16 + 8*1 = 264; load/store = 24*8 + 8*16 = 320;
//  config = 16 + 16 = 32; epilogue = 2048 outputs * 0.5 = 1024.
//  cycles = max(264, 320) + 32 + 1024 = 1376; serial = 264 + 320 + 32 + 1024 = 1640;
//  utilisation = 262144 / (1376 * 1024) = 256 / 1376 = 8/43 = 0.18604651...;
//  time at 2 GHz = 1376 / 2e9 s = 688 ns.
TEST(TileModel, HandComputedDemoGemm) {
  TileCounters c;
  c.ops[static_cast<int>(TileOp::ldtilecfg)] = 1;
  c.ops[static_cast<int>(TileOp::tilezero)] = 8;
  c.ops[static_cast<int>(TileOp::tileloadd)] = 24;
  c.ops[static_cast<int>(TileOp::tdpbssd)] = 16;
  c.ops[static_cast<int>(TileOp::tilestored)] = 8;
  c.ops[static_cast<int>(TileOp::tilerelease)] = 1;
  ModelInputs in;
  in.useful_macs = 262144;
  in.epilogue_elements = 2048;
  in.epilogue_cycles_per_element = 0.5;
  in.ghz = 2.0;
  const ModelResult r = model_sapphire_rapids(c, in);
  EXPECT_DOUBLE_EQ(r.tmul_cycles, 264.0);
  EXPECT_DOUBLE_EQ(r.load_store_cycles, 320.0);
  EXPECT_DOUBLE_EQ(r.config_cycles, 32.0);
  EXPECT_DOUBLE_EQ(r.epilogue_cycles, 1024.0);
  EXPECT_DOUBLE_EQ(r.cycles, 1376.0);
  EXPECT_DOUBLE_EQ(r.cycles_serial, 1640.0);
  EXPECT_DOUBLE_EQ(r.utilisation, 8.0 / 43.0);
  EXPECT_DOUBLE_EQ(r.seconds, 688e-9);
  EXPECT_NE(r.label.find("engine=emulated, timing=model"), std::string::npos);
}

// 64 full TDPBSSD and nothing else: 64 * 16 = 1024 cycles, 64 * 16384 = 1048576 MACs
// = 1024 cycles * 1024 MACs/cycle: utilisation exactly 1. K = 32 per TDPBSSD (format
// with scales every 32 elements): useful MACs halve, utilisation 0.5.
// BF16: 64 TDPBF16PS = 64 * 8192 MACs over 1024 cycles at 512 MACs/cycle: 1.
TEST(TileModel, PeakAndFormatCeiling) {
  TileCounters c;
  c.ops[static_cast<int>(TileOp::tdpbssd)] = 64;
  ModelInputs in;
  in.useful_macs = 64ull * 16384ull;
  EXPECT_DOUBLE_EQ(model_sapphire_rapids(c, in).utilisation, 1.0);
  in.useful_macs = 64ull * 8192ull;
  EXPECT_DOUBLE_EQ(model_sapphire_rapids(c, in).utilisation, 0.5);
  TileCounters b;
  b.ops[static_cast<int>(TileOp::tdpbf16ps)] = 64;
  ModelInputs ib;
  ib.useful_macs = 64ull * 8192ull;
  ib.mac_kind = MacKind::bf16;
  EXPECT_DOUBLE_EQ(model_sapphire_rapids(b, ib).utilisation, 1.0);
  EXPECT_DOUBLE_EQ(model_sapphire_rapids(TileCounters{}, in).utilisation, 0.0);
  ModelInputs bad;
  bad.ghz = 0.0;
  EXPECT_THROW(model_sapphire_rapids(c, bad), Error);
}

}  // namespace
}  // namespace amxlab::tile
