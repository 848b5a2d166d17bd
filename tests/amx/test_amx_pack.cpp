// The AMX tile packing (kernels/pack/amx_pack.h): layout positions, zero padding,
// checksum, exact unpack back to the GGUF bytes, and refused inputs.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "kernels/core/fp16.h"
#include "kernels/pack/amx_pack.h"
#include "tests/amx/amx_test_util.h"
#include "tests/test_util.h"

namespace amxlab::amx {
namespace {

using amxlab::testing::error_of;

TEST(AmxPack, Fp16InverseIsExactOnAllHalves) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto hb = static_cast<uint16_t>(h);
    ASSERT_EQ(fp16_bits_from_f32_exact(fp16_to_f32(hb)), hb) << std::hex << h;
  }
}

TEST(AmxPack, RecordSizesAndLayouts) {
  EXPECT_EQ(amx_record_bytes(QType::Q8_0), 576u);
  EXPECT_EQ(amx_record_bytes(QType::Q4_0), 576u);
  EXPECT_EQ(amx_record_bytes(QType::Q4_1), 640u);
  EXPECT_EQ(amx_tile_layout(QType::Q8_0), Layout::q8_0_amx_tile);
  EXPECT_EQ(amx_tile_layout(QType::Q4_0), Layout::q4_0_amx_tile);
  EXPECT_EQ(amx_tile_layout(QType::Q4_1), Layout::q4_1_amx_tile);
  EXPECT_EQ(amx_packed_bytes(QType::Q8_0, 17, 64), 2u * 2u * 576u);
  EXPECT_EQ(amx_packed_bytes(QType::Q4_1, 16, 96), 1u * 3u * 640u);
  EXPECT_FALSE(amx_tile_packable(QType::Q4_K));
}

// Every code and scale sits where the header says; the padded rows are zero.
TEST(AmxPack, PositionsOfCodesScalesMinsAndPadding) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    SCOPED_TRACE(name(t));
    const int64_t n = 19, k = 64;
    const std::vector<std::byte> gguf = testing::random_weights(t, n, k, 11);
    const PackedWeights w = pack_amx_tile(t, gguf, n, k, default_memory_resource());
    EXPECT_EQ(w.type(), t);
    EXPECT_EQ(w.layout(), amx_tile_layout(t));
    EXPECT_EQ(w.n(), n);
    EXPECT_EQ(w.k(), k);
    EXPECT_EQ(w.source_checksum(), checksum_bytes(gguf));
    ASSERT_EQ(w.bytes().size(), amx_packed_bytes(t, n, k));
    // Reference codes through the dequantiser's view of the block: x = d*c (+ m).
    std::vector<float> deq(static_cast<size_t>(n * k));
    dequantize(t, gguf, n, k, deq);
    const size_t rec = amx_record_bytes(t);
    const int64_t nb = k / 32;
    for (int64_t row = 0; row < 32; ++row) {
      const int64_t s = row / 16;
      const int j = static_cast<int>(row % 16);
      for (int64_t b = 0; b < nb; ++b) {
        const std::byte* r = w.bytes().data() + static_cast<size_t>(s * nb + b) * rec;
        float d, mn = 0.0f;
        std::memcpy(&d, r + kScaleOffset + 4 * j, 4);
        if (t == QType::Q4_1) std::memcpy(&mn, r + kMinOffset + 4 * j, 4);
        for (int e = 0; e < 32; ++e) {
          const auto code = static_cast<int8_t>(r[64 * (e / 4) + 4 * j + e % 4]);
          if (row >= n) {
            ASSERT_EQ(code, 0) << "padding row " << row;
            continue;
          }
          if (t == QType::Q4_0) {
            ASSERT_TRUE(code >= -8 && code <= 7);
          }
          if (t == QType::Q4_1) {
            ASSERT_TRUE(code >= 0 && code <= 15);
          }
          const float want = deq[static_cast<size_t>(row * k + b * 32 + e)];
          const float got =
              t == QType::Q4_1 ? d * static_cast<float>(code) + mn : d * static_cast<float>(code);
          ASSERT_EQ(f32_bits(got), f32_bits(want)) << "row " << row << " block " << b << " element " << e;
        }
        if (row >= n) {
          EXPECT_EQ(f32_bits(d), 0u);
          EXPECT_EQ(f32_bits(mn), 0u);
        }
      }
    }
  }
}

TEST(AmxPack, UnpackGivesBackTheGgufBytes) {
  std::mt19937_64 rng(5);
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    for (int64_t n : {1, 16, 17, 48}) {
      for (int64_t k : {32, 96}) {
        SCOPED_TRACE(std::string(name(t)) + " n=" + std::to_string(n) + " k=" + std::to_string(k));
        // Arbitrary bytes are legal blocks: every code, every fp16 scale incl. Inf/NaN.
        std::vector<std::byte> gguf(row_bytes(t, k) * static_cast<size_t>(n));
        for (std::byte& b : gguf) b = static_cast<std::byte>(rng() & 0xff);
        const PackedWeights w = pack_amx_tile(t, gguf, n, k, default_memory_resource());
        EXPECT_EQ(w.source_checksum(), checksum_bytes(gguf));
        const std::vector<std::byte> back = unpack_amx_tile(w);
        ASSERT_EQ(back.size(), gguf.size());
        EXPECT_EQ(std::memcmp(back.data(), gguf.data(), gguf.size()), 0);
      }
    }
  }
}

TEST(AmxPack, ChecksumCoversExactlyTheSourceRows) {
  std::vector<std::byte> gguf = testing::random_weights(QType::Q8_0, 3, 32, 2);
  const uint64_t want = checksum_bytes(gguf);
  gguf.resize(gguf.size() + 10, std::byte{0x5a});  // a longer buffer: extra bytes ignored
  EXPECT_EQ(pack_amx_tile(QType::Q8_0, gguf, 3, 32, default_memory_resource()).source_checksum(), want);
}

TEST(AmxPack, RefusesBadInput) {
  const std::vector<std::byte> gguf = testing::random_weights(QType::Q8_0, 4, 64, 3);
  MemoryResource& mem = default_memory_resource();
  EXPECT_NE(error_of([&] { pack_amx_tile(QType::Q4_K, gguf, 1, 256, mem); }).find("no AMX tile layout"),
            std::string::npos);
  EXPECT_NE(error_of([&] { pack_amx_tile(QType::Q8_0, gguf, 4, 48, mem); }).find("K=48"), std::string::npos);
  EXPECT_NE(error_of([&] { pack_amx_tile(QType::Q8_0, gguf, 0, 64, mem); }).find("N=0"), std::string::npos);
  EXPECT_FALSE(error_of([&] { pack_amx_tile(QType::Q8_0, gguf, 5, 64, mem); }).empty());  // short buffer
  // Unpacking a tensor of another layout.
  PackedWeights other(QType::Q8_0, Layout::q8_0_vnni16, 4, 64, 64, 0);
  EXPECT_NE(error_of([&] { unpack_amx_tile(other); }).find("q8_0_vnni16"), std::string::npos);
}

}  // namespace
}  // namespace amxlab::amx
