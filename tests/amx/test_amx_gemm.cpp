// The AMX GEMM kernels on the strict tile emulator, bitwise against the golden model:
// shapes with every M/N tail, slices cut along the plan as 1/2/3 (and 4) threads would
// and against it, dst overwritten (never accumulated into), wrong layouts and shapes
// refused, counters, count-only mode, the registry lines. Any strict-check violation of
// the emulator (bounds, shapes, configuration) would throw and fail the test.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "kernels/core/fpenv.h"
#include "kernels/isa.h"
#include "kernels/tile/emulator.h"
#include "kernels/vnni/vector_quantize.h"
#include "tests/amx/amx_test_util.h"
#include "tests/test_util.h"

namespace amxlab::amx {
namespace {

using amxlab::testing::error_of;
using testing::amx_kernel;
using testing::bitwise_equal;
using testing::cut;
using testing::Problem;
using testing::run_slices;

const char* emulated_name(QType t) {
  return t == QType::Q8_0   ? "q8_0_gemm_32x32__amx_emulated"
         : t == QType::Q4_0 ? "q4_0_gemm_32x32__amx_emulated"
                            : "q4_1_gemm_32x32__amx_emulated";
}

struct GridCase {
  QType type;
  int64_t k;
};
void PrintTo(const GridCase& c, std::ostream* os) {
  *os << name(c.type) << " K=" << c.k;
}

class AmxGemmGrid : public ::testing::TestWithParam<GridCase> {};

// Every M in {1,2,15,16,17,31,32,33,64,100} x N in {1,16,17,48} at this K, whole output
// in one slice, raw activation codes (every byte value) on odd M, quantised F32 on even.
TEST_P(AmxGemmGrid, BitwiseEqualsGolden) {
  const auto [t, k] = GetParam();
  const KernelDesc& kd = amx_kernel(emulated_name(t));
  ASSERT_TRUE(mxcsr_is_default());
  for (int64_t m : {1, 2, 15, 16, 17, 31, 32, 33, 64, 100}) {
    for (int64_t n : {1, 16, 17, 48}) {
      SCOPED_TRACE(std::string(kd.name) + " M=" + std::to_string(m) + " N=" + std::to_string(n) +
                   " K=" + std::to_string(k));
      const Problem p(t, m, n, k, static_cast<uint64_t>(m * 1000 + n * 10 + k), m % 2 == 0);
      const std::vector<float> got = run_slices(p, kd.run, {Slice{0, m, 0, n}});
      ASSERT_TRUE(bitwise_equal(p.want, got, n));
      ASSERT_TRUE(mxcsr_is_default());
    }
  }
}

std::vector<GridCase> grid_cases() {
  std::vector<GridCase> out;
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1})
    for (int64_t k : {32, 64, 96}) out.push_back({t, k});
  return out;
}
INSTANTIATE_TEST_SUITE_P(Amx, AmxGemmGrid, ::testing::ValuesIn(grid_cases()),
                         [](const ::testing::TestParamInfo<GridCase>& i) {
                           return std::string(name(i.param.type)) + "_k" + std::to_string(i.param.k);
                         });

class AmxGemmSlices : public ::testing::TestWithParam<QType> {};

// Slices cut along the plan as 1, 2, 3 and 4 threads would (rows, columns, both), and
// cuts that ignore the plan (odd row and column bounds): always the golden bits.
TEST_P(AmxGemmSlices, AnyCutGivesTheSameBits) {
  const QType t = GetParam();
  const KernelDesc& kd = amx_kernel(emulated_name(t));
  for (const auto& [m, n, k] :
       {std::tuple<int64_t, int64_t, int64_t>{100, 48, 64}, {33, 17, 96}, {64, 80, 32}}) {
    const Problem p(t, m, n, k, 99, true);
    const Plan plan = kd.plan(m, n, k);
    EXPECT_EQ(plan.m_step, 32);
    EXPECT_EQ(plan.n_step, 32);
    for (const auto& [tm, tn] : {std::pair<int, int>{1, 1}, {2, 1}, {3, 1}, {1, 2}, {1, 3}, {2, 2}, {4, 1}}) {
      SCOPED_TRACE(std::string(kd.name) + " M=" + std::to_string(m) + " N=" + std::to_string(n) +
                   " K=" + std::to_string(k) + " threads " + std::to_string(tm) + "x" + std::to_string(tn));
      const std::vector<Slice> slices = cut(m, n, plan, tm, tn);
      ASSERT_TRUE(bitwise_equal(p.want, run_slices(p, kd.run, slices), n));
    }
    SCOPED_TRACE("cuts against the plan");
    const std::vector<Slice> odd = {Slice{0, 7, 0, 5}, Slice{0, 7, 5, n}, Slice{7, 40 < m ? 40 : m, 0, n},
                                    Slice{40 < m ? 40 : m, m, 0, 21 < n ? 21 : n},
                                    Slice{40 < m ? 40 : m, m, 21 < n ? 21 : n, n}};
    ASSERT_TRUE(bitwise_equal(p.want, run_slices(p, kd.run, odd), n));
  }
}

