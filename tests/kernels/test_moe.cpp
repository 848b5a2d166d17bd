// Mixture-of-experts GEMM (kernels/moe): every kernel set (each registry kernel alone, and
// every GEMM + GEMV pair that reads one layout) against the golden model per (token,
// slot), for the routing distributions x T x top_k x threads of issue #13, dst
// NaN-poisoned with a padded stride; expert-stacked packing and its exact inverse; the
// balance of the work cut; bad input refused with nothing written, including the
// ik_llama.cpp failure (expert weights packed for AMX handed to another kernel).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "harness/sweep/routing.h"
#include "kernels/core/cpu_features.h"
#include "kernels/dispatch.h"
#include "kernels/isa.h"
#include "kernels/moe/expert_pack.h"
#include "kernels/moe/moe_dispatch.h"
#include "kernels/moe/moe_gemm.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/registry.h"
#include "reference/golden/golden_moe.h"
#include "tests/kernels/gemm_tester.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

using harness::RouteKind;
constexpr int64_t kExperts = 16, kN = 40;  // N: two and a half 16-column strips
constexpr RouteKind kRoutes[] = {RouteKind::uniform, RouteKind::zipf, RouteKind::one, RouteKind::sparse};

int64_t moe_k(QType t) {
  if (traits(t).block_elems == 256) return 256;
  return traits(t).block_quantized ? 96 : 37;  // 3 blocks (an odd count); a K tail for plain types
}

// Every kernel alone, and every GEMM + GEMV (or GEMM + GEMM of another ISA) pair of one
// layout and activation format: the sets moe_gemm may be given.
std::vector<moe::MoeKernels> kernel_sets() {
  std::vector<moe::MoeKernels> out;
  for (const auto& a : kernel_registry()) {
    out.push_back({&a, &a, 2});
    for (const auto& b : kernel_registry()) {
      if (&a != &b && a.op == KernelOp::gemm && b.op == KernelOp::gemv && a.weight_type == b.weight_type &&
          a.layout == b.layout && a.act_type == b.act_type)
        out.push_back({&a, &b, 2});
    }
  }
  return out;
}

std::string set_name(const moe::MoeKernels& k) {
  std::string s = k.name();
  for (char& c : s)
    if (c == '+') c = '_';
  return s;
}

const moe::MoeKernels& set_named(const std::string& name) {
  static const std::vector<moe::MoeKernels> sets = kernel_sets();
  for (const auto& s : sets)
    if (set_name(s) == name) return s;
  throw std::runtime_error("no kernel set " + name);
}

std::string set_skip_reason(const moe::MoeKernels& k) {
  std::string why = skip_reason(*k.large);
  if (why.empty()) why = skip_reason(*k.small);
  return why;
}

// Data and the dense golden of every token with every expert: [T][E * N] bits; the MoE
// reference of route (t, j) is row t, columns ids[t][j] * N .. + N (golden per (token,
// slot), since golden's outputs are independent of each other; GoldenMoe proves it).
struct Fixture {
  GemmData data;
  std::vector<uint32_t> ref;
};
// kernel: the set's large kernel, whose exact model a BF16 reference follows (a set's two
// kernels follow the same one: check_moe_kernels).
const Fixture& fixture(QType t, int64_t tokens, const KernelDesc* kernel = nullptr) {
  static std::map<std::tuple<int, int64_t, bool>, Fixture> cache;
  const bool tdp = kernel != nullptr && kernel->on_tdpbf16ps();
  auto& f = cache[{static_cast<int>(t), tokens, tdp}];
  if (f.ref.empty()) {
    const int64_t k = moe_k(t);
    f.data = make_gemm_data(t, tokens, kExperts * kN, k, 1300 + static_cast<uint64_t>(tokens),
                            ActQuant::runtime, false);
    f.ref = reference_bits(t, f.data, tokens, kExperts * kN, k, kernel);
  }
  return f;
}

