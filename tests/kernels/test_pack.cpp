// vnni16 packing: exact inverse, checksum, sizes, padding, the byte layout itself, errors.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "kernels/core/blocks.h"
#include "kernels/core/fp16.h"
#include "kernels/pack/vnni_pack.h"
#include "tests/kernels/gemm_tester.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

constexpr QType kTypes[] = {QType::Q8_0, QType::Q4_0, QType::Q4_1, QType::IQ4_NL};

TEST(VnniPack, UnpackReturnsTheExactGgufBytes) {
  for (QType t : kTypes) {
    for (int64_t n : {1, 15, 16, 17, 33, 48}) {
      for (int64_t k : {32, 64, 96, 2080}) {
        // Every byte random: all codes, and fp16 scales including NaN/Inf/subnormal bits.
        const auto src =
            random_bytes(row_bytes(t, k) * static_cast<size_t>(n), static_cast<uint64_t>(n * 7919 + k));
        const PackedWeights w = vnni16::pack(t, src, n, k, default_memory_resource());
        EXPECT_EQ(w.type(), t);
        EXPECT_EQ(w.layout(), vnni16::layout_of(t));
        EXPECT_EQ(w.n(), n);
        EXPECT_EQ(w.k(), k);
        EXPECT_EQ(w.source_checksum(), checksum_bytes(src));
        EXPECT_EQ(w.bytes().size(), vnni16::geometry(t, n, k).total_bytes);
        const std::vector<std::byte> back = unpack_to_gguf(w);
        ASSERT_EQ(back.size(), src.size());
        EXPECT_EQ(0, std::memcmp(back.data(), src.data(), src.size())) << name(t) << " N=" << n << " K=" << k;
        EXPECT_EQ(checksum_bytes(back), w.source_checksum());
      }
    }
  }
}

TEST(VnniPack, PackedSizeEqualsGgufSizeForWholeStripsAndGroups) {
  for (QType t : {QType::Q8_0, QType::Q4_0, QType::Q4_1}) {
    const auto g = vnni16::geometry(t, 4096, 14336);
    EXPECT_EQ(g.total_bytes, row_bytes(t, 14336) * 4096) << name(t);
    EXPECT_EQ(g.group_bytes % 64, 0u);
  }
  const auto g = vnni16::geometry(QType::Q8_0, 17, 96);  // 2 strips, 3 blocks -> 2 groups
  EXPECT_EQ(g.strips, 2);
  EXPECT_EQ(g.groups, 2);
  EXPECT_EQ(g.total_bytes, 2u * 2u * 1088u);
  // IQ4_NL holds the code book's values as Q8_0 codes: the Q8_0 size, not its GGUF size.
  EXPECT_EQ(vnni16::geometry(QType::IQ4_NL, 4096, 14336).total_bytes, row_bytes(QType::Q8_0, 14336) * 4096);
}

