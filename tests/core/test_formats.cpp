// Block formats: sizes, encoder round trips within the documented error, and byte
// vectors worked out by hand from the format definitions (not printed by the code).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"

namespace amxlab {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

std::vector<float> dequant(QType t, const std::vector<std::byte>& src, int64_t k) {
  std::vector<float> y(static_cast<size_t>(k));
  dequantize(t, src, 1, k, y);
  return y;
}

TEST(Formats, BlockSizesMatchGguf) {
  EXPECT_EQ(traits(QType::Q4_0).block_bytes, 18u);
  EXPECT_EQ(traits(QType::Q4_1).block_bytes, 20u);
  EXPECT_EQ(traits(QType::Q8_0).block_bytes, 34u);
  EXPECT_EQ(traits(QType::Q8_1).block_bytes, 36u);
  EXPECT_EQ(traits(QType::Q2_K).block_bytes, 84u);
  EXPECT_EQ(traits(QType::Q3_K).block_bytes, 110u);
  EXPECT_EQ(traits(QType::Q4_K).block_bytes, 144u);
  EXPECT_EQ(traits(QType::Q5_K).block_bytes, 176u);
  EXPECT_EQ(traits(QType::Q6_K).block_bytes, 210u);
  EXPECT_EQ(traits(QType::Q8_K).block_bytes, 292u);
  EXPECT_EQ(traits(QType::IQ4_NL).block_bytes, 18u);
  EXPECT_EQ(traits(QType::IQ4_XS).block_bytes, 136u);
  EXPECT_EQ(traits(QType::BF16).block_bytes, 2u);
  EXPECT_EQ(traits(QType::F16).block_bytes, 2u);
  EXPECT_EQ(traits(QType::F32).block_bytes, 4u);
  EXPECT_EQ(traits(QType::S8).block_bytes, 1u);
  EXPECT_EQ(traits(QType::U8).block_bytes, 1u);
}

TEST(Formats, NamesParseBack) {
  for (QType t : kAllQTypes) {
    EXPECT_EQ(parse_qtype(name(t)), t);
    if (traits(t).ggml_id >= 0) {
      EXPECT_EQ(qtype_from_ggml_id(traits(t).ggml_id), t);
    }
  }
  EXPECT_EQ(parse_qtype("Q4_K"), QType::Q4_K);
  EXPECT_FALSE(parse_qtype("q5_0").has_value());
}

// Q4_0 by hand: d = fp16 1.0 (0x3c00); qs[0] = 0x9f -> element 0 = 0xf - 8 = 7,
// element 16 = 0x9 - 8 = 1; qs[1] = 0x08 -> element 1 = 0, element 17 = -8.
TEST(Formats, Q4_0ByHand) {
  auto b = bytes({0x00, 0x3c, 0x9f, 0x08});
  b.resize(18, std::byte{0x88});  // remaining codes 8 -> 0
  const auto y = dequant(QType::Q4_0, b, 32);
  EXPECT_EQ(y[0], 7.0f);
  EXPECT_EQ(y[16], 1.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[17], -8.0f);
  EXPECT_EQ(y[31], 0.0f);
}

// Q8_0 by hand: d = fp16 0.5 (0x3800), codes -128, 127, 3 -> -64, 63.5, 1.5.
TEST(Formats, Q8_0ByHand) {
  auto b = bytes({0x00, 0x38, 0x80, 0x7f, 0x03});
  b.resize(34, std::byte{0});
  const auto y = dequant(QType::Q8_0, b, 32);
  EXPECT_EQ(y[0], -64.0f);
  EXPECT_EQ(y[1], 63.5f);
  EXPECT_EQ(y[2], 1.5f);
  // Quantising x = (-127, 1, 2, ..., 31): amax 127 -> d = 1.0 = fp16 0x3c00, codes = x.
  std::vector<float> x(32);
  x[0] = -127.0f;
  for (int i = 1; i < 32; ++i) x[i] = static_cast<float>(i);
  std::vector<std::byte> q(34);
  quantize_weights(QType::Q8_0, x, 1, 32, q);
  EXPECT_EQ(q[0], std::byte{0x00});
  EXPECT_EQ(q[1], std::byte{0x3c});
  EXPECT_EQ(q[2], std::byte{0x81});  // -127
  for (int i = 1; i < 32; ++i) EXPECT_EQ(static_cast<int>(q[2 + i]), i);
}

// Q4_K by hand: d = 1.0 (0x3c00), dmin = 0.5 (0x3800).
// scales[0] = 0x42: sub-block 0 scale = 0x42 & 63 = 2, and its top bits (1) become bits 4-5
// of sub-block 4's scale; scales[4] = 3: min of sub-block 0 = 3; scales[8] = 0x21:
// sub-block 4 scale low nibble 1, min low nibble 2 -> scale 4 = 1 | 1<<4 = 17, min 4 = 2.
// qs[0] = 0x5a: element 0 (sub-block 0) code 0xa = 10 -> 1*2*10 - 0.5*3 = 18.5;
// element 32 (sub-block 1, scale 0, min 0) code 5 -> 0.
// qs[64] = 0x03: element 128 (sub-block 4) code 3 -> 17*3 - 0.5*2 = 50.
TEST(Formats, Q4_KByHand) {
  std::vector<std::byte> b(144, std::byte{0});
  b[0] = std::byte{0x00};
  b[1] = std::byte{0x3c};
  b[2] = std::byte{0x00};
  b[3] = std::byte{0x38};
  b[4 + 0] = std::byte{0x42};
  b[4 + 4] = std::byte{0x03};
  b[4 + 8] = std::byte{0x21};
  b[16 + 0] = std::byte{0x5a};
  b[16 + 64] = std::byte{0x03};
  const auto y = dequant(QType::Q4_K, b, 256);
  EXPECT_EQ(y[0], 18.5f);
  EXPECT_EQ(y[32], 0.0f);
  EXPECT_EQ(y[128], 50.0f);
  EXPECT_EQ(y[1], -1.5f);    // code 0 in sub-block 0: -0.5*3
  EXPECT_EQ(y[129], -1.0f);  // code 0 in sub-block 4: -0.5*2
}

// Q6_K by hand: layout ql[128] qh[64] scales[16] d. d = 0.25 (0x3400).
// scales[0] = -3, scales[2] = 1, scales[4] = 2. ql[0] = 0x21, qh[0] = 0x02:
// element 0: low nibble 1, high bits (qh[0] >> 0) & 3 = 2 -> q = 33 - 32 = 1 -> 0.25*-3*1;
// element 64: ql[0] >> 4 = 2, (qh[0] >> 4) & 3 = 0 -> 2 - 32 = -30, scale 4 -> 0.25*2*-30;
// element 32: ql[32] = 0 and (qh[0] >> 2) & 3 = 0 -> -32, scale 2 -> 0.25*1*-32.
TEST(Formats, Q6_KByHand) {
  std::vector<std::byte> b(210, std::byte{0});
  b[0] = std::byte{0x21};
  b[128] = std::byte{0x02};
  b[192 + 0] = std::byte{0xfd};  // -3
  b[192 + 2] = std::byte{0x01};
  b[192 + 4] = std::byte{0x02};
  b[208] = std::byte{0x00};
  b[209] = std::byte{0x34};
  const auto y = dequant(QType::Q6_K, b, 256);
  EXPECT_EQ(y[0], -0.75f);
  EXPECT_EQ(y[64], -15.0f);
  EXPECT_EQ(y[32], -8.0f);
}

// IQ4_XS by hand: d = 1.0; scales_h = 0x0002, scales_l[0] = 0x01:
// sub-block 0: ls = 1 | (2 << 4) = 33 -> scale 1; sub-block 1: ls = 0 -> scale -32.
// qs[0] = 0xf0: element 0 -> table[0] = -127, element 16 -> table[15] = 113;
// qs[16] = 0x08: element 32 -> -32 * table[8] = -32 * 1.
TEST(Formats, IQ4_XSByHand) {
  std::vector<std::byte> b(136, std::byte{0});
  b[1] = std::byte{0x3c};
  b[2] = std::byte{0x02};
  b[4] = std::byte{0x01};
  b[8 + 0] = std::byte{0xf0};
  b[8 + 16] = std::byte{0x08};
  const auto y = dequant(QType::IQ4_XS, b, 256);
  EXPECT_EQ(y[0], -127.0f);
  EXPECT_EQ(y[16], 113.0f);
  EXPECT_EQ(y[32], -32.0f);
}

class RoundTrip : public ::testing::TestWithParam<QType> {};

TEST_P(RoundTrip, WithinDocumentedError) {
  const QType t = GetParam();
  const int64_t be = traits(t).block_elems;
  const int64_t k = std::max<int64_t>(be, 512), rows = 64;
  std::mt19937_64 rng(42);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(rows * k));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = dist(rng);
    if (i % 97 == 0) x[i] *= 20.0f;  // outliers, as real weights have
    // Raw integer formats hold integers in range: round trips are then exact.
    if (t == QType::S8) x[i] = static_cast<float>(static_cast<int>(rng() % 256) - 128);
    if (t == QType::U8) x[i] = static_cast<float>(rng() % 256);
  }
  std::vector<std::byte> q(row_bytes(t, k) * static_cast<size_t>(rows));
  quantize_weights(t, x, rows, k, q);
  std::vector<float> y(x.size());
  dequantize(t, q, rows, k, y);
  // The documented bound is per block of the encoder (super-block for K-quants).
  const int64_t group = traits(t).block_quantized ? be : 1;
  for (size_t b0 = 0; b0 < x.size(); b0 += static_cast<size_t>(group)) {
    double amax = 0.0;
    for (int64_t i = 0; i < group; ++i) amax = std::max(amax, std::fabs(static_cast<double>(x[b0 + i])));
    const double bound = max_roundtrip_error(t, amax);
    for (int64_t i = 0; i < group; ++i) {
      const double err = std::fabs(static_cast<double>(y[b0 + i]) - x[b0 + i]);
      ASSERT_LE(err, bound) << name(t) << " element " << b0 + i << ": x=" << x[b0 + i] << " y=" << y[b0 + i]
                            << " block amax=" << amax;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWeightFormats, RoundTrip,
                         ::testing::Values(QType::Q4_0, QType::Q4_1, QType::Q8_0, QType::Q2_K, QType::Q3_K,
                                           QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_NL,
                                           QType::IQ4_XS, QType::BF16, QType::F16, QType::F32, QType::S8,
                                           QType::U8),
                         [](const auto& p) { return std::string(name(p.param)); });

TEST(Formats, Q8_0AcceptsMinus128) {
  std::vector<std::byte> b(34, std::byte{0x80});
  b[0] = std::byte{0x00};
  b[1] = std::byte{0x3c};
  const auto y = dequant(QType::Q8_0, b, 32);
  for (float v : y) EXPECT_EQ(v, -128.0f);
}

TEST(Formats, BadInputIsAClearErrorAndWritesNothing) {
  std::vector<float> x(64, 1.0f);
  std::vector<std::byte> q(100, std::byte{0x5a});
  const auto before = q;
  EXPECT_THROW(
      {
        try {
          quantize_weights(QType::Q4_K, x, 1, 64, q);
        } catch (const Error& e) {
          EXPECT_NE(std::string(e.what()).find("not a positive multiple of the q4_K block size 256"),
                    std::string::npos);
          throw;
        }
      },
      Error);
  EXPECT_THROW(quantize_weights(QType::Q4_0, x, 2, 32, std::span<std::byte>(q.data(), 30)), Error);
  EXPECT_THROW(quantize_weights(QType::Q4_0, std::span<const float>(), 1, 32, q), Error);
  EXPECT_EQ(q, before);
  std::vector<float> y(64, -1.0f);
  EXPECT_THROW(dequantize(QType::Q8_0, std::span<const std::byte>(q.data(), 33), 1, 32, y), Error);
  EXPECT_THROW(dequantize(QType::Q8_0, q, 1, 33, y), Error);
  EXPECT_THROW(dequantize(QType::Q8_0, q, 2, 32, std::span<float>(y.data(), 63)), Error);
  for (float v : y) EXPECT_EQ(v, -1.0f);
}

}  // namespace
}  // namespace amxlab
