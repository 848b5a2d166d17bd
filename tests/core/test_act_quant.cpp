// Activation quantisers: ties in both variants, zero / denormal-only rows, the sign of
// the extreme, and non-finite rows rejected with the row named.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

template <class Block>
std::vector<Block> quantize(QType act, ActQuant v, const std::vector<float>& x, int64_t m) {
  const int64_t k = static_cast<int64_t>(x.size()) / m;
  std::vector<std::byte> raw(row_bytes(act, k) * static_cast<size_t>(m));
  quantize_activations(act, v, x, m, k, raw);
  std::vector<Block> out(raw.size() / sizeof(Block));
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

// amax = 127 makes d = 1 and 1/d = 127/amax = 1 exactly, so x * id is x itself:
// x = 2.5 is an exact tie. ref (roundf) gives 3, runtime (nearest even) gives 2;
// -0.5 -> ref -1, runtime 0 (-0).
TEST(ActQuant, TiesDifferOnlyInRounding) {
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -0.5f;
  x[3] = 3.5f;
  x[4] = 2.25f;
  for (QType act : {QType::Q8_0, QType::Q8_1}) {
    auto codes = [&](ActQuant v) {
      std::vector<std::byte> raw(traits(act).block_bytes);
      quantize_activations(act, v, x, 1, 32, raw);
      const size_t off = act == QType::Q8_0 ? 2 : 4;
      std::vector<int> c;
      c.reserve(5);
      for (int i = 0; i < 5; ++i) c.push_back(static_cast<int8_t>(raw[off + static_cast<size_t>(i)]));
      return c;
    };
    EXPECT_EQ(codes(ActQuant::ref), (std::vector<int>{127, 3, -1, 4, 2})) << name(act);
    EXPECT_EQ(codes(ActQuant::runtime), (std::vector<int>{127, 2, 0, 4, 2})) << name(act);
  }
}

TEST(ActQuant, Q8_1StoresScaledSum) {
  std::vector<float> x(32, 1.0f);
  x[0] = 127.0f;  // d = 1, codes: 127 and 31 ones -> sum 158
  const auto b = quantize<BlockQ8_1>(QType::Q8_1, ActQuant::runtime, x, 1);
  EXPECT_EQ(fp16_to_f32(b[0].d), 1.0f);
  EXPECT_EQ(fp16_to_f32(b[0].s), 158.0f);
}

TEST(ActQuant, ZeroRowsGiveZeroCodesAndScale) {
  const std::vector<float> x(256, 0.0f);
  for (ActQuant v : {ActQuant::ref, ActQuant::runtime}) {
    for (const auto& b : quantize<BlockQ8_0>(QType::Q8_0, v, x, 1)) {
      EXPECT_EQ(b.d, 0);
      for (int8_t q : b.qs) EXPECT_EQ(q, 0);
    }
    for (const auto& b : quantize<BlockQ8_K>(QType::Q8_K, v, x, 1)) {
      EXPECT_EQ(b.d, 0.0f);
      for (int8_t q : b.qs) EXPECT_EQ(q, 0);
      for (int16_t s : b.bsums) EXPECT_EQ(s, 0);
    }
  }
}

TEST(ActQuant, DenormalOnlyRowsGiveZeroCodes) {
  std::vector<float> x(256);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = (i % 2 ? -1.0f : 1.0f) * std::numeric_limits<float>::denorm_min() * static_cast<float>(i + 1);
  for (ActQuant v : {ActQuant::ref, ActQuant::runtime}) {
    for (const auto& b : quantize<BlockQ8_0>(QType::Q8_0, v, x, 1)) {
      for (int8_t q : b.qs) EXPECT_EQ(q, 0);
    }
    for (const auto& b : quantize<BlockQ8_1>(QType::Q8_1, v, x, 1)) {
      for (int8_t q : b.qs) EXPECT_EQ(q, 0);
      EXPECT_EQ(fp16_to_f32(b.s), 0.0f);
    }
    for (const auto& b : quantize<BlockQ8_K>(QType::Q8_K, v, x, 1)) {
      for (int8_t q : b.qs) EXPECT_EQ(q, 0);
    }
  }
}

// Q8_K keeps the sign of the extreme in d: d = -max/127, so a positive maximum
// gives a negative d and negated codes; a negative one the reverse.
TEST(ActQuant, Q8_KExtremeAtEitherSign) {
  std::vector<float> x(256, 1.0f);
  x[7] = 127.0f;
  auto b = quantize<BlockQ8_K>(QType::Q8_K, ActQuant::runtime, x, 1);
  EXPECT_EQ(b[0].d, -1.0f);
  EXPECT_EQ(b[0].qs[7], -127);
  EXPECT_EQ(b[0].qs[0], -1);
  EXPECT_EQ(b[0].bsums[0], -127 - 15);
  x[7] = -127.0f;
  b = quantize<BlockQ8_K>(QType::Q8_K, ActQuant::ref, x, 1);
  EXPECT_EQ(b[0].d, 1.0f);
  EXPECT_EQ(b[0].qs[7], -127);
  EXPECT_EQ(b[0].qs[0], 1);
  // Q8_0 has a non-negative d at either sign.
  std::vector<float> y(32, 0.0f);
  y[3] = -127.0f;
  const auto c = quantize<BlockQ8_0>(QType::Q8_0, ActQuant::runtime, y, 1);
  EXPECT_EQ(fp16_to_f32(c[0].d), 1.0f);
  EXPECT_EQ(c[0].qs[3], -127);
}

TEST(ActQuant, NonFiniteRowsAreRejectedWithTheRowNamed) {
  std::vector<float> x(3 * 64, 0.5f);
  std::vector<std::byte> out(row_bytes(QType::Q8_0, 64) * 3, std::byte{0x33});
  const auto before = out;
  for (float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    x[2 * 64 + 5] = bad;
    try {
      quantize_activations(QType::Q8_0, ActQuant::runtime, x, 3, 64, out);
      FAIL() << "no error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("row 2"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("column 5"), std::string::npos) << e.what();
    }
    EXPECT_EQ(out, before);
  }
}

TEST(ActQuant, BadShapesAndBuffers) {
  std::vector<float> x(64, 1.0f);
  std::vector<std::byte> out(1000);
  EXPECT_THROW(quantize_activations(QType::Q8_K, ActQuant::ref, x, 1, 64, out), Error);
  EXPECT_THROW(quantize_activations(QType::Q4_0, ActQuant::ref, x, 1, 64, out), Error);
  EXPECT_THROW(
      quantize_activations(QType::Q8_0, ActQuant::ref, x, 1, 64, std::span<std::byte>(out.data(), 67)),
      Error);
  EXPECT_THROW(quantize_activations(QType::Q8_0, ActQuant::ref, x, 2, 64, out), Error);  // src too short
}

}  // namespace
}  // namespace amxlab
