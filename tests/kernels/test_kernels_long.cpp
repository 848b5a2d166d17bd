// Long suite (label `long`, not run under ASan): the full cross product of shapes and
// thread counts for every registered kernel, and LLM-sized shapes (N=4096, K=14336).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/fp16.h"
#include "kernels/registry.h"
#include "reference/golden/golden_gemm.h"
#include "tests/kernels/gemm_tester.h"

namespace amxlab {
// gtest names the type's parameter by it ("q4_K", not its byte).
void PrintTo(QType t, std::ostream* os) {
  *os << name(t);
}
}  // namespace amxlab

namespace amxlab::testing {
namespace {

// Every weight type with registered kernels, in registry order.
std::vector<QType> registry_weight_types() {
  std::vector<QType> out;
  for (const KernelDesc& kd : kernel_registry())
    if (std::find(out.begin(), out.end(), kd.weight_type) == out.end()) out.push_back(kd.weight_type);
  return out;
}

// One test per weight type, every kernel of the type on each data set: the data and
// golden (or the float kernels' exact model) are made once per shape instead of once per
// kernel, which was ~80 % of a kernel's grid (CI's time). A kernel that fails drops out
// after its first reproducer; the others go on.
class EveryTypeLong : public ::testing::TestWithParam<QType> {};

TEST_P(EveryTypeLong, FullCrossProduct) {
  std::vector<const KernelDesc*> kernels;
  for (const KernelDesc& kd : kernel_registry()) {
    if (kd.weight_type != GetParam()) continue;
    const std::string why = skip_reason(kd);
    if (why.empty()) {
      kernels.push_back(&kd);
    } else {
      std::cout << "[ SKIPPED  ] " << kd.name << ": " << why << "\n";
    }
  }
  if (kernels.empty()) GTEST_SKIP() << "no " << name(GetParam()) << " kernel can run here (reasons above)";
  uint64_t seed = 1000;
  for (int64_t m : kGridMs) {
    for (int64_t n : kGridNs) {
      for (int64_t k : kGridKs) {
        for (int t : {1, 2, 3}) {
          const bool raw = seed % 3 == 0;
          const ActQuant v = seed % 2 == 0 ? ActQuant::runtime : ActQuant::ref;
          kernels =
              GemmTester().m(m).n(n).k(k).threads(t).seed(seed++).act_quant(v).raw_activations(raw).test_each(
                  kernels);
          if (kernels.empty()) return;  // each failed with its reproducer
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryTypeLong, ::testing::ValuesIn(registry_weight_types()),
                         [](const ::testing::TestParamInfo<QType>& p) { return std::string(name(p.param)); });

// LLM shape: N = 4096, K = 14336. M = 1 is checked in full; M = 512 on 192 columns
// (the first 64, the last 64 and 64 spread between): the golden model is scalar.
// Counts the kernels checked in `checked`: none (the portable kernel alone at M = 512) is a
// skip, said by the caller.
void llm_shape(QType wt, int64_t m, int& checked) {
  checked = 0;
  const int64_t n = 4096, k = 14336;
  const GemmData d = make_gemm_data(wt, m, n, k, 4242, ActQuant::runtime, false);
  std::vector<int64_t> cols;
  if (m == 1) {
    for (int64_t j = 0; j < n; ++j) cols.push_back(j);
  } else {
    for (int64_t j = 0; j < 64; ++j) cols.push_back(j);
    for (int64_t j = 0; j < 64; ++j) cols.push_back(64 + j * 61);
    for (int64_t j = n - 64; j < n; ++j) cols.push_back(j);
  }
  const size_t wrow = row_bytes(wt, k);
  std::vector<std::byte> wsub(wrow * cols.size());
  for (size_t c = 0; c < cols.size(); ++c)
    std::memcpy(wsub.data() + c * wrow, d.weights.data() + static_cast<size_t>(cols[c]) * wrow, wrow);
  const auto nc = static_cast<int64_t>(cols.size());
  std::vector<float> ref(static_cast<size_t>(m * nc));
  golden::gemm_quantized(wt, wsub, d.activations, golden::Shape{m, nc, k}, ref);
  for (const KernelDesc& kd : kernel_registry()) {
    if (kd.weight_type != wt || !skip_reason(kd).empty()) continue;
    if (kd.isa == 0 && m > 1) continue;  // the portable kernel at M = 512: minutes; covered above
    SCOPED_TRACE(std::string(kd.name) + " M=" + std::to_string(m));
    ++checked;
    const PackedWeights w = kd.pack(wt, d.weights, n, k, default_memory_resource());
    std::vector<float> y(static_cast<size_t>(m * n), f32_from_bits(0x7fc0deadu));
    std::vector<std::byte> aq(d.activations.size());
    threading::quantize_parallel(pool_for(2), kd, ActQuant::runtime, d.act_f32, m, k, aq);
    ASSERT_EQ(0, std::memcmp(aq.data(), d.activations.data(), aq.size()));
    threading::run_gemm(pool_for(2), kd, w,
                        ActivationView{kd.act_type, aq.data(), row_bytes(kd.act_type, k), m, k},
                        OutputView{y.data(), static_cast<size_t>(n), m, n});
    int64_t bad = 0;
    for (int64_t i = 0; i < m; ++i) {
      for (size_t c = 0; c < cols.size(); ++c) {
        const float got = y[static_cast<size_t>(i * n + cols[c])];
        const float want = ref[static_cast<size_t>(i * nc) + c];
        if (f32_bits(got) != f32_bits(want) && bad++ == 0) {
          ADD_FAILURE() << kd.name << " M=" << m << " N=" << n << " K=" << k
                        << ": first difference at (m=" << i << ", n=" << cols[c] << "): " << got
                        << " vs golden " << want;
        }
      }
    }
    EXPECT_EQ(bad, 0);
  }
}

// The M = 512 shapes leave the portable kernel out (minutes of scalar code): where it is
// the only one, the test says so instead of passing empty.
void llm_prefill_shape(QType wt) {
  int checked = 0;
  llm_shape(wt, 512, checked);
  if (checked == 0)
    GTEST_SKIP() << "only the portable kernel runs " << name(wt)
                 << " here; M=512 leaves it out (M=1 checks it)";
}

TEST(LlmShapes, Q8_0_M1) {
  int checked = 0;
  llm_shape(QType::Q8_0, 1, checked);
  EXPECT_GT(checked, 0) << "no kernel ran at M=1, not even the portable one";
}
TEST(LlmShapes, Q4_0_M1) {
  int checked = 0;
  llm_shape(QType::Q4_0, 1, checked);
  EXPECT_GT(checked, 0) << "no kernel ran at M=1, not even the portable one";
}
TEST(LlmShapes, Q4_1_M1) {
  int checked = 0;
  llm_shape(QType::Q4_1, 1, checked);
  EXPECT_GT(checked, 0) << "no kernel ran at M=1, not even the portable one";
}
// The K-quant GEMVs at the full decode shape (their prefetch distance and chunking only
// matter at this size): every kernel of Q4_K, Q6_K and IQ4_XS over all 4096 columns.
TEST(LlmShapes, KQuantsAndIq4XsM1) {
  for (const QType t : {QType::Q4_K, QType::Q6_K, QType::IQ4_XS}) {
    int checked = 0;
    llm_shape(t, 1, checked);
    EXPECT_GT(checked, 0) << name(t) << ": no kernel ran at M=1, not even the portable one";
  }
}
TEST(LlmShapes, Q8_0_M512) {
  llm_prefill_shape(QType::Q8_0);
}
TEST(LlmShapes, Q4_0_M512) {
  llm_prefill_shape(QType::Q4_0);
}
TEST(LlmShapes, Q4_1_M512) {
  llm_prefill_shape(QType::Q4_1);
}

}  // namespace
}  // namespace amxlab::testing