ParallelFor on_pool(threading::ThreadPool& pool) {
  return [&pool](int64_t count, const std::function<void(int64_t)>& fn) {
    pool.for_first_workers(static_cast<int>(count), fn);
  };
}

std::string hex(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

constexpr int64_t kPad = 3;  // dst row stride N + 3: the padding must stay untouched

uint32_t nan_bits() {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  uint32_t b;
  std::memcpy(&b, &nan, 4);
  return b;
}

// One moe_gemm call checked against the reference; false (with a message) on a mismatch.
bool check_call(const moe::MoeKernels& ks, const PackedWeights& w, QType t, int64_t tokens, int64_t top_k,
                RouteKind route, int threads, uint64_t seed) {
  const Fixture& f = fixture(t, tokens, ks.large);
  const int64_t k = moe_k(t), routes = tokens * top_k;
  const auto ids = harness::make_routing(route, tokens, top_k, kExperts, seed);
  std::vector<uint32_t> dst(static_cast<size_t>(routes * (kN + kPad)), nan_bits());
  const QType act = ks.large->act_type;
  const ActivationView a{act, f.data.activations.data(), row_bytes(act, k), tokens, k};
  const OutputView y{dst.data(), static_cast<size_t>(kN + kPad), routes, kN};
  moe::MoeScratch scratch;
  threading::ThreadPool& pool = pool_for(threads);
  const PackedWeights* ws[] = {&w};
  moe::moe_gemm(ks, ws, a, {ids, tokens, top_k}, y, threads, on_pool(pool), scratch);
  int64_t bad = 0;
  std::string first;
  for (int64_t r = 0; r < routes; ++r) {
    const int64_t tok = r / top_k, e = ids[static_cast<size_t>(r)];
    for (int64_t n = 0; n < kN + kPad; ++n) {
      const uint32_t got = dst[static_cast<size_t>(r * (kN + kPad) + n)];
      const uint32_t want =
          n < kN ? f.ref[static_cast<size_t>(tok * kExperts * kN + e * kN + n)] : nan_bits();
      if (got != want && bad++ == 0) {
        first = "dst[t=" + std::to_string(tok) + " slot=" + std::to_string(r % top_k) + " (expert " +
                std::to_string(e) + ")][" + std::to_string(n) + "] = 0x" + hex(got) + ", " +
                (n < kN ? "golden 0x" : "padding, untouched 0x") + hex(want);
      }
    }
  }
  if (bad == 0) return true;
  ADD_FAILURE() << ks.name() << " " << name(t) << " e" << kExperts << "top" << top_k << "t" << tokens << "n"
                << kN << "k" << k << " route=" << harness::name(route) << " threads=" << threads
                << " seed=" << seed << ": " << bad << " outputs differ; first " << first;
  return false;
}

class MoeKernelSet : public ::testing::TestWithParam<std::string> {};

// The whole matrix of issue #13: T in {1, 7, 64, 512} x top_k in {1, 2, 8} x the four
// routings x threads 1/2/3, for every kernel set (the emulated AMX ones included).
TEST_P(MoeKernelSet, BitwiseToGoldenForEveryRouting) {
  const moe::MoeKernels& ks = set_named(GetParam());
  if (const std::string why = set_skip_reason(ks); !why.empty()) GTEST_SKIP() << why;
  if (ks.large->engine == Engine::emulated) request_amx_permission();
  const QType t = ks.large->weight_type;
  for (const int64_t tokens : {1, 7, 64, 512}) {
    const Fixture& f = fixture(t, tokens, ks.large);
    const PackedWeights w = moe::pack_experts(
        *ks.large, t, f.data.weights, kExperts, kN, moe_k(t), default_memory_resource(),
        [](int64_t count, const std::function<void(int64_t)>& fn) { pool_for(2).parallel_for(count, fn); });
    uint64_t seed = 1;
    for (const int64_t top_k : {1, 2, 8}) {
      for (const RouteKind route : kRoutes) {
        for (const int threads : {1, 2, 3}) {
          if (!check_call(ks, w, t, tokens, top_k, route, threads, seed++)) return;
        }
      }
    }
  }
}

std::vector<std::string> set_names() {
  std::vector<std::string> out;
  for (const auto& s : kernel_sets()) {
    out.push_back(set_name(s));
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Sets, MoeKernelSet, ::testing::ValuesIn(set_names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

// A pair splits groups at large_min_rows: thresholds that put every group size on either
// kernel give the same bits.
TEST(Moe, ThresholdDoesNotChangeBits) {
  int pairs = 0;
  std::string skipped;
  for (const moe::MoeKernels& base : kernel_sets()) {
    if (base.large == base.small) continue;
    if (const std::string why = set_skip_reason(base); !why.empty()) {
      skipped += " " + base.name() + " (" + why + ");";
      continue;
    }
    ++pairs;
    for (const int64_t min_rows : {1, 5, 1 << 20}) {
      moe::MoeKernels ks = base;
      ks.large_min_rows = min_rows;
      const QType t = ks.large->weight_type;
      const Fixture& f = fixture(t, 64, ks.large);
      const PackedWeights w = moe::pack_experts(*ks.large, t, f.data.weights, kExperts, kN, moe_k(t));
      ASSERT_TRUE(check_call(ks, w, t, 64, 2, RouteKind::zipf, 2, 77)) << "large_min_rows=" << min_rows;
    }
  }
  if (pairs == 0) GTEST_SKIP() << "no GEMM + GEMV pair runs here:" << skipped;
}

// The auto choice is a valid set for every type that has a native kernel, and runs.
TEST(Moe, AutoChoiceForEveryType) {
  for (const QType t : kKernelWeightTypes) {
    std::string why;
    const moe::MoeKernels ks = moe::choose_moe_kernels(t, &why);
    EXPECT_NO_THROW(moe::check_moe_kernels(ks)) << why;
    EXPECT_NE(why.find(std::string(ks.large->name)), std::string::npos) << why;
    const Fixture& f = fixture(t, 7, ks.large);
    const PackedWeights w = moe::pack_experts(*ks.large, t, f.data.weights, kExperts, kN, moe_k(t));
    EXPECT_TRUE(check_call(ks, w, t, 7, 8, RouteKind::uniform, 2, 5)) << why;
  }
}

// With a routing whose expert groups all stay under the threshold (a decode step), the
// auto choice is the dispatcher's M = 1 kernel for every group when it reads another
// layout (the K-quants' nibble GEMV), runs bitwise to golden there, and keeps the pair
// as soon as one group reaches the threshold; Q4_0's GEMV shares the GEMM's layout and
// BF16's kernels have their own exact models, so neither changes.
TEST(Moe, AutoChoiceFollowsTheRoutingsLargestGroup) {
  for (const QType t : {QType::Q4_K, QType::Q6_K, QType::Q4_0, QType::BF16}) {
    SCOPED_TRACE(name(t));
    const moe::MoeKernels pair = moe::choose_moe_kernels(t);
    const KernelDesc& m1 = choose_kernel(t, 1);
    std::vector<int32_t> decode(8);  // one token, eight distinct experts
    for (int32_t j = 0; j < 8; ++j) decode[static_cast<size_t>(j)] = 2 * j;
    std::string why;
    const moe::MoeKernels ks = moe::choose_moe_kernels(t, decode, kExperts, &why);
    const bool switches =
        (t == QType::Q4_K || t == QType::Q6_K) && m1.layout != pair.large->layout && &m1 != pair.small;
    if (switches) {
      EXPECT_EQ(ks.large, &m1) << why;
      EXPECT_EQ(ks.small, &m1) << why;
      EXPECT_NE(why.find("at most 1"), std::string::npos) << why;
      const Fixture& f = fixture(t, 1, ks.large);
      const PackedWeights w = moe::pack_experts(*ks.large, t, f.data.weights, kExperts, kN, moe_k(t));
      EXPECT_TRUE(check_call(ks, w, t, 1, 8, RouteKind::uniform, 2, 6)) << why;
    } else {
      EXPECT_EQ(ks.large, pair.large) << why;
      EXPECT_EQ(ks.small, pair.small) << why;
    }
    // Four tokens on one expert: a group at the threshold keeps the pair.
    std::vector<int32_t> crowded(static_cast<size_t>(pair.large_min_rows), 5);
    const moe::MoeKernels kept = moe::choose_moe_kernels(t, crowded, kExperts, &why);
    EXPECT_EQ(kept.large, pair.large) << why;
    EXPECT_EQ(kept.small, pair.small) << why;
  }
}

// Golden per (token, slot) is the dense golden of the token with that expert.
TEST(Moe, GoldenPerRouteIsTheSingleExpertGemm) {
  for (const QType t : {QType::Q4_0, QType::Q4_1, QType::Q6_K}) {
    const Fixture& f = fixture(t, 7);
    const int64_t top_k = 3, k = moe_k(t);
    const auto ids = harness::make_routing(RouteKind::zipf, 7, top_k, kExperts, 3);
    std::vector<float> dst(static_cast<size_t>(7 * top_k * kN));
    golden::gemm_moe(t, f.data.weights, f.data.act_f32, ids, {kExperts, 7, top_k, kN, k}, ActQuant::runtime,
                     dst);
    for (int64_t r = 0; r < 7 * top_k; ++r) {
      for (int64_t n = 0; n < kN; ++n) {
        uint32_t got;
        std::memcpy(&got, &dst[static_cast<size_t>(r * kN + n)], 4);
        ASSERT_EQ(
            got,
            f.ref[static_cast<size_t>((r / top_k) * kExperts * kN + ids[static_cast<size_t>(r)] * kN + n)])
            << name(t) << " route " << r << " n " << n;
      }
    }
  }
  const std::vector<int32_t> bad = {0, 16};
  std::vector<float> dst(2 * kN);
  const Fixture& f = fixture(QType::Q4_0, 1);
  EXPECT_NE(error_of([&] {
              golden::gemm_moe(QType::Q4_0, f.data.weights, f.data.act_f32, bad, {kExperts, 1, 2, kN, 96},
                               ActQuant::runtime, dst);
            }).find("expert id 16 of token 0 slot 1 is outside [0, 16)"),
            std::string::npos);
}

// Expert-stacked packing: every layout family, the exact inverse and the checksum; each
// expert's bytes equal the expert packed alone.
TEST(Moe, StackedPackingRoundTrips) {
  std::map<Layout, bool> seen;
  for (const auto& k : kernel_registry()) {
    if (seen[k.layout]) continue;
    seen[k.layout] = true;
    const QType t = k.weight_type;
    const Fixture& f = fixture(t, 1);
    const int64_t kk = moe_k(t);
    const PackedWeights w = moe::pack_experts(k, t, f.data.weights, kExperts, kN, kk);
    EXPECT_TRUE(w.expert_stacked());
    EXPECT_EQ(w.experts(), kExperts);
    EXPECT_EQ(w.expert_stride() % 64, 0u);
    EXPECT_EQ(w.source_checksum(), checksum_bytes(f.data.weights)) << k.name;
    EXPECT_EQ(moe::unpack_experts(w), f.data.weights) << k.name;
    const size_t src = row_bytes(t, kk) * kN;
    const PackedWeights alone = k.pack(t, std::span<const std::byte>(f.data.weights).subspan(5 * src, src),
                                       kN, kk, default_memory_resource());
    const PackedWeights five = w.expert(5);
    ASSERT_EQ(five.bytes().size(), alone.bytes().size()) << k.name;
    EXPECT_EQ(std::memcmp(five.bytes().data(), alone.bytes().data(), alone.bytes().size()), 0) << k.name;
  }
}

// The cut: one expert with every token still uses every worker, in shares within 25 % of
// each other; a decode step's one-row groups are split too.
TEST(Moe, WorkIsBalancedByRowsAndColumns) {
  const moe::MoeKernels ks = moe::moe_kernels_named("q4_0_gemm_32x32__amx_emulated", QType::Q4_0);
  for (const auto& [tokens, top_k, route, workers] :
       std::vector<std::tuple<int64_t, int64_t, RouteKind, int>>{{512, 1, RouteKind::one, 3},
                                                                 {512, 1, RouteKind::one, 16},
                                                                 {512, 8, RouteKind::uniform, 3},
                                                                 {1, 8, RouteKind::uniform, 2}}) {
    const auto ids = harness::make_routing(route, tokens, top_k, 128, 9);
    moe::MoePlan plan;
    moe::plan_moe(ks, 128, 768, 2048, {ids, tokens, top_k}, workers, plan);
    ASSERT_EQ(plan.workers(), workers) << tokens << " tokens";
    std::vector<int64_t> cost(static_cast<size_t>(workers));
    for (int w = 0; w < workers; ++w) {
      for (size_t i = plan.bundle[static_cast<size_t>(w)]; i < plan.bundle[static_cast<size_t>(w) + 1]; ++i) {
        const auto& p = plan.pieces[i];
        cost[static_cast<size_t>(w)] += (p.n1 - p.n0) * (p.m1 - p.m0);
      }
    }
    const auto [lo, hi] = std::minmax_element(cost.begin(), cost.end());
    EXPECT_GT(*lo, 0);
    EXPECT_LE(static_cast<double>(*hi), 1.25 * static_cast<double>(*lo))
        << tokens << " tokens, " << workers << " workers";
  }
}

// Bad input: a clear error and dst untouched (still the NaN poison).
TEST(Moe, BadInputIsRefusedAndWritesNothing) {
  // The checks are the MoE entry's, whatever the kernels: the vnni16 pair this CPU runs.
  const moe::MoeKernels ks = moe::moe_kernels_named(
      isa_supported(kIsaAvx512 | kIsaAvx512Vnni) ? "q4_0_gemm_4x32__avx512vnni+q4_0_gemv_1x64__avx512vnni"
                                                 : "q4_0_gemm_3x16__avx2",
      QType::Q4_0);
  const Fixture& f = fixture(QType::Q4_0, 7);
  const PackedWeights w = moe::pack_experts(*ks.large, QType::Q4_0, f.data.weights, kExperts, kN, 96);
  const PackedWeights plain = ks.large->pack(QType::Q4_0, f.data.weights, kN, 96, default_memory_resource());
  const size_t arow = row_bytes(QType::Q8_0, 96);
  std::vector<uint32_t> dst(static_cast<size_t>(14 * kN), nan_bits());
  const ActivationView a{QType::Q8_0, f.data.activations.data(), arow, 7, 96};
  const OutputView y{dst.data(), static_cast<size_t>(kN), 14, kN};
  std::vector<int32_t> ids = harness::make_routing(RouteKind::uniform, 7, 2, kExperts, 1);
  moe::MoeScratch scratch;
  const auto run = [&](const PackedWeights& weights, const ActivationView& av, const OutputView& yv,
                       std::span<const int32_t> route_ids, int64_t top_k) {
    const PackedWeights* ws[] = {&weights};
    return error_of(
        [&] { moe::moe_gemm(ks, ws, av, {route_ids, 7, top_k}, yv, 2, on_pool(pool_for(2)), scratch); });
  };
  auto bad = ids;
  bad[5] = 16;
  EXPECT_NE(run(w, a, y, bad, 2).find("expert id 16 of token 2 slot 1 is outside [0, 16)"),
            std::string::npos);
  bad[5] = -1;
  EXPECT_NE(run(w, a, y, bad, 2).find("expert id -1 of token 2 slot 1"), std::string::npos);
  EXPECT_NE(run(w, a, y, std::span(ids).first(13), 2).find("13 expert ids for 7 tokens x top-2"),
            std::string::npos);
  // A token naming one expert twice (a router's top-k are distinct; top_k <= E rests on it).
  bad = ids;
  bad[7] = bad[6];
  EXPECT_NE(run(w, a, y, bad, 2).find("token 3 names expert " + std::to_string(bad[6]) + " twice (slot 1"),
            std::string::npos);
  // No tokens, no slots.
  EXPECT_NE(error_of([&] {
              const PackedWeights* ws[] = {&w};
              moe::moe_gemm(ks, ws, a, {std::span<const int32_t>(), 0, 2}, y, 2, serial_for(), scratch);
            }).find("routing of 0 tokens x top-2 (both must be >= 1)"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              const PackedWeights* ws[] = {&w};
              moe::moe_gemm(ks, ws, a, {std::span<const int32_t>(), 7, 0}, y, 2, serial_for(), scratch);
            }).find("routing of 7 tokens x top-0 (both must be >= 1)"),
            std::string::npos);
  EXPECT_NE(run(plain, a, y, ids, 2).find("not expert-stacked"), std::string::npos);
  const ActivationView short_a{QType::Q8_0, a.bytes, arow, 6, 96};
  EXPECT_NE(run(w, short_a, y, ids, 2).find("activations are q8_0 [6][96]"), std::string::npos);
  const OutputView short_y{dst.data(), static_cast<size_t>(kN), 13, kN};
  EXPECT_NE(run(w, a, short_y, ids, 2).find("dst is [13][40]"), std::string::npos);
  EXPECT_NE(run(w, a, y, ids, 17).find("top-17 of 16 experts"), std::string::npos);
  EXPECT_NE(error_of([&] {
              const PackedWeights* ws[] = {&w};
              moe::moe_gemm(ks, ws, a, {ids, 7, 2}, y, 0, serial_for(), scratch);
            }).find("workers = 0"),
            std::string::npos);
  // Per-worker copies (one per NUMA node) must hold the same experts, whole: a copy packed
  // from other bytes would make the output depend on the worker count, a moved-from one
  // fail in a worker after others had written.
  {
    auto other_rows = std::vector<std::byte>(f.data.weights.begin(), f.data.weights.end());
    other_rows[2] ^= std::byte{1};
    const PackedWeights other = moe::pack_experts(*ks.large, QType::Q4_0, other_rows, kExperts, kN, 96);
    PackedWeights moved = moe::pack_experts(*ks.large, QType::Q4_0, f.data.weights, kExperts, kN, 96);
    const PackedWeights taken = std::move(moved);
    const auto with_copies = [&](const PackedWeights& second) {
      const PackedWeights* ws[] = {&w, &second};
      return error_of([&] { moe::moe_gemm(ks, ws, a, {ids, 7, 2}, y, 2, on_pool(pool_for(2)), scratch); });
    };
    EXPECT_NE(with_copies(other).find("copy 1 was packed from other GGUF bytes"), std::string::npos);
    EXPECT_NE(with_copies(moved).find("copy 1 was moved from"),
              std::string::npos);  // NOLINT(bugprone-use-after-move)
    {
      const PackedWeights* ws[] = {&w, &taken};  // the same experts: runs
      EXPECT_NO_THROW(moe::moe_gemm(ks, ws, a, {ids, 7, 2}, y, 2, on_pool(pool_for(2)), scratch));
    }
    std::fill(dst.begin(), dst.end(), nan_bits());
  }
  // dst over the activations' bytes: refused before anything is read or written.
  {
    std::vector<std::byte> buf(static_cast<size_t>(14 * kN) * 4);
    std::memcpy(buf.data(), f.data.activations.data(), 7 * arow);
    const auto before = buf;
    const ActivationView in_buf{QType::Q8_0, buf.data(), arow, 7, 96};
    const OutputView over{buf.data(), static_cast<size_t>(kN), 14, kN};
    EXPECT_NE(run(w, in_buf, over, ids, 2).find("dst overlaps the activations"), std::string::npos);
    EXPECT_EQ(buf, before);
    const OutputView over_dense{buf.data(), static_cast<size_t>(kN), 7, kN};
    EXPECT_NE(error_of([&] {
                ks.large->run(plain, in_buf, over_dense, Slice{0, 7, 0, kN});
              }).find("the output overlaps the activations"),
              std::string::npos);
    EXPECT_EQ(buf, before);
  }
  // Stacked weights built by hand whose experts are smaller than their layout needs for
  // N x K: every group's kernel refuses its expert before it writes, so nothing is written
  // whichever worker fails first.
  {
    PackedWeights hand =
        PackedWeights::stacked(QType::Q4_0, w.layout(), kExperts, kN, 96, w.expert_bytes() - 64,
                               w.source_checksum(), default_memory_resource());
    std::fill(hand.mutable_bytes().begin(), hand.mutable_bytes().end(), std::byte{0});
    const std::string e = run(hand, a, y, ids, 2);
    EXPECT_NE(e.find("packed weights hold " + std::to_string(w.expert_bytes() - 64) + " bytes"),
              std::string::npos)
        << e;
  }
  // Kernels that cannot run here (an ISA cap below them): refused before a group runs.
  {
    const IsaLevel cap = isa_cap();
    set_isa_cap(IsaLevel::portable);
    const std::string e = run(w, a, y, ids, 2);
    set_isa_cap(cap);
    EXPECT_NE(e.find("cannot run here"), std::string::npos) << e;
  }
  for (const uint32_t v : dst) ASSERT_EQ(v, nan_bits()) << "a refused call wrote dst";
  // A stacked tensor handed to a GEMM kernel directly is refused too.
  const OutputView one{dst.data(), static_cast<size_t>(kN), 7, kN};
  EXPECT_NE(error_of([&] { ks.large->run(w, a, one, Slice{0, 7, 0, kN}); }).find("expert-stacked"),
            std::string::npos);
  for (const uint32_t v : dst) ASSERT_EQ(v, nan_bits()) << "a refused call wrote dst";
  EXPECT_NE(error_of([&] {
              (void)moe::moe_kernels_named("q4_0_gemm_1x1__portable+q8_0_gemm_1x1__portable", QType::Q4_0);
            }).find("reads q8_0 weights"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              (void)moe::moe_kernels_named("q4_0_gemm_1x1__portable+q4_0_gemm_32x32__amx_emulated",
                                           QType::Q4_0);
            }).find("must read the same packed experts"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { (void)moe::moe_kernels_named("nope", QType::Q4_0); }).find("unknown kernel 'nope'"),
      std::string::npos);
}

// Sizes that would wrap size_t (N = K = 2^34: row bytes x N is 0 mod 2^64) are refused
// by name before a packer, quantiser or kernel multiplies them; the buffers are tiny, so a
// wrapped size check would have written far past them.
TEST(Shapes, HugeDimensionsAreRefusedBeforeTheyWrap) {
  const KernelDesc* k = find_kernel(isa_supported(kIsaAvx512 | kIsaAvx512Vnni) ? "q8_0_gemm_4x32__avx512vnni"
                                                                               : "q8_0_gemm_1x1__portable");
  ASSERT_NE(k, nullptr);
  std::vector<std::byte> tiny(64);
  std::vector<float> floats(16);
  const int64_t huge = int64_t{1} << 34;
  const auto refused = [](const std::string& e) {
    return e.find("is outside what amxlab takes") != std::string::npos;
  };
  EXPECT_TRUE(
      refused(error_of([&] { (void)k->pack(QType::Q8_0, tiny, huge, huge, default_memory_resource()); })));
  EXPECT_TRUE(refused(error_of([&] { (void)moe::pack_experts(*k, QType::Q8_0, tiny, 1, huge, huge); })));
  EXPECT_TRUE(refused(error_of([&] { k->quantize(ActQuant::runtime, floats, huge, huge, tiny); })));
  EXPECT_TRUE(refused(
      error_of([&] { quantize_activations(QType::Q8_0, ActQuant::runtime, floats, huge, huge, tiny); })));
  EXPECT_TRUE(refused(error_of([&] {
    (void)PackedWeights(QType::Q4_0, Layout::q4_0_vnni16, int64_t{1} << 62, 64, 0, 0,
                        default_memory_resource());
  })));
  EXPECT_TRUE(refused(error_of([&] {
    (void)PackedWeights::stacked(QType::Q4_0, Layout::q4_0_vnni16, huge, 64, 64, 64, 0,
                                 default_memory_resource());
  })));
  std::vector<float> out(16);
  EXPECT_TRUE(refused(error_of([&] { dequantize(QType::Q8_0, tiny, huge, huge, out); })));
  EXPECT_TRUE(std::all_of(tiny.begin(), tiny.end(), [](std::byte b) { return b == std::byte{0}; }));
  EXPECT_NO_THROW(require_dims("t", kMaxDim, 512));  // the bounds themselves pass
}

// ik_llama.cpp: expert weights packed for AMX were read by a kernel expecting another
// layout, and the model produced NaN. Here every such hand-off is refused, dst untouched.
TEST(Moe, AmxPackedExpertsHandedToAnotherKernelAreRefused) {
  request_amx_permission();
  const moe::MoeKernels amx = moe::moe_kernels_named("q4_0_gemm_32x32__amx_emulated", QType::Q4_0);
  const moe::MoeKernels vnni = moe::moe_kernels_named("q4_0_gemm_1x1__portable", QType::Q4_0);
  const Fixture& f = fixture(QType::Q4_0, 7);
  const PackedWeights w = moe::pack_experts(*amx.large, QType::Q4_0, f.data.weights, kExperts, kN, 96);
  ASSERT_EQ(w.layout(), Layout::q4_0_amx_tile);
  std::vector<uint32_t> dst(static_cast<size_t>(7 * kN), nan_bits());
  const ActivationView a{QType::Q8_0, f.data.activations.data(), row_bytes(QType::Q8_0, 96), 7, 96};
  const auto ids = harness::make_routing(RouteKind::uniform, 7, 1, kExperts, 2);
  moe::MoeScratch scratch;
  const PackedWeights* ws[] = {&w};
  const OutputView y{dst.data(), static_cast<size_t>(kN), 7, kN};
  const std::string e1 =
      error_of([&] { moe::moe_gemm(vnni, ws, a, {ids, 7, 1}, y, 1, serial_for(), scratch); });
  EXPECT_NE(
      e1.find("the experts are packed as q4_0/q4_0_amx_tile, q4_0_gemm_1x1__portable reads q4_0/q4_0_vnni16"),
      std::string::npos)
      << e1;
  const std::string e2 = error_of([&] { vnni.large->run(w.expert(3), a, y, Slice{0, 7, 0, kN}); });
  EXPECT_NE(e2.find("weights are q4_0/q4_0_amx_tile, this kernel reads q4_0/q4_0_vnni16"), std::string::npos)
      << e2;
  for (const uint32_t v : dst) ASSERT_EQ(v, nan_bits()) << "a refused call wrote dst";
  // The right kernel on the same weights: golden's bits, no NaN.
  EXPECT_TRUE(check_call(amx, w, QType::Q4_0, 7, 1, RouteKind::uniform, 1, 2));
}

}  // namespace
}  // namespace amxlab::testing
