// The AMX kernels' vector steps (kernels/amx/amx_vector_steps.h) at 256 and 512 bits give
// the same bits on the same inputs, for every step and variant; and the emulated kernels
// take the 512-bit build exactly where the CPU (under the ISA cap) has it. Together with
// the emulated kernels' golden tests (which run the 512-bit steps on AVX-512 machines and
// the 256-bit ones elsewhere) this proves the 256-bit steps wherever the tests run.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/amx/amx_vector_steps.h"
#include "kernels/isa.h"
#include "kernels/pack/kquant_records.h"

namespace amxlab::amx {
namespace {

constexpr uint32_t kWideIsa = kIsaAvx512 | kIsaAvx512Vnni;

struct RestoreCap {
  IsaLevel cap = isa_cap();
  ~RestoreCap() { set_isa_cap(cap); }
};

// Finite fp32 values over a wide range (products and sums that round), exact small ones
// and signed zeros.
float any_float(std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    default: {
      const auto bits = static_cast<uint32_t>((rng() & 0x807fffffu) | ((96u + rng() % 64u) << 23));
      return std::bit_cast<float>(bits);
    }
  }
}

// Every bit of a and b equal; else the first index that differs.
::testing::AssertionResult same_bits(const void* a, const void* b, size_t words) {
  const auto* x = static_cast<const uint32_t*>(a);
  const auto* y = static_cast<const uint32_t*>(b);
  for (size_t i = 0; i < words; ++i) {
    if (x[i] != y[i]) {
      return ::testing::AssertionFailure() << "word " << i << " (row " << i / 32 << ", column " << i % 32
                                           << "): avx512 0x" << std::hex << x[i] << ", avx2 0x" << y[i];
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(AmxVectorSteps, EmulationTakesTheWidestBuildTheCapAllows) {
  RestoreCap restore;
  const bool wide = isa_supported(kWideIsa);
  EXPECT_STREQ(emulation_vector_steps().isa, wide ? "avx512" : "avx2");
  set_isa_cap(IsaLevel::avx2);
  EXPECT_STREQ(emulation_vector_steps().isa, "avx2");
  EXPECT_STREQ(vector_steps_avx2().isa, "avx2");
  EXPECT_STREQ(vector_steps_avx512().isa, "avx512");
}

class BothWidths : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!isa_supported(kWideIsa, &why_)) {
      GTEST_SKIP() << "the 512-bit build cannot run here (" << why_
                   << "); the 256-bit one is checked against golden by the emulated kernels' tests";
    }
  }
  std::string why_;
  std::mt19937 rng_{20261130};
  const VectorSteps& wide_ = vector_steps_avx512();
  const VectorSteps& narrow_ = vector_steps_avx2();
};

TEST_F(BothWidths, EpilogueGivesTheSameBits) {
  int written = 0;  // trials that changed some accumulator (a zero d_a may leave a row as it was)
  for (int trial = 0; trial < 64; ++trial) {
    const bool min = trial % 2 == 1;
    const bool two = trial % 4 < 2;
    const int count = 1 + trial / 4 % kGroupBlocks;
    const int rows = 1 + static_cast<int>(rng_() % 32);
    SCOPED_TRACE(::testing::Message()
                 << "min " << min << " two " << two << " count " << count << " rows " << rows);
    std::vector<int32_t> c(static_cast<size_t>(kGroupBlocks) * 1024);
    // Block sums up to 2^19 in size (32 x 128 x 128) and beyond, where the conversion rounds.
    for (int32_t& v : c) v = static_cast<int32_t>(rng_() % (1u << 26)) - (1 << 25);
    std::vector<float> scales(static_cast<size_t>(kGroupBlocks) * 4 * 16),
        da(static_cast<size_t>(kGroupBlocks) * 32), sa(da.size()), acc(1024);
    for (float& v : scales) v = any_float(rng_);
    for (float& v : da) v = any_float(rng_);
    for (float& v : sa) v = any_float(rng_);
    for (float& v : acc) v = any_float(rng_);
    BlockScales sc[kGroupBlocks];
    for (int g = 0; g < kGroupBlocks; ++g) {
      float* s = scales.data() + 64 * g;
      sc[g] = {s, s + 16, s + 32, s + 48};
    }
    std::vector<float> acc_wide = acc, acc_narrow = acc;
    wide_.epilogue(min, acc_wide.data(), c.data(), sc, count, da.data(), sa.data(), 32, rows, two);
    narrow_.epilogue(min, acc_narrow.data(), c.data(), sc, count, da.data(), sa.data(), 32, rows, two);
    EXPECT_TRUE(same_bits(acc_wide.data(), acc_narrow.data(), acc.size()));
    written += same_bits(acc_wide.data(), acc.data(), acc.size()) ? 0 : 1;
  }
  EXPECT_GE(written, 16) << "the epilogue left the accumulators as they were in most trials";
}

TEST_F(BothWidths, SubBlockFoldGivesTheSameBits) {
  for (int trial = 0; trial < 16; ++trial) {
    const bool two = trial % 2 == 0;
    const int rows = 1 + static_cast<int>(rng_() % 32);
    std::vector<int32_t> sum(1024), dot(1024);
    for (int32_t& v : sum) v = static_cast<int32_t>(rng_());
    for (int32_t& v : dot) v = static_cast<int32_t>(rng_());
    std::vector<std::byte> scales(32);
    for (std::byte& b : scales) b = static_cast<std::byte>(rng_());
    std::vector<int32_t> sum_wide = sum, sum_narrow = sum;
    wide_.fold_subblock(sum_wide.data(), dot.data(), scales.data(), scales.data() + 16, rows, two);
    narrow_.fold_subblock(sum_narrow.data(), dot.data(), scales.data(), scales.data() + 16, rows, two);
    EXPECT_TRUE(same_bits(sum_wide.data(), sum_narrow.data(), sum.size()))
        << "rows " << rows << " two " << two;
  }
}

TEST_F(BothWidths, SuperBlockFinishGivesTheSameBits) {
  // Records of the real layout (kq_records): random bytes (the coefficients' int16 pairs
  // take any value: VPDPWSSD and VPMADDWD + VPADDD wrap alike), finite fp16 d and dmin.
  using kq_records::kI8DOffset;
  using kq_records::kI8RecordBytes;
  const auto finite_half = [&] { return static_cast<uint16_t>(rng_() & 0xfbffu); };  // exponent < 31
  for (int trial = 0; trial < 64; ++trial) {
    const int sub = trial % 2 == 0 ? 32 : 16;
    const bool min = trial % 4 < 2;
    const bool two = trial % 8 < 4;
    const int rows = 1 + static_cast<int>(rng_() % 32);
    SCOPED_TRACE(::testing::Message()
                 << "sub " << sub << " min " << min << " two " << two << " rows " << rows);
    std::vector<std::byte> rec(2 * kI8RecordBytes);
    for (std::byte& b : rec) b = static_cast<std::byte>(rng_());
    for (size_t r = 0; r < 2; ++r) {
      for (size_t i = 0; i < 32; ++i) {  // d, then dmin
        const uint16_t h = finite_half();
        std::memcpy(rec.data() + kI8RecordBytes * r + kI8DOffset + 2 * i, &h, 2);
      }
    }
    const size_t stride = kq_records::kQ8KBlockBytes;
    std::vector<std::byte> act(stride * 32);
    for (std::byte& b : act) b = static_cast<std::byte>(rng_());
    for (int r = 0; r < 32; ++r) {
      const float d = any_float(rng_);
      std::memcpy(act.data() + stride * static_cast<size_t>(r), &d, sizeof d);
    }
    std::vector<int32_t> sum(1024);
    for (int32_t& v : sum) v = static_cast<int32_t>(rng_() % (1u << 24)) - (1 << 23);
    std::vector<float> acc(1024);
    for (float& v : acc) v = any_float(rng_);
    std::vector<float> acc_wide = acc, acc_narrow = acc;
    wide_.finish_superblock(sub, min, acc_wide.data(), sum.data(), rec.data(), rec.data() + kI8RecordBytes,
                            act.data(), stride, rows, two);
    narrow_.finish_superblock(sub, min, acc_narrow.data(), sum.data(), rec.data(),
                              rec.data() + kI8RecordBytes, act.data(), stride, rows, two);
    EXPECT_TRUE(same_bits(acc_wide.data(), acc_narrow.data(), acc.size()));
  }
}

}  // namespace
}  // namespace amxlab::amx