// dst is overwritten: K = 32 and M = 32 (one block: an accumulate-into-dst bug would
// show at once), dst pre-filled with finite garbage and with NaN, run twice.
TEST_P(AmxGemmSlices, OverwritesDst) {
  const QType t = GetParam();
  const KernelDesc& kd = amx_kernel(emulated_name(t));
  const Problem p(t, 32, 32, 32, 7, true);
  for (float fill : {1.0e30f, -3.0f, std::numeric_limits<float>::quiet_NaN()}) {
    std::vector<float> dst(32 * 32, fill);
    const OutputView y{dst.data(), 32, 32, 32};
    kd.run(p.packed, p.acts(), y, Slice{0, 32, 0, 32});
    ASSERT_TRUE(bitwise_equal(p.want, dst, 32)) << "fill " << fill;
    kd.run(p.packed, p.acts(), y, Slice{0, 32, 0, 32});
    ASSERT_TRUE(bitwise_equal(p.want, dst, 32)) << "second run, fill " << fill;
  }
}

// An empty slice writes nothing and needs no tiles.
TEST_P(AmxGemmSlices, EmptySliceWritesNothing) {
  const QType t = GetParam();
  const KernelDesc& kd = amx_kernel(emulated_name(t));
  const Problem p(t, 4, 4, 32, 8, true);
  std::vector<float> dst(16, testing::poison());
  const OutputView y{dst.data(), 4, 4, 4};
  kd.run(p.packed, p.acts(), y, Slice{2, 2, 0, 4});
  kd.run(p.packed, p.acts(), y, Slice{0, 4, 3, 3});
  for (float v : dst) EXPECT_EQ(f32_bits(v), f32_bits(testing::poison()));
}

INSTANTIATE_TEST_SUITE_P(Amx, AmxGemmSlices, ::testing::Values(QType::Q8_0, QType::Q4_0, QType::Q4_1),
                         [](const ::testing::TestParamInfo<QType>& i) { return std::string(name(i.param)); });

// K = 2080 (65 blocks: odd, and more than any chunk) on a few shapes with tails.
TEST(AmxGemm, LongK) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    const KernelDesc& kd = amx_kernel(emulated_name(t));
    for (const auto& [m, n] : {std::pair<int64_t, int64_t>{17, 48}, {33, 17}, {1, 1}}) {
      SCOPED_TRACE(std::string(kd.name) + " M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=2080");
      const Problem p(t, m, n, 2080, 3, m % 2 == 0);
      ASSERT_TRUE(bitwise_equal(p.want, run_slices(p, kd.run, cut(m, n, kd.plan(m, n, 2080), 2, 1)), n));
    }
  }
}

// ---- refused inputs: an Error naming the kernel, dst untouched ----

