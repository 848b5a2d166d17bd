// Every registered kernel on real GGUF data: the weight tensors ggml quantised itself
// (tests/data/ggml/weights_tail.gguf: q4_0, q8_0, q4_K and q6_K at N=17 K=256 and N=33
// K=2304) and activations quantised by ggml (actq_cpu.* for Q8_0 and Q8_K). Each kernel
// packs the tensor read from the file, runs it (2 threads), and must give the golden
// model's bits and stay within the analytic bound of ggml's own mul_mat output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/io/gguf_reader.h"
#include "harness/io/npy.h"
#include "harness/threading/thread_pool.h"
#include "kernels/core/fp16.h"
#include "kernels/registry.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"
#include "tests/kernels/gemm_tester.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

const std::string kDir = std::string(AMXLAB_TEST_DATA_DIR) + "/ggml/";

std::vector<std::byte> read_bin(const std::string& path) {
  return testing::read_file_bytes(path);
}

TEST(GgmlFileKernels, EveryKernelOnGgmlTensorsAndActivations) {
  const io::GgufFile file = io::GgufFile::open(kDir + "weights_tail.gguf");
  struct Tensor {
    const char* type;
    int64_t n, k;
  };
  int ran = 0;
  for (const Tensor t : {Tensor{"q4_0", 17, 256}, Tensor{"q8_0", 17, 256}, Tensor{"q4_K", 17, 256},
                         Tensor{"q6_K", 17, 256}, Tensor{"q4_0", 33, 2304}, Tensor{"q8_0", 33, 2304},
                         Tensor{"q4_K", 33, 2304}, Tensor{"q6_K", 33, 2304}}) {
    const std::string shape = "n" + std::to_string(t.n) + "k" + std::to_string(t.k);
    const auto& info = file.tensor(std::string("w.") + t.type + "." + shape);
    const std::optional<QType> parsed = parse_qtype(t.type);
    if (!parsed) {
      ADD_FAILURE() << "unknown type " << t.type;
      return;
    }
    const QType wt = *parsed;
    const QType act = traits(wt).act_type;
    for (int64_t m : {1, 7}) {
      const std::string mk = "m" + std::to_string(m) + "k" + std::to_string(t.k);
      const std::vector<std::byte> aq = read_bin(kDir + "actq_cpu." + name(act) + "." + mk + ".bin");
      ASSERT_EQ(aq.size(), row_bytes(act, t.k) * static_cast<size_t>(m));
      const io::NpyArray out =
          io::read_npy(kDir + "out.w." + t.type + "." + shape + ".m" + std::to_string(m) + ".npy");
      const auto ggml = out.as<float>();
      const golden::Shape gs{m, t.n, t.k};
      std::vector<float> ref(static_cast<size_t>(m * t.n));
      golden::gemm_quantized(wt, info.data, aq, gs, ref);
      const golden::ExactModel e = golden::exact_model_quantized(wt, info.data, aq, gs);
      for (const KernelDesc& kd : kernel_registry()) {
        if (kd.weight_type != wt) continue;
        if (!skip_reason(kd).empty()) continue;  // reported by the registry suites
        SCOPED_TRACE(std::string(kd.name) + " " + t.type + " " + shape + " M=" + std::to_string(m));
        const PackedWeights w = kd.pack(wt, info.data, t.n, t.k, default_memory_resource());
        std::vector<float> y(ref.size(), f32_from_bits(0x7fc0deadu));
        threading::run_gemm(pool_for(2), kd, w, ActivationView{act, aq.data(), row_bytes(act, t.k), m, t.k},
                            OutputView{y.data(), static_cast<size_t>(t.n), m, t.n});
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_EQ(f32_bits(y[i]), f32_bits(ref[i]))
              << "output " << i << ": kernel " << y[i] << ", golden " << ref[i];
          ASSERT_LE(std::fabs(static_cast<double>(y[i]) - ggml[i]), 2 * golden::gamma(t.k) * e.sum_abs[i])
              << "output " << i << ": kernel " << y[i] << ", ggml " << ggml[i];
        }
        ++ran;
      }
    }
  }
  EXPECT_GE(ran, 8 * 2 * 3);  // at least the portable, AVX-VNNI-or-emulated and one more per type
}

}  // namespace
}  // namespace amxlab::testing