TEST(VnniPack, ByteLayoutAsDocumented) {
  // Row r, element e of Q8_0: code (r * 31 + e) mod 256 - 128, d = r + 1.
  const int64_t n = 18, k = 96;
  std::vector<std::byte> src(row_bytes(QType::Q8_0, k) * n);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t b = 0; b < k / 32; ++b) {
      BlockQ8_0 blk;
      blk.d = static_cast<uint16_t>(r + 1 + 100 * b);
      for (int i = 0; i < 32; ++i) blk.qs[i] = static_cast<int8_t>((r * 31 + (32 * b + i)) % 256 - 128);
      std::memcpy(src.data() + (r * 3 + b) * sizeof blk, &blk, sizeof blk);
    }
  }
  const PackedWeights w = vnni16::pack(QType::Q8_0, src, n, k, default_memory_resource());
  const auto g = vnni16::geometry(QType::Q8_0, n, k);
  const auto* p = reinterpret_cast<const uint8_t*>(w.bytes().data());
  for (int64_t r = 0; r < n; ++r) {
    const int64_t s = r / 16, j = r % 16;
    for (int64_t e = 0; e < k; ++e) {
      const int64_t b = e / 32, h = b % 2, kk = (e % 32) / 4, i = e % 4;
      const size_t at = s * g.strip_bytes + (b / 2) * g.group_bytes + 64 + h * 512 + 64 * kk + 4 * j + i;
      const int code = static_cast<int>((r * 31 + e) % 256) - 128;
      ASSERT_EQ(p[at], static_cast<uint8_t>(code + 128)) << "r=" << r << " e=" << e;
    }
    for (int64_t b = 0; b < k / 32; ++b) {
      uint16_t d;
      std::memcpy(&d, p + s * g.strip_bytes + (b / 2) * g.group_bytes + 32 * (b % 2) + 2 * j, 2);
      EXPECT_EQ(d, r + 1 + 100 * b);
    }
  }
  // Padding rows 18..31 of strip 1 and the padding block 3: zero codes (0x80), zero scales.
  for (int64_t j = 2; j < 16; ++j) {
    for (int64_t kk = 0; kk < 8; ++kk) EXPECT_EQ(p[g.strip_bytes + 64 + 64 * kk + 4 * j], 0x80);
    uint16_t d;
    std::memcpy(&d, p + g.strip_bytes + 2 * j, 2);
    EXPECT_EQ(d, 0);
  }
  for (int64_t kk = 0; kk < 8; ++kk) EXPECT_EQ(p[g.group_bytes + 64 + 512 + 64 * kk], 0x80);
}

TEST(VnniPack, Q4KeepsTheGgufNibbleBytes) {
  const int64_t n = 16, k = 64;
  const auto src = random_bytes(row_bytes(QType::Q4_1, k) * n, 5);
  const PackedWeights w = vnni16::pack(QType::Q4_1, src, n, k, default_memory_resource());
  const auto* p = reinterpret_cast<const uint8_t*>(w.bytes().data());
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t b = 0; b < 2; ++b) {
      BlockQ4_1 blk;
      std::memcpy(&blk, src.data() + (r * 2 + b) * sizeof blk, sizeof blk);
      for (int q = 0; q < 16; ++q) ASSERT_EQ(p[128 + 256 * b + 64 * (q / 4) + 4 * r + q % 4], blk.qs[q]);
      uint16_t d, m;
      std::memcpy(&d, p + 32 * b + 2 * r, 2);
      std::memcpy(&m, p + 64 + 32 * b + 2 * r, 2);
      EXPECT_EQ(d, blk.d);
      EXPECT_EQ(m, blk.m);
    }
  }
}

// IQ4_NL for the GEMV (iq4_nl_nib_vnni16): Q4_0's geometry with the index nibbles kept,
// so the packed tensor is exactly the GGUF size; exact inverse; padding rows hold index 8.
TEST(VnniPack, Iq4NlNibblesKeepTheGgufBytes) {
  for (int64_t n : {1, 16, 17, 33}) {
    for (int64_t k : {32, 96, 2080}) {
      const auto src = random_bytes(row_bytes(QType::IQ4_NL, k) * static_cast<size_t>(n),
                                    static_cast<uint64_t>(n * 131 + k));
      const PackedWeights w =
          vnni16::pack_iq4_nl_nibbles(QType::IQ4_NL, src, n, k, default_memory_resource());
      EXPECT_EQ(w.layout(), Layout::iq4_nl_nib_vnni16);
      const auto g = vnni16::geometry(Layout::iq4_nl_nib_vnni16, n, k);
      EXPECT_EQ(w.bytes().size(), g.total_bytes);
      EXPECT_EQ(g.group_bytes, 576u);
      const auto* p = reinterpret_cast<const uint8_t*>(w.bytes().data());
      for (int64_t r = 0; r < n; ++r) {
        const int64_t s = r / 16, j = r % 16;
        for (int64_t b = 0; b < k / 32; ++b) {
          BlockIQ4_NL blk;
          std::memcpy(&blk, src.data() + (r * (k / 32) + b) * sizeof blk, sizeof blk);
          const uint8_t* group = p + s * g.strip_bytes + (b / 2) * g.group_bytes;
          for (int q = 0; q < 16; ++q)
            ASSERT_EQ(group[64 + 256 * (b % 2) + 64 * (q / 4) + 4 * j + q % 4], blk.qs[q]) << "r=" << r;
          uint16_t d;
          std::memcpy(&d, group + 32 * (b % 2) + 2 * j, 2);
          EXPECT_EQ(d, blk.d);
        }
      }
      if (n % 16 != 0) {
        EXPECT_EQ(p[(n / 16) * g.strip_bytes + 64 + 4 * (n % 16)], 0x88);
      }
      const std::vector<std::byte> back = unpack_to_gguf(w);
      ASSERT_EQ(back.size(), src.size());
      EXPECT_EQ(0, std::memcmp(back.data(), src.data(), src.size())) << "N=" << n << " K=" << k;
    }
  }
  EXPECT_EQ(vnni16::geometry(Layout::iq4_nl_nib_vnni16, 4096, 14336).total_bytes,
            row_bytes(QType::IQ4_NL, 14336) * 4096);
  const auto src = random_bytes(row_bytes(QType::Q4_0, 64) * 4, 3);
  const std::string msg = error_of(
      [&] { (void)vnni16::pack_iq4_nl_nibbles(QType::Q4_0, src, 4, 64, default_memory_resource()); });
  EXPECT_NE(msg.find("q4_0 is not iq4_nl"), std::string::npos) << msg;
}

