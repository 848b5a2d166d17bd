// ggml's own vectors (tests/data/ggml, produced by ggml d99724f2; see its README):
// our dequantisers and activation quantisers must give ggml's bytes exactly, and the
// golden GEMM must agree with ggml's mul_mat within DESIGN.md's analytic bound.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "harness/io/gguf_reader.h"
#include "harness/io/npy.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"
#include "tests/test_util.h"

namespace amxlab {
namespace {

const std::string kDir = std::string(AMXLAB_TEST_DATA_DIR) + "/ggml/";

const io::GgufFile& weights() {
  static const io::GgufFile f = io::GgufFile::open(kDir + "weights_tail.gguf");
  return f;
}

std::vector<std::byte> read_bin(const std::string& path) {
  return testing::read_file_bytes(path);
}

struct Tensor {
  const char* type;
  int64_t n, k;
};
constexpr Tensor kTensors[] = {{"q4_0", 17, 256},  {"q8_0", 17, 256},  {"q4_K", 17, 256},
                               {"q6_K", 17, 256},  {"q4_0", 33, 2304}, {"q8_0", 33, 2304},
                               {"q4_K", 33, 2304}, {"q6_K", 33, 2304}};

std::string shape_tag(int64_t n, int64_t k) {
  return "n" + std::to_string(n) + "k" + std::to_string(k);
}

TEST(GgmlVectors, DequantisationIsBitIdentical) {
  int checked = 0;
  for (const auto& t : kTensors) {
    const std::string deq_path = kDir + "deq.w." + t.type + "." + shape_tag(t.n, t.k) + ".npy";
    if (FILE* f = std::fopen(deq_path.c_str(), "rb")) {
      std::fclose(f);
    } else {
      continue;  // ggml's README: no deq file for q4_0/q8_0 at n33k2304
    }
    const auto& info = weights().tensor(std::string("w.") + t.type + "." + shape_tag(t.n, t.k));
    const std::optional<QType> parsed = parse_qtype(t.type);
    if (!parsed) {
      ADD_FAILURE() << "unknown type " << t.type;
      return;
    }
    const QType qt = *parsed;
    std::vector<float> y(static_cast<size_t>(t.n * t.k));
    dequantize(qt, info.data, t.n, t.k, y);
    const io::NpyArray ref = io::read_npy(deq_path);
    const auto want = ref.as<float>();
    ASSERT_EQ(want.size(), y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_EQ(f32_bits(y[i]), f32_bits(want[i]))
          << t.type << " row " << i / static_cast<size_t>(t.k) << " col " << i % static_cast<size_t>(t.k)
          << ": ours " << y[i] << ", ggml " << want[i];
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

struct ActFile {
  int64_t m, k;
};
constexpr ActFile kActs[] = {{1, 256}, {1, 2304}, {7, 256}, {7, 2304}};

std::vector<std::byte> quantize_act(QType act, ActQuant v, const io::NpyArray& a, int64_t m, int64_t k) {
  std::vector<std::byte> out(row_bytes(act, k) * static_cast<size_t>(m));
  quantize_activations(act, v, a.as<float>(), m, k, out);
  return out;
}

std::string act_tag(int64_t m, int64_t k) {
  return "m" + std::to_string(m) + "k" + std::to_string(k);
}

void expect_same_bytes(const std::vector<std::byte>& got, const std::vector<std::byte>& want,
                       size_t block_bytes, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], want[i]) << what << ": byte " << i << " (block " << i / block_bytes << ", offset "
                               << i % block_bytes << ") ours " << int(got[i]) << " ggml " << int(want[i]);
  }
}

TEST(GgmlVectors, ActivationQuantisersAreBitIdentical) {
  for (const auto& f : kActs) {
    const io::NpyArray a = io::read_npy(kDir + "act." + act_tag(f.m, f.k) + ".npy");
    for (QType act : {QType::Q8_0, QType::Q8_1, QType::Q8_K}) {
      const std::string tag = std::string(name(act)) + "." + act_tag(f.m, f.k) + ".bin";
      expect_same_bytes(quantize_act(act, ActQuant::ref, a, f.m, f.k), read_bin(kDir + "actq." + tag),
                        traits(act).block_bytes, "ref " + tag);
      if (act != QType::Q8_1) {
        expect_same_bytes(quantize_act(act, ActQuant::runtime, a, f.m, f.k),
                          read_bin(kDir + "actq_cpu." + tag), traits(act).block_bytes, "runtime " + tag);
      }
    }
  }
}

// ggml ships no runtime Q8_1 bytes; its x86 Q8_1 quantiser shares Q8_0's scale and
// rounding, so our runtime Q8_1 must carry exactly ggml's runtime Q8_0 d and codes.
TEST(GgmlVectors, RuntimeQ8_1SharesQ8_0Codes) {
  for (const auto& f : kActs) {
    const io::NpyArray a = io::read_npy(kDir + "act." + act_tag(f.m, f.k) + ".npy");
    const auto q81 = quantize_act(QType::Q8_1, ActQuant::runtime, a, f.m, f.k);
    const auto q80 = read_bin(kDir + "actq_cpu.q8_0." + act_tag(f.m, f.k) + ".bin");
    const size_t blocks = q80.size() / 34;
    ASSERT_EQ(q81.size(), blocks * 36);
    for (size_t b = 0; b < blocks; ++b) {
      ASSERT_EQ(std::memcmp(&q81[b * 36], &q80[b * 34], 2), 0) << "d of block " << b;
      ASSERT_EQ(std::memcmp(&q81[b * 36 + 4], &q80[b * 34 + 2], 32), 0) << "codes of block " << b;
    }
  }
}

TEST(GgmlVectors, GoldenGemmAgreesWithGgmlWithinBound) {
  int checked = 0;
  for (const auto& t : kTensors) {
    for (int64_t m : {1, 7}) {
      const std::optional<QType> parsed = parse_qtype(t.type);
      if (!parsed) {
        ADD_FAILURE() << "unknown type " << t.type;
        return;
      }
      const QType qt = *parsed;
      const auto& info = weights().tensor(std::string("w.") + t.type + "." + shape_tag(t.n, t.k));
      const io::NpyArray a = io::read_npy(kDir + "act." + act_tag(m, t.k) + ".npy");
      const io::NpyArray out = io::read_npy(kDir + "out.w." + t.type + "." + shape_tag(t.n, t.k) + ".m" +
                                            std::to_string(m) + ".npy");
      const golden::Shape s{m, t.n, t.k};
      const QType act = traits(qt).act_type;
      const auto aq = quantize_act(act, ActQuant::runtime, a, m, t.k);
      std::vector<float> y(static_cast<size_t>(m * t.n));
      golden::gemm_quantized(qt, info.data, aq, s, y);
      const golden::ExactModel e = golden::exact_model_quantized(qt, info.data, aq, s);
      const auto want = out.as<float>();
      ASSERT_EQ(want.size(), y.size());
      for (size_t i = 0; i < y.size(); ++i) {
        // DESIGN.md: any fp32 evaluation of this sum is within gamma(K) * sum |w a| of
        // the exact value, so two of them are within twice that of each other.
        const double bound = 2 * golden::gamma(t.k) * e.sum_abs[i];
        ASSERT_LE(std::fabs(static_cast<double>(y[i]) - want[i]), bound)
            << t.type << " " << shape_tag(t.n, t.k) << " m=" << m << " y[" << i / static_cast<size_t>(t.n)
            << "][" << i % static_cast<size_t>(t.n) << "]: golden " << y[i] << ", ggml " << want[i];
        ASSERT_LE(std::fabs(static_cast<double>(y[i]) - e.y[i]), e.bound[i]);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 16);
}

}  // namespace
}  // namespace amxlab
