// The AVX-512 and AVX2 activation quantisers against kernels/core's quantize_activations: the same
// bytes on random, tie, zero, denormal and extreme inputs, both variants, Q8_0, Q8_1 and
// Q8_K (with its bsums); Inf/NaN rows are errors naming the row with nothing written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/fp16.h"
#include "kernels/isa.h"
#include "kernels/registry.h"
#include "kernels/vnni/vnni_kernels.h"
#include "tests/kernels/gemm_tester.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

using QuantFn = void (*)(ActQuant, std::span<const float>, int64_t, int64_t, std::span<std::byte>);

struct Case {
  QType act;
  QuantFn fn;
};

// One ISA level's quantisers (the suite runs for each; a level the CPU lacks is skipped
// with the reason).
struct Level {
  const char* name;
  uint32_t isa;
  QuantFn q8_0, q8_1, q8_k;
};
const Level kLevels[] = {
    {"avx512", kIsaAvx512, &vnni::quantize_q8_0_avx512, &vnni::quantize_q8_1_avx512,
     &vnni::quantize_q8_k_avx512},
    {"avx2", kIsaAvx2, &vnni::quantize_q8_0_avx2, &vnni::quantize_q8_1_avx2, &vnni::quantize_q8_k_avx2},
};

// The quantisers `cases` against the scalar definition, both variants; a difference names
// the block and the byte in it.
void expect_same(std::span<const Case> cases, const std::vector<float>& x, int64_t m, int64_t k,
                 const std::string& label) {
  for (const Case& c : cases) {
    for (ActQuant v : {ActQuant::runtime, ActQuant::ref}) {
      const size_t bytes = row_bytes(c.act, k) * static_cast<size_t>(m);
      std::vector<std::byte> want(bytes), got(bytes, std::byte{0x5a});
      quantize_activations(c.act, v, x, m, k, want);
      c.fn(v, x, m, k, got);
      const auto diff = std::mismatch(got.begin(), got.end(), want.begin());
      const auto at = static_cast<size_t>(diff.first - got.begin());
      const size_t block = traits(c.act).block_bytes;
      EXPECT_TRUE(diff.first == got.end())
          << label << " " << name(c.act) << " " << name(v) << ": first differing byte " << at << " (block "
          << at / block << ", byte " << at % block << " in it)";
    }
  }
}

void PrintTo(const Level& l, std::ostream* os) {
  *os << l.name;
}

class VectorQuantize : public ::testing::TestWithParam<Level> {
 protected:
  void SetUp() override {
    std::string why;
    if (!isa_supported(GetParam().isa, &why)) GTEST_SKIP() << why;
  }
  std::vector<Case> cases() const { return {{QType::Q8_0, GetParam().q8_0}, {QType::Q8_1, GetParam().q8_1}}; }
  void expect_same(const std::vector<float>& x, int64_t m, int64_t k, const std::string& label) const {
    testing::expect_same(cases(), x, m, k, label);
  }
  // Q8_K: 256-element super-blocks with group sums; one definition for both variants.
  void expect_same_q8_k(const std::vector<float>& x, int64_t m, int64_t k, const std::string& label) const {
    const Case q8_k[] = {{QType::Q8_K, GetParam().q8_k}};
    testing::expect_same(q8_k, x, m, k, label);
  }
};
INSTANTIATE_TEST_SUITE_P(Levels, VectorQuantize, ::testing::ValuesIn(kLevels),
                         [](const ::testing::TestParamInfo<Level>& p) { return std::string(p.param.name); });

// m rows of k normal values, each `block` of them scaled by its own power of two in
// 2^-30 .. 2^30 (every block's scale far from its neighbours').
std::vector<float> scaled_normal_rows(std::mt19937_64& rng, int64_t m, int64_t k, size_t block) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> expo(-30.0f, 30.0f);
  std::vector<float> x(static_cast<size_t>(m * k));
  for (size_t i = 0; i < x.size(); i += block) {
    const float s = std::exp2(expo(rng));
    for (size_t j = 0; j < block; ++j) x[i + j] = normal(rng) * s;
  }
  return x;
}

TEST_P(VectorQuantize, RandomRows) {
  std::mt19937_64 rng(1);
  for (int64_t k : {32, 64, 96, 2080}) expect_same(scaled_normal_rows(rng, 9, k, 32), 9, k, "random");
}