TEST(VnniPack, Errors) {
  const auto src = random_bytes(row_bytes(QType::Q8_0, 64) * 4, 1);
  std::string msg =
      error_of([&] { (void)vnni16::pack(QType::Q4_K, src, 1, 256, default_memory_resource()); });
  EXPECT_NE(msg.find("q4_K"), std::string::npos) << msg;
  msg = error_of([&] { (void)vnni16::pack(QType::Q8_0, src, 4, 48, default_memory_resource()); });
  EXPECT_NE(msg.find("K=48"), std::string::npos) << msg;
  msg = error_of([&] { (void)vnni16::pack(QType::Q8_0, src, 5, 64, default_memory_resource()); });
  EXPECT_FALSE(msg.empty());
  msg = error_of([&] { (void)vnni16::pack(QType::Q8_0, src, 0, 64, default_memory_resource()); });
  EXPECT_NE(msg.find("N=0"), std::string::npos) << msg;
  // unpack of another layout
  const PackedWeights plain = pack_gguf_rows(QType::Q8_0, src, 4, 64, default_memory_resource());
  msg = error_of([&] { (void)vnni16::unpack(plain); });
  EXPECT_NE(msg.find("gguf_rows"), std::string::npos) << msg;
  const auto back = unpack_to_gguf(plain);
  EXPECT_EQ(0, std::memcmp(back.data(), src.data(), src.size()));
}

}  // namespace
}  // namespace amxlab::testing

namespace amxlab::testing {
namespace {

// The source checksum names the bytes a PackedWeights came from: equal bytes give equal
// sums, one changed byte anywhere (word lanes, their order, the tail) or another length
// gives another.
TEST(Checksum, EveryByteAndTheLengthCount) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{7}, size_t{31}, size_t{32}, size_t{33}, size_t{100}}) {
    std::vector<std::byte> v(size);
    for (size_t i = 0; i < size; ++i) v[i] = static_cast<std::byte>(i * 37 + 11);
    const uint64_t base = checksum_bytes(v);
    EXPECT_EQ(checksum_bytes(std::vector<std::byte>(v)), base);
    for (size_t i = 0; i < size; ++i) {
      std::vector<std::byte> w = v;
      w[i] ^= std::byte{0x01};
      EXPECT_NE(checksum_bytes(w), base) << "size " << size << " byte " << i;
    }
    std::vector<std::byte> longer = v;
    longer.push_back(std::byte{0});
    EXPECT_NE(checksum_bytes(longer), base) << "size " << size;
  }
  // Two 8-byte words swapped between lanes.
  std::vector<std::byte> a(64), b(64);
  for (size_t i = 0; i < 64; ++i) a[i] = b[i] = static_cast<std::byte>(i);
  for (size_t i = 0; i < 8; ++i) std::swap(b[i], b[8 + i]);
  EXPECT_NE(checksum_bytes(a), checksum_bytes(b));
}

}  // namespace
}  // namespace amxlab::testing
