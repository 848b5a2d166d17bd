// oneDNN matmul wrappers against the golden model: raw integer GEMMs bitwise, bf16 and
// f32 within the golden model's analytic bound; reuse, dst overwrite, bad calls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"
#include "reference/onednn/matmul.h"
#include "tests/test_util.h"

namespace amxlab::onednn {
namespace {

struct Shape3 {
  int64_t m, n, k;
};

std::vector<Shape3> sweep() {
  std::vector<Shape3> s;
  for (int64_t m : {1, 3, 16, 17})
    for (int64_t n : {1, 5, 16, 33})
      for (int64_t k : {4, 64, 100}) s.push_back({m, n, k});
  return s;
}

std::string text(const Shape3& s) {
  return "m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
}

// Integer fills as benchdnn keeps them: sums far from int32 overflow (K <= 100 here).
// Without VNNI (CPU, or an ISA cap such as ONEDNN_MAX_CPU_ISA=AVX512_CORE) oneDNN's int8
// path (vpmaddubsw) saturates pairs of products at int16, so the range shrinks.
bool has_vnni() {
  const std::string isa = effective_isa_name();
  return isa.find("vnni") != std::string::npos || isa.find("bf16") != std::string::npos ||
         isa.find("amx") != std::string::npos;
}

// oneDNN has no bf16 matmul below AVX512_CORE (e.g. under ONEDNN_MAX_CPU_ISA=AVX2).
bool bf16_available() {
  try {
    Matmul probe(MatmulKind::bf16bf16f32, 1, 1, 4);
    return true;
  } catch (const Error& e) {
    if (std::string(e.what()).find("unimplemented") != std::string::npos) return false;
    throw;
  }
}

const std::vector<MatmulKind>& kinds() {
  static const std::vector<MatmulKind> k = [] {
    std::vector<MatmulKind> v = {MatmulKind::u8s8s32, MatmulKind::s8s8s32, MatmulKind::f32f32f32};
    if (bf16_available()) v.push_back(MatmulKind::bf16bf16f32);
    return v;
  }();
  return k;
}

template <class T>
std::vector<T> fill_int(size_t n, int lo, int hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

std::vector<uint16_t> to_bf16(const std::vector<float>& f) {
  std::vector<uint16_t> v(f.size());
  for (size_t i = 0; i < f.size(); ++i) v[i] = f32_to_bf16(f[i]);
  return v;
}

size_t sz(int64_t a, int64_t b) {
  return static_cast<size_t>(a) * static_cast<size_t>(b);
}

TEST(OnednnMatmul, U8S8S32BitwiseEqualsGolden) {
  const int alo = 0, ahi = has_vnni() ? 255 : 63, wlo = has_vnni() ? -128 : -64, whi = has_vnni() ? 127 : 63;
  for (const Shape3& s : sweep()) {
    const auto a = fill_int<uint8_t>(sz(s.m, s.k), alo, ahi, 1);
    const auto w = fill_int<int8_t>(sz(s.n, s.k), wlo, whi, 2);
    std::vector<int32_t> want(sz(s.m, s.n)), got(sz(s.m, s.n), 0x7f7f7f7f);
    golden::gemm_u8s8(a, w, {s.m, s.n, s.k}, want);
    Matmul mm(MatmulKind::u8s8s32, s.m, s.n, s.k);
    mm.set_weights(w.data());
    mm.run(a.data(), got.data());
    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * 4)) << text(s) << " impl " << mm.impl();
  }
}

TEST(OnednnMatmul, S8S8S32BitwiseEqualsGolden) {
  const int lo = has_vnni() ? -128 : -64, hi = has_vnni() ? 127 : 63;
  for (const Shape3& s : sweep()) {
    const auto a = fill_int<int8_t>(sz(s.m, s.k), lo, hi, 3);
    const auto w = fill_int<int8_t>(sz(s.n, s.k), lo, hi, 4);
    std::vector<int32_t> want(sz(s.m, s.n)), got(sz(s.m, s.n), 0x7f7f7f7f);
    golden::gemm_s8s8(a, w, {s.m, s.n, s.k}, want);
    Matmul mm(MatmulKind::s8s8s32, s.m, s.n, s.k);
    mm.set_weights(w.data());
    mm.run(a.data(), got.data());
    ASSERT_EQ(0, std::memcmp(want.data(), got.data(), want.size() * 4)) << text(s) << " impl " << mm.impl();
  }
}

TEST(OnednnMatmul, Bf16WithinGoldenBound) {
  if (!bf16_available()) GTEST_SKIP() << "oneDNN has no bf16 matmul under ISA " << effective_isa_name();
  for (const Shape3& s : sweep()) {
    const auto a = to_bf16(testing::normal_floats(sz(s.m, s.k), 5));
    const auto w = to_bf16(testing::normal_floats(sz(s.n, s.k), 6));
    std::vector<float> got(sz(s.m, s.n), std::numeric_limits<float>::quiet_NaN());
    Matmul mm(MatmulKind::bf16bf16f32, s.m, s.n, s.k);
    mm.set_weights(w.data());
    mm.run(a.data(), got.data());
    // VDPBF16PS (oneDNN's AVX512_BF16 path) treats denormals as zero and flushes outputs.
    const golden::ExactModel e = golden::exact_model_bf16(a, w, {s.m, s.n, s.k}, true);
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_LE(std::fabs(static_cast<double>(got[i]) - e.y[i]), e.bound[i])
          << text(s) << " y[" << i / static_cast<size_t>(s.n) << "][" << i % static_cast<size_t>(s.n)
          << "] impl " << mm.impl();
    }
  }
}