TEST_P(VectorQuantize, TiesZerosDenormalsAndExtremes) {
  std::vector<float> x;
  auto block = [&](auto f) {
    for (int i = 0; i < 32; ++i) x.push_back(f(i));
  };
  // Exact ties: amax = 127 gives inv = 1, so x.5 values are ties (ref and runtime differ).
  block([](int i) { return i == 0 ? 127.0f : static_cast<float>(i) - 15.5f; });
  block([](int i) { return i == 0 ? -127.0f : 0.5f + static_cast<float>(i % 7); });
  block([](int i) { return i == 31 ? 254.0f : static_cast<float>(i) * 2.0f + 1.0f; });  // ties after * 0.5
  block([](int) { return 0.0f; });
  block([](int i) { return i % 2 ? -0.0f : 0.0f; });
  block([](int i) {
    return std::numeric_limits<float>::denorm_min() * static_cast<float>(i);
  });  // denormal-only
  block([](int i) {
    return static_cast<float>(i % 3 - 1) * std::numeric_limits<float>::min() * 0.75f;
  });                                                                                // denormal
  block([](int i) { return i == 5 ? std::numeric_limits<float>::min() : 1e-39f; });  // tiny normal + denormal
  block([](int i) { return i == 3 ? std::numeric_limits<float>::max() : -1.0f * static_cast<float>(i); });
  block([](int i) { return -std::numeric_limits<float>::max() * (i == 0 ? 1.0f : 0.5f); });
  block([](int i) { return i == 7 ? 1e-30f : 0.0f; });
  block([](int i) { return static_cast<float>(i) * 1e-3f - 0.0155f; });
  block([](int i) { return 65504.0f * 127.0f * (i == 1 ? 1.0f : 0.1f); });  // d beyond fp16 range
  const auto k = static_cast<int64_t>(x.size());
  expect_same(x, 1, k, "special (one row)");
  expect_same(x, 13, 32, "special (one block per row)");
}

TEST_P(VectorQuantize, NonFiniteRowIsAnErrorAndNothingIsWritten) {
  for (const Case& c : cases()) {
    for (float bad : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN()}) {
      const int64_t m = 4, k = 64;
      std::vector<float> x(static_cast<size_t>(m * k), 1.0f);
      x[2 * 64 + 37] = bad;
      x[3 * 64 + 1] = bad;
      std::vector<std::byte> out(row_bytes(c.act, k) * m, std::byte{0x5a});
      const std::string msg = error_of([&] { c.fn(ActQuant::runtime, x, m, k, out); });
      EXPECT_NE(msg.find("row 2"), std::string::npos) << msg;
      EXPECT_NE(msg.find("column 37"), std::string::npos) << msg;
      EXPECT_NE(msg.find(std::isnan(bad) ? "NaN" : "Inf"), std::string::npos) << msg;
      for (std::byte b : out) ASSERT_EQ(b, std::byte{0x5a});
    }
  }
}

TEST_P(VectorQuantize, Q8_KRandomRows) {
  std::mt19937_64 rng(7);
  for (int64_t k : {256, 512, 2304, 14336})
    expect_same_q8_k(scaled_normal_rows(rng, 3, k, 256), 3, k, "random k=" + std::to_string(k));
}

TEST_P(VectorQuantize, Q8_KTiesSignsZerosDenormalsAndExtremes) {
  std::vector<float> x;
  auto block = [&](auto f) {
    for (int i = 0; i < 256; ++i) x.push_back(f(i));
  };
  // The largest magnitude at both signs, first one wins: -3 at 40 before +3 at 200, and
  // the reverse; the sign of max decides the sign of d and of every code.
  block([](int i) { return i == 40 ? -3.0f : i == 200 ? 3.0f : static_cast<float>(i % 11) * 0.25f - 1.2f; });
  block([](int i) { return i == 40 ? 3.0f : i == 200 ? -3.0f : static_cast<float>(i % 11) * 0.25f - 1.2f; });
  block([](int i) { return i == 41 ? -3.0f : i == 42 ? 3.0f : 0.5f; });  // a tie inside one vector
  block([](int i) { return i == 255 ? -5.0f : static_cast<float>(i % 9) - 4.0f; });  // last element
  // Exact ties after scaling: max = -127 gives iscale = 1, so x.5 values are ties.
  block([](int i) { return i == 0 ? -127.0f : static_cast<float>(i % 64) - 31.5f; });
  // Codes at the +127 clamp: max negative, other elements of the opposite sign at |max|.
  block([](int i) { return i % 2 ? -2.0f : 2.0f; });
  block([](int) { return 0.0f; });
  block([](int i) { return i % 2 ? -0.0f : 0.0f; });
  block([](int i) { return std::numeric_limits<float>::denorm_min() * static_cast<float>(i % 5); });
  block([](int i) { return i == 17 ? std::numeric_limits<float>::min() : 1e-39f; });
  block([](int i) { return i == 3 ? std::numeric_limits<float>::max() : -1.0f * static_cast<float>(i); });
  block([](int i) { return -std::numeric_limits<float>::max() * (i == 9 ? 1.0f : 0.5f); });
  block([](int i) { return i == 100 ? 1e-30f : 0.0f; });
  // Group sums near the int16 range: every code 127 or -127.
  block([](int i) { return i < 128 ? -1.0f : 1.0f; });
  const auto k = static_cast<int64_t>(x.size());
  expect_same_q8_k(x, 1, k, "special (one row)");
  expect_same_q8_k(x, k / 256, 256, "special (one super-block per row)");
}