TEST(AmxGemm, RefusesOtherLayoutsAndTypes) {
  const KernelDesc& q8 = amx_kernel("q8_0_gemm_32x32__amx_emulated");
  const Problem p(QType::Q8_0, 4, 16, 64, 1, true);
  std::vector<float> dst(4 * 16, testing::poison());
  const OutputView y{dst.data(), 16, 4, 16};
  const Slice all{0, 4, 0, 16};
  // A VNNI-layout tensor of the right type and shape.
  PackedWeights vnni(QType::Q8_0, Layout::q8_0_vnni16, 16, 64, p.packed.bytes().size(), 0);
  std::string e = error_of([&] { q8.run(vnni, p.acts(), y, all); });
  EXPECT_NE(e.find("q8_0_gemm_32x32__amx_emulated"), std::string::npos) << e;
  EXPECT_NE(e.find("q8_0_vnni16"), std::string::npos) << e;
  EXPECT_NE(e.find("q8_0_amx_tile"), std::string::npos) << e;
  // Plain GGUF rows.
  PackedWeights plain(QType::Q8_0, Layout::gguf_rows, 16, 64, p.gguf.size(), 0);
  EXPECT_NE(error_of([&] { q8.run(plain, p.acts(), y, all); }).find("gguf_rows"), std::string::npos);
  // Q4_0 weights packed for the Q4_0 AMX kernel.
  const std::vector<std::byte> g4 = testing::random_weights(QType::Q4_0, 16, 64, 2);
  const PackedWeights q4 = pack_amx_tile(QType::Q4_0, g4, 16, 64, default_memory_resource());
  e = error_of([&] { q8.run(q4, p.acts(), y, all); });
  EXPECT_NE(e.find("q4_0"), std::string::npos) << e;
  // Q8_1 activations to a Q8_0 kernel.
  ActivationView a1 = p.acts();
  a1.type = QType::Q8_1;
  EXPECT_NE(error_of([&] { q8.run(p.packed, a1, y, all); }).find("activations are q8_1"), std::string::npos);
  // And the Q4_1 kernel refuses Q8_0 activations.
  const Problem p41(QType::Q4_1, 4, 16, 64, 1, true);
  ActivationView a0 = p41.acts();
  a0.type = QType::Q8_0;
  EXPECT_NE(error_of([&] {
              amx_kernel("q4_1_gemm_32x32__amx_emulated").run(p41.packed, a0, y, all);
            }).find("this kernel reads q8_1"),
            std::string::npos);
  // A moved-from tensor.
  PackedWeights moved = pack_amx_tile(QType::Q8_0, p.gguf, 16, 64, default_memory_resource());
  PackedWeights taken = std::move(moved);
  // NOLINTNEXTLINE(bugprone-use-after-move): the point of the check
  EXPECT_NE(error_of([&] { q8.run(moved, p.acts(), y, all); }).find("moved"), std::string::npos);
  for (float v : dst) ASSERT_EQ(f32_bits(v), f32_bits(testing::poison())) << "dst written by a refused call";
}

TEST(AmxGemm, RefusesBadShapesAndSlices) {
  const KernelDesc& q8 = amx_kernel("q8_0_gemm_32x32__amx_emulated");
  const Problem p(QType::Q8_0, 4, 16, 64, 1, true);
  std::vector<float> dst(8 * 32, testing::poison());
  const OutputView y{dst.data(), 16, 4, 16};
  const ActivationView a = p.acts();
  auto err = [&](const PackedWeights& w, ActivationView av, OutputView yv, Slice s) {
    return error_of([&] { q8.run(w, av, yv, s); });
  };
  ActivationView bad = a;
  bad.k = 32;
  EXPECT_NE(err(p.packed, bad, y, {0, 4, 0, 16}).find("K=32"), std::string::npos);
  bad = a;
  bad.m = 3;
  EXPECT_NE(err(p.packed, bad, y, {0, 3, 0, 16}).find("M=3"), std::string::npos);
  bad = a;
  bad.row_stride = 40;
  EXPECT_NE(err(p.packed, bad, y, {0, 4, 0, 16}).find("row stride"), std::string::npos);
  OutputView yb = y;
  yb.n = 17;
  EXPECT_NE(err(p.packed, a, yb, {0, 4, 0, 16}).find("N=17"), std::string::npos);
  yb = y;
  yb.row_stride = 8;
  EXPECT_NE(err(p.packed, a, yb, {0, 4, 0, 16}).find("output row stride"), std::string::npos);
  EXPECT_NE(err(p.packed, a, y, {0, 5, 0, 16}).find("slice"), std::string::npos);
  EXPECT_NE(err(p.packed, a, y, {0, 4, 8, 17}).find("slice"), std::string::npos);
  EXPECT_NE(err(p.packed, a, y, {3, 2, 0, 16}).find("slice"), std::string::npos);
  // A tensor whose byte size does not match its shape (not produced by the packer).
  PackedWeights short_w(QType::Q8_0, Layout::q8_0_amx_tile, 16, 64, 576, 0);
  EXPECT_NE(err(short_w, a, y, {0, 4, 0, 16}).find("packed weights hold"), std::string::npos);
  for (float v : dst) ASSERT_EQ(f32_bits(v), f32_bits(testing::poison()));
}