TEST(OnednnMatmul, F32WithinGoldenBound) {
  for (const Shape3& s : sweep()) {
    const auto a = testing::normal_floats(sz(s.m, s.k), 7);
    const auto w = testing::normal_floats(sz(s.n, s.k), 8);
    std::vector<float> got(sz(s.m, s.n), std::numeric_limits<float>::quiet_NaN());
    Matmul mm(MatmulKind::f32f32f32, s.m, s.n, s.k);
    mm.set_weights(w.data());
    mm.run(a.data(), got.data());
    const golden::ExactModel e = golden::exact_model_f32(a, w, {s.m, s.n, s.k});
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_LE(std::fabs(static_cast<double>(got[i]) - e.y[i]), e.bound[i])
          << text(s) << " y[" << i / static_cast<size_t>(s.n) << "][" << i % static_cast<size_t>(s.n)
          << "] impl " << mm.impl();
    }
  }
}

TEST(OnednnMatmul, ImplStringAndSizes) {
  for (MatmulKind kind : kinds()) {
    Matmul mm(kind, 16, 64, 128);
    EXPECT_FALSE(mm.impl().empty()) << name(kind);
    EXPECT_EQ(mm.weight_bytes(), 64u * 128u * input_elem_bytes(kind)) << name(kind);
    EXPECT_GE(mm.packed_weight_bytes(), mm.weight_bytes()) << name(kind);
    EXPECT_GE(mm.threads(), 1);
    std::printf("oneDNN %s 16x64x128: %s, packed weights %zu bytes, %d thread(s)\n", name(kind).c_str(),
                mm.impl().c_str(), mm.packed_weight_bytes(), mm.threads());
  }
}

TEST(OnednnMatmul, ReusedPrimitiveGivesTheSameBits) {
  const Shape3 s{17, 33, 100};
  const bool full = has_vnni();
  const auto w = fill_int<int8_t>(sz(s.n, s.k), full ? -128 : -64, full ? 127 : 63, 9);
  const auto a1 = fill_int<uint8_t>(sz(s.m, s.k), 0, full ? 255 : 63, 10);
  const auto a2 = fill_int<uint8_t>(sz(s.m, s.k), 0, full ? 255 : 63, 11);
  Matmul mm(MatmulKind::u8s8s32, s.m, s.n, s.k);
  mm.set_weights(w.data());
  std::vector<int32_t> first(sz(s.m, s.n)), other(sz(s.m, s.n)), again(sz(s.m, s.n));
  mm.run(a1.data(), first.data());
  for (int r = 0; r < 3; ++r) {
    mm.run(a2.data(), other.data());
    std::fill(again.begin(), again.end(), -1);
    mm.run(a1.data(), again.data());
    ASSERT_EQ(first, again) << "run " << r;
  }
  std::vector<int32_t> want(sz(s.m, s.n));
  golden::gemm_u8s8(a2, w, {s.m, s.n, s.k}, want);
  EXPECT_EQ(want, other);

  // f32 too: the same inputs give the same bits on every run.
  const auto wf = testing::normal_floats(sz(s.n, s.k), 12);
  const auto af = testing::normal_floats(sz(s.m, s.k), 13);
  Matmul mf(MatmulKind::f32f32f32, s.m, s.n, s.k);
  mf.set_weights(wf.data());
  std::vector<float> y1(sz(s.m, s.n)), y2(sz(s.m, s.n));
  mf.run(af.data(), y1.data());
  for (int r = 0; r < 3; ++r) {
    mf.run(af.data(), y2.data());
    ASSERT_EQ(0, std::memcmp(y1.data(), y2.data(), y1.size() * 4)) << "run " << r;
  }
}