TEST_P(VectorQuantize, Q8_KNonFiniteRowsAndBadShapes) {
  std::vector<float> x(3 * 256, 0.5f);
  x[2 * 256 + 99] = std::numeric_limits<float>::quiet_NaN();
  std::vector<std::byte> out(row_bytes(QType::Q8_K, 256) * 3, std::byte{0x5a});
  const std::string msg = error_of([&] { GetParam().q8_k(ActQuant::runtime, x, 3, 256, out); });
  EXPECT_NE(msg.find("row 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 99"), std::string::npos) << msg;
  for (std::byte b : out) ASSERT_EQ(b, std::byte{0x5a});
  EXPECT_NE(error_of([&] { GetParam().q8_k(ActQuant::runtime, x, 1, 96, out); }).find("q8_K"),
            std::string::npos);
  std::vector<std::byte> short_out(291);
  EXPECT_NE(error_of([&] {
              GetParam().q8_k(ActQuant::runtime, std::span<const float>(x).first(256), 1, 256, short_out);
            }).find("destination"),
            std::string::npos);
}

TEST_P(VectorQuantize, ShortBuffersAreErrors) {
  std::vector<float> x(64, 1.0f);
  std::vector<std::byte> out(33);
  EXPECT_NE(error_of([&] { GetParam().q8_0(ActQuant::runtime, x, 1, 64, out); }).find("destination"),
            std::string::npos);
  EXPECT_FALSE(error_of([&] { GetParam().q8_0(ActQuant::runtime, x, 1, 48, out); }).empty());
  EXPECT_FALSE(error_of([&] { GetParam().q8_0(ActQuant::runtime, x, 3, 64, out); }).empty());
}

TEST(QuantizeParallel, SameBytesAsSerialAndErrorsNameTheGlobalRow) {
  const KernelDesc* kd = nullptr;
  for (const auto& k : kernel_registry()) {
    if (k.quantize != nullptr && skip_reason(k).empty() && k.act_type == QType::Q8_1) kd = &k;
  }
  ASSERT_NE(kd, nullptr);
  const int64_t m = 37, k = 96;
  std::vector<float> x(static_cast<size_t>(m * k));
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (auto& v : x) v = normal(rng);
  std::vector<std::byte> want(row_bytes(QType::Q8_1, k) * m);
  quantize_activations(QType::Q8_1, ActQuant::ref, x, m, k, want);
  for (int t : {1, 2, 3, 5}) {
    std::vector<std::byte> got(want.size());
    threading::quantize_parallel(pool_for(t), *kd, ActQuant::ref, x, m, k, got);
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), want.size())) << t << " threads";
    x[30 * k + 5] = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::byte> untouched(want.size(), std::byte{1});
    const std::string msg =
        error_of([&] { threading::quantize_parallel(pool_for(t), *kd, ActQuant::ref, x, m, k, untouched); });
    EXPECT_NE(msg.find("row 30 holds NaN at column 5"), std::string::npos) << msg;
    for (std::byte b : untouched) ASSERT_EQ(b, std::byte{1});
    x[30 * k + 5] = 0.25f;
    quantize_activations(QType::Q8_1, ActQuant::ref, x, m, k, want);
  }
}

}  // namespace
}  // namespace amxlab::testing