// ---- counters and count-only mode ----

// Instruction counts of one call: per 32 x 32 tile and K block, 4 TILEZERO, 4 TILELOADD,
// 4 TDPBSSD, 4 TILESTORED (fewer in the tails); one LDTILECFG per row shape, one release.
TEST(AmxGemm, CountersFollowTheBlocking) {
  const Problem p(QType::Q8_0, 48, 48, 64, 4, true);  // row tiles 32 + 16, strips 2 + 1
  std::vector<float> dst(48 * 48);
  const OutputView y{dst.data(), 48, 48, 48};
  tile::EmulatedTiles t;
  run_emulated_on(t, QType::Q8_0, p.packed, p.acts(), y, Slice{0, 48, 0, 48});
  ASSERT_TRUE(bitwise_equal(p.want, dst, 48));
  const tile::TileCounters& c = t.counters();
  // Per K block (2 blocks): tiles (32 rows, 2 strips) 4 dp; (32, 1) 2; (16, 2) 2; (16, 1) 1.
  EXPECT_EQ(c.count(tile::TileOp::tdpbssd), 2u * (4 + 2 + 2 + 1));
  EXPECT_EQ(c.tilezero(), 2u * (4 + 2 + 2 + 1));
  EXPECT_EQ(c.tilestored(), 2u * (4 + 2 + 2 + 1));
  EXPECT_EQ(c.tileloadd(), 2u * (4 + 3 + 3 + 2));  // A tiles + B tiles
  EXPECT_EQ(c.ldtilecfg(), 2u);
  EXPECT_EQ(c.tilerelease(), 1u);
  EXPECT_EQ(c.int8_macs, 2u * 32 * (48 * 48));  // every dp: rows x 16 columns x K = 32
}

// Count-only: the same counters as a real run, no arithmetic, dst not written.
TEST(AmxGemm, CountOnlyMatchesRealCounters) {
  for (QType t : {QType::Q8_0, QType::Q4_1}) {
    const Problem p(t, 33, 17, 96, 5, true);
    std::vector<float> dst(33 * 17, testing::poison());
    const OutputView y{dst.data(), 17, 33, 17};
    tile::EmulatedTiles real;
    run_emulated_on(real, t, p.packed, p.acts(), y, Slice{0, 33, 0, 17});
    std::vector<float> dst2(33 * 17, testing::poison());
    const OutputView y2{dst2.data(), 17, 33, 17};
    tile::EmulatorOptions o;
    o.count_only = true;
    tile::EmulatedTiles counted(o);
    run_emulated_on(counted, t, p.packed, p.acts(), y2, Slice{0, 33, 0, 17});
    for (int op = 0; op < tile::kNumTileOps; ++op)
      EXPECT_EQ(real.counters().ops[op], counted.counters().ops[op]);
    EXPECT_EQ(real.counters().bytes_loaded, counted.counters().bytes_loaded);
    EXPECT_EQ(real.counters().bytes_stored, counted.counters().bytes_stored);
    for (float v : dst2) ASSERT_EQ(f32_bits(v), f32_bits(testing::poison()));
  }
}

// ---- the registry lines ----