TEST(OnednnMatmul, NanPoisonedDstIsFullyOverwritten) {
  for (MatmulKind kind : kinds()) {
    const Shape3 s{17, 33, 64};
    std::vector<std::byte> a(sz(s.m, s.k) * input_elem_bytes(kind)), w(sz(s.n, s.k) * input_elem_bytes(kind));
    if (kind == MatmulKind::f32f32f32) {
      const auto af = testing::normal_floats(sz(s.m, s.k), 14), wf = testing::normal_floats(sz(s.n, s.k), 15);
      std::memcpy(a.data(), af.data(), a.size());
      std::memcpy(w.data(), wf.data(), w.size());
    } else if (kind == MatmulKind::bf16bf16f32) {
      const auto ab = to_bf16(testing::normal_floats(sz(s.m, s.k), 14)),
                 wb = to_bf16(testing::normal_floats(sz(s.n, s.k), 15));
      std::memcpy(a.data(), ab.data(), a.size());
      std::memcpy(w.data(), wb.data(), w.size());
    } else {
      const auto ai = fill_int<uint8_t>(a.size(), 0, 127, 14), wi = fill_int<uint8_t>(w.size(), 0, 127, 15);
      std::memcpy(a.data(), ai.data(), a.size());
      std::memcpy(w.data(), wi.data(), w.size());
    }
    std::vector<float> y(sz(s.m, s.n), std::numeric_limits<float>::quiet_NaN());  // s32 NaN bits too
    Matmul mm(kind, s.m, s.n, s.k);
    mm.set_weights(w.data());
    mm.run(a.data(), y.data());
    uint32_t nan_bits;
    const float qnan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(&nan_bits, &qnan, 4);
    for (size_t i = 0; i < y.size(); ++i) {
      uint32_t bits;
      std::memcpy(&bits, &y[i], 4);
      ASSERT_NE(bits, nan_bits) << name(kind) << " element " << i << " not written";
      if (kind == MatmulKind::bf16bf16f32 || kind == MatmulKind::f32f32f32) {
        ASSERT_FALSE(std::isnan(y[i])) << i;
      }
    }
  }
}

TEST(OnednnMatmul, BadCallsAreErrors) {
  using amxlab::testing::error_of;
  EXPECT_NE(error_of([] { Matmul(MatmulKind::u8s8s32, 0, 4, 4); }).find("m=0"), std::string::npos);
  Matmul mm(MatmulKind::u8s8s32, 2, 3, 4);
  std::vector<uint8_t> a(8);
  std::vector<int32_t> y(6);
  EXPECT_NE(error_of([&] { mm.run(a.data(), y.data()); }).find("before set_weights"), std::string::npos);
  EXPECT_NE(error_of([&] { mm.set_weights(nullptr); }).find("nullptr"), std::string::npos);
}

TEST(OnednnRuntime, ThreadsAndWaitPolicy) {
  set_threads(1);
  EXPECT_EQ(max_threads(), 1);
  Matmul mm(MatmulKind::f32f32f32, 4, 4, 4);
  EXPECT_EQ(mm.threads(), 1);
  set_threads(2);
  EXPECT_EQ(max_threads(), 2);
  EXPECT_FALSE(amxlab::testing::error_of([] { set_threads(0); }).empty());
  EXPECT_FALSE(omp_wait_policy().empty());
}

TEST(OnednnRuntime, IsaNamesAndSubprocessSetting) {
  EXPECT_EQ(isa_subprocess_args(Isa::avx512_core_amx), "ONEDNN_MAX_CPU_ISA=AVX512_CORE_AMX");
  EXPECT_EQ(isa_subprocess_args(Isa::avx512_core_vnni), "ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI");
  Isa i{};
  EXPECT_TRUE(parse_isa("AVX512_CORE_BF16", i));
  EXPECT_EQ(i, Isa::avx512_core_bf16);
  EXPECT_TRUE(parse_isa("avx2_vnni", i));
  EXPECT_EQ(i, Isa::avx2_vnni);
  EXPECT_FALSE(parse_isa("avx1024", i));
}

TEST(OnednnRuntime, CapAfterFirstUseIsAClearError) {
  Matmul mm(MatmulKind::u8s8s32, 2, 2, 4);  // oneDNN has now chosen its ISA
  const std::string e = amxlab::testing::error_of([] { set_max_isa(Isa::avx512_core_vnni); });
  EXPECT_NE(e.find("before any other oneDNN call"), std::string::npos) << e;
  EXPECT_NE(e.find("ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI"), std::string::npos) << e;
  EXPECT_FALSE(effective_isa_name().empty());
}

}  // namespace
}  // namespace amxlab::onednn