TEST(AmxGemm, RegistryLinesAreConsistent) {
  // Q8_0, Q4_0, Q4_1, IQ4_NL and six K-quants, and s8s8, u8s8, bf16; x2 engines.
  ASSERT_EQ(std::size(kAmxKernels), 26u);
  for (const KernelDesc& kd : kAmxKernels) {
    SCOPED_TRACE(std::string(kd.name));
    if (panel32::packable(kd.weight_type)) {
      // The plain GEMMs (amx_plain_gemm.h): tiles only, plain activations, panel32.
      const bool emulated = kd.name.ends_with("__amx_emulated");
      EXPECT_EQ(kd.engine, emulated ? Engine::emulated : Engine::native);
      EXPECT_EQ(kd.isa, kd.weight_type == QType::BF16 ? kIsaAmxBf16 : kIsaAmxInt8);
      EXPECT_EQ(kd.layout, panel32::layout_of(kd.weight_type));
      EXPECT_EQ(kd.quantize, nullptr);
      EXPECT_EQ(kd.act_type, traits(kd.weight_type).act_type);
      continue;
    }
    const bool kquant = traits(kd.weight_type).block_elems == 256;
    EXPECT_EQ(kd.op, KernelOp::gemm);
    EXPECT_EQ(kd.act_type, traits(kd.weight_type).act_type);
    EXPECT_EQ(kd.layout, kquant ? Layout::kq_i8_vnni16 : amx_tile_layout(kd.weight_type));
    EXPECT_EQ(kd.tile_m, 32);
    EXPECT_EQ(kd.tile_n, 32);
    const bool emulated = kd.name.ends_with("__amx_emulated");
    EXPECT_EQ(kd.engine, emulated ? Engine::emulated : Engine::native);
    // The emulated kernels' vector steps have a 256-bit build (amx_vector_steps.h).
    const uint32_t vnni = kquant ? kIsaAvx512Vnni : 0u;
    EXPECT_EQ(kd.isa, emulated ? kIsaAvx2 : (kIsaAmxInt8 | kIsaAvx512 | vnni));
    ASSERT_NE(kd.pack_fn, nullptr);
    ASSERT_NE(kd.quantize, nullptr);
    ASSERT_NE(kd.plan, nullptr);
    ASSERT_NE(kd.run, nullptr);
    // pack() makes the layout run() reads; quantize() the format it reads.
    const int64_t k = kquant ? 256 : 64;
    const std::vector<std::byte> g = testing::random_weights(kd.weight_type, 3, k, 1);
    const PackedWeights w = kd.pack(kd.weight_type, g, 3, k, default_memory_resource());
    EXPECT_EQ(w.layout(), kd.layout);
    // The vector quantisers of the ISA each line requires: AVX-512 (native), AVX2 (emulated).
    const QuantizeFn want_fn =
        kd.act_type == QType::Q8_K   ? (emulated ? &vnni::quantize_q8_k_avx2 : &vnni::quantize_q8_k_avx512)
        : kd.act_type == QType::Q8_1 ? (emulated ? &vnni::quantize_q8_1_avx2 : &vnni::quantize_q8_1_avx512)
                                     : (emulated ? &vnni::quantize_q8_0_avx2 : &vnni::quantize_q8_0_avx512);
    EXPECT_EQ(kd.quantize, want_fn);
    std::string why;
    if (!isa_supported(emulated ? kIsaAvx2 : kIsaAvx512, &why)) {
      std::printf("%s: quantize() not run: %s\n", std::string(kd.name).c_str(), why.c_str());
      continue;
    }
    const std::vector<float> f(static_cast<size_t>(2 * k), 0.25f);
    std::vector<std::byte> q(row_bytes(kd.act_type, k) * 2), want(q.size());
    kd.quantize(ActQuant::ref, f, 2, k, q);
    quantize_activations(kd.act_type, ActQuant::ref, f, 2, k, want);
    EXPECT_EQ(q, want);
  }
}

// End to end through the registry entry points: F32 activations quantised with the
// kernel's own quantize(), both variants, against golden::gemm on the same F32 rows.
TEST(AmxGemm, EndToEndFromF32) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    const KernelDesc& kd = amx_kernel(emulated_name(t));
    const int64_t m = 19, n = 33, k = 128;
    std::mt19937_64 rng(12);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> wf(static_cast<size_t>(n * k)), af(static_cast<size_t>(m * k));
    for (float& v : wf) v = nd(rng);
    for (float& v : af) v = nd(rng);
    std::vector<std::byte> g(row_bytes(t, k) * static_cast<size_t>(n));
    quantize_weights(t, wf, n, k, g);
    const PackedWeights w = kd.pack(t, g, n, k, default_memory_resource());
    for (ActQuant v : {ActQuant::runtime, ActQuant::ref}) {
      SCOPED_TRACE(std::string(kd.name) + " " + name(v));
      std::vector<float> want(static_cast<size_t>(m * n));
      golden::gemm(t, g, af, golden::Shape{m, n, k}, v, want);
      std::vector<std::byte> aq(row_bytes(kd.act_type, k) * static_cast<size_t>(m));
      kd.quantize(v, af, m, k, aq);
      std::vector<float> got(static_cast<size_t>(m * n), testing::poison());
      kd.run(w, ActivationView{kd.act_type, aq.data(), row_bytes(kd.act_type, k), m, k},
             OutputView{got.data(), static_cast<size_t>(n), m, n}, Slice{0, m, 0, n});
      ASSERT_TRUE(bitwise_equal(want, got, n));
    }
  }
}

}  // namespace
}  // namespace amxlab::amx
