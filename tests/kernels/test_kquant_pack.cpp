// kq_i8_vnni16 packing (kernels/pack/kquant_pack.h) and encode_block(), the exact
// inverse of decode_block() it relies on: round trips over random bytes (every bit
// pattern of these formats is a legal block), the byte layout, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/pack/kquant_nibble_pack.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/pack/vnni_pack.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

constexpr QType kKTypes[] = {QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS};

uint16_t half_at(const std::byte* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}

// Raw d / dmin bits of a block (dmin 0 where the format has none; Q4_1 keeps m there).
void halves(QType t, const std::byte* blk, uint16_t& d, uint16_t& dmin) {
  dmin = 0;
  switch (t) {
    case QType::Q2_K:
      d = half_at(blk + offsetof(BlockQ2_K, d));
      dmin = half_at(blk + offsetof(BlockQ2_K, dmin));
      return;
    case QType::Q3_K: d = half_at(blk + offsetof(BlockQ3_K, d)); return;
    case QType::Q4_1:
    case QType::Q4_K:
    case QType::Q5_K:
      d = half_at(blk);
      dmin = half_at(blk + 2);
      return;
    case QType::Q6_K: d = half_at(blk + offsetof(BlockQ6_K, d)); return;
    default: d = half_at(blk); return;
  }
}

TEST(EncodeBlock, InvertsDecodeBlockOnRandomBytes) {
  for (QType t : {QType::Q4_0, QType::Q4_1, QType::Q8_0, QType::IQ4_NL, QType::Q2_K, QType::Q3_K, QType::Q4_K,
                  QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    const size_t bb = traits(t).block_bytes;
    const auto src = random_bytes(bb * 500, 17 + static_cast<uint64_t>(t));
    std::vector<std::byte> back(bb);
    for (size_t i = 0; i < 500; ++i) {
      const std::byte* blk = src.data() + i * bb;
      BlockInts b;
      decode_block(t, blk, b);
      uint16_t d, dmin;
      halves(t, blk, d, dmin);
      encode_block(t, b, d, dmin, back.data());
      ASSERT_EQ(0, std::memcmp(back.data(), blk, bb)) << name(t) << " block " << i;
    }
  }
}

TEST(EncodeBlock, RefusesCodesTheFormatCannotHold) {
  BlockInts b;
  std::vector<std::byte> out(256);
  decode_block(QType::Q4_K, random_bytes(sizeof(BlockQ4_K), 3).data(), b);
  b.code[7] = 16;
  std::string msg = error_of([&] { encode_block(QType::Q4_K, b, 0, 0, out.data()); });
  EXPECT_NE(msg.find("q4_K code 16 outside 0..15"), std::string::npos) << msg;
  decode_block(QType::IQ4_XS, random_bytes(sizeof(BlockIQ4_XS), 4).data(), b);
  b.code[0] = 0;  // not in the code book
  msg = error_of([&] { encode_block(QType::IQ4_XS, b, 0, 0, out.data()); });
  EXPECT_NE(msg.find("code book"), std::string::npos) << msg;
  msg = error_of([&] { encode_block(QType::Q8_K, b, 0, 0, out.data()); });
  EXPECT_NE(msg.find("q8_K is not a block weight format"), std::string::npos) << msg;
}

TEST(KquantPack, UnpackReturnsTheExactGgufBytes) {
  for (QType t : kKTypes) {
    for (int64_t n : {1, 15, 16, 17, 33, 48}) {
      for (int64_t k : {256, 512, 2304}) {
        // Every byte random: all codes, scales, mins, and fp16 d / dmin bits (NaN too).
        const auto src = random_bytes(row_bytes(t, k) * static_cast<size_t>(n),
                                      static_cast<uint64_t>(n * 7919 + k) + static_cast<uint64_t>(t));
        const PackedWeights w = kq16::pack(t, src, n, k, default_memory_resource());
        EXPECT_EQ(w.type(), t);
        EXPECT_EQ(w.layout(), Layout::kq_i8_vnni16);
        EXPECT_EQ(w.source_checksum(), checksum_bytes(src));
        EXPECT_EQ(w.bytes().size(),
                  static_cast<size_t>((n + 15) / 16) * static_cast<size_t>(k / 256) * 4928u);
        const std::vector<std::byte> back = unpack_to_gguf(w);
        ASSERT_EQ(back.size(), src.size());
        EXPECT_EQ(0, std::memcmp(back.data(), src.data(), src.size())) << name(t) << " N=" << n << " K=" << k;
      }
    }
  }
}

// Both layouts' largest code, which bounds the plain AVX2 dot's int16 groups in the GEMM
// (kq_i8) and the GEMV (kq_nib): one figure per type. ByteLayoutAsDocumented shows the
// kq_i8 codes reach it.
TEST(KquantPack, LayoutsAgreeOnTheLargestCode) {
  for (QType t : kKTypes) EXPECT_EQ(kqn::record_info(t).code_max, kq16::type_info(t).code_max) << name(t);
}

TEST(KquantPack, ByteLayoutAsDocumented) {
  for (QType t : kKTypes) {
    const int64_t n = 20, k = 512;
    const auto src = random_bytes(row_bytes(t, k) * n, 99 + static_cast<uint64_t>(t));
    const PackedWeights w = kq16::pack(t, src, n, k, default_memory_resource());
    const kq16::TypeInfo ti = kq16::type_info(t);
    const std::byte* p = w.bytes().data();
    const size_t strip_bytes = 2 * kq16::kRecordBytes;
    int u_max = 0;  // TypeInfo::code_max bounds the plain AVX2 dot's int16 groups: the codes reach it
    for (int64_t row : {int64_t{0}, int64_t{5}, int64_t{16}, int64_t{19}}) {
      for (int64_t sb = 0; sb < 2; ++sb) {
        const std::byte* blk = src.data() + static_cast<size_t>(row) * row_bytes(t, k) +
                               static_cast<size_t>(sb) * traits(t).block_bytes;
        BlockInts b;
        decode_block(t, blk, b);
        const std::byte* rec =
            p + static_cast<size_t>(row / 16) * strip_bytes + static_cast<size_t>(sb) * kq16::kRecordBytes;
        const auto j = static_cast<size_t>(row % 16);
        for (int e = 0; e < 256; ++e) {
          ASSERT_EQ(
              std::to_integer<int>(rec[64 * static_cast<size_t>(e / 4) + 4 * j + static_cast<size_t>(e % 4)]),
              b.code[e] + ti.bias)
              << name(t) << " row " << row << " element " << e;
          u_max = std::max(u_max, b.code[e] + ti.bias);
        }
        for (int sub = 0; sub < ti.n_sub; ++sub) {
          EXPECT_EQ(static_cast<int8_t>(std::to_integer<uint8_t>(
                        rec[kq16::kScaleOffset + 16 * static_cast<size_t>(sub) + j])),
                    b.scale[sub]);
          int16_t c;
          std::memcpy(&c,
                      rec + kq16::kCoefOffset + 64 * static_cast<size_t>(sub / 2) + 4 * j +
                          2 * static_cast<size_t>(sub % 2),
                      2);
          EXPECT_EQ(c, ti.has_min ? b.min[sub] : -ti.bias * b.scale[sub]) << name(t) << " sub " << sub;
        }
        // 32-wide types leave the coefficient pairs past their 8 sub-blocks zero.
        for (int q = ti.n_sub; q < 16; ++q) {
          int16_t c;
          std::memcpy(&c,
                      rec + kq16::kCoefOffset + 64 * static_cast<size_t>(q / 2) + 4 * j +
                          2 * static_cast<size_t>(q % 2),
                      2);
          EXPECT_EQ(c, 0) << name(t) << " unused coefficient " << q;
        }
        uint16_t d, dmin;
        halves(t, blk, d, dmin);
        EXPECT_EQ(half_at(rec + kq16::kDOffset + 2 * j), d);
        EXPECT_EQ(half_at(rec + kq16::kDminOffset + 2 * j), dmin);
      }
    }
    EXPECT_EQ(u_max, ti.code_max) << name(t);
    // Padding lanes (rows 20..31 of strip 1): all zero.
    const std::byte* rec = p + strip_bytes;
    for (size_t j = 4; j < 16; ++j) EXPECT_EQ(std::to_integer<int>(rec[4 * j]), 0);
  }
}

TEST(KquantPack, Errors) {
  const auto src = random_bytes(row_bytes(QType::Q4_K, 512) * 4, 1);
  std::string msg = error_of([&] { (void)kq16::pack(QType::Q8_0, src, 1, 256, default_memory_resource()); });
  EXPECT_NE(msg.find("q8_0 has no kq_i8_vnni16 layout"), std::string::npos) << msg;
  msg = error_of([&] { (void)kq16::pack(QType::Q4_K, src, 4, 384, default_memory_resource()); });
  EXPECT_NE(msg.find("K=384"), std::string::npos) << msg;
  msg = error_of([&] { (void)kq16::pack(QType::Q4_K, src, 5, 512, default_memory_resource()); });
  EXPECT_NE(msg.find("q4_K GGUF rows"), std::string::npos) << msg;
  msg = error_of([&] { (void)kq16::pack(QType::Q4_K, src, 0, 512, default_memory_resource()); });
  EXPECT_NE(msg.find("N=0"), std::string::npos) << msg;
  const PackedWeights plain = pack_gguf_rows(QType::Q4_K, src, 4, 512, default_memory_resource());
  msg = error_of([&] { (void)kq16::unpack(plain); });
  EXPECT_NE(msg.find("gguf_rows"), std::string::npos) << msg;
  // A corrupted record: a Q4_K code of 16 cannot come from a GGUF block.
  PackedWeights w = kq16::pack(QType::Q4_K, src, 4, 512, default_memory_resource());
  w.mutable_bytes()[64 * 3 + 1] = std::byte{16};
  msg = error_of([&] { (void)kq16::unpack(w); });
  EXPECT_NE(msg.find("q4_K code 16"), std::string::npos) << msg;
}

}  // namespace
}  // namespace amxlab::testing

namespace amxlab::testing {
namespace {

TEST(KquantNibblePack, RecordSizesAsDocumented) {
  // The GEMV kernel (kernels/vnni/avx512_kqn_gemv.cpp) reads these offsets.
  struct Want {
    QType t;
    size_t high_bytes, scale, coef, d, dmin, header, bytes;
    int sub_len;
  };
  // The header first (scales, then for the types with mins coefficients and dmin), padded
  // to a cache line; the biased types without mins (IQ4_XS, Q6_K, Q3_K) keep no
  // coefficients and no dmin.
  for (const Want& w : {Want{QType::Q4_K, 0, 0, 128, 256, 288, 320, 2368, 32},
                        Want{QType::IQ4_XS, 0, 0, 0, 128, 0, 192, 2240, 32},
                        Want{QType::Q5_K, 512, 0, 128, 256, 288, 320, 2880, 32},
                        Want{QType::Q6_K, 1024, 0, 0, 256, 0, 320, 3392, 16},
                        Want{QType::Q2_K, 0, 0, 256, 512, 544, 576, 1600, 16},
                        Want{QType::Q3_K, 0, 0, 0, 256, 0, 320, 2368, 16}}) {
    const kqn::RecordInfo r = kqn::record_info(w.t);
    EXPECT_EQ(r.high_bytes, w.high_bytes) << name(w.t);
    EXPECT_EQ(r.scale_offset, w.scale) << name(w.t);
    EXPECT_EQ(r.min, w.coef != 0) << name(w.t);
    if (r.min) {
      EXPECT_EQ(r.coef_offset, w.coef) << name(w.t);
      EXPECT_EQ(r.dmin_offset, w.dmin) << name(w.t);
    }
    EXPECT_EQ(r.d_offset, w.d) << name(w.t);
    EXPECT_EQ(r.header_bytes, w.header) << name(w.t);
    EXPECT_EQ(r.record_bytes, w.bytes) << name(w.t);
    EXPECT_EQ(r.record_bytes % 64, 0u);
    EXPECT_EQ(r.sub_len, w.sub_len);
  }
  // Bytes per 256 weights as kernels/README.md and kquant_nibble_pack.h give them.
  EXPECT_EQ(kqn::packed_bytes(QType::Q4_K, 16, 256), 16u * 148);
  EXPECT_EQ(kqn::packed_bytes(QType::IQ4_XS, 16, 256), 16u * 140);
  EXPECT_EQ(kqn::packed_bytes(QType::Q5_K, 16, 256), 16u * 180);
  EXPECT_EQ(kqn::packed_bytes(QType::Q6_K, 16, 256), 16u * 212);
  EXPECT_EQ(kqn::packed_bytes(QType::Q2_K, 16, 256), 16u * 100);
  EXPECT_EQ(kqn::packed_bytes(QType::Q3_K, 16, 256), 16u * 148);
}

TEST(KquantNibblePack, RowsAscendInTheOrderTheGemvReadsThem) {
  // The GEMV reads the header, then for each nibble row kk its high row (if any) and the
  // row: every record must be one ascending walk that covers it exactly once.
  for (QType t : {QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    const kqn::RecordInfo r = kqn::record_info(t);
    std::vector<size_t> order;
    for (int kk = 0; kk < r.code_rows; ++kk) {
      if (r.rows_per_high != 0 && kk % r.rows_per_high == 0) order.push_back(r.high_row(kk));
      order.push_back(r.code_row(kk));
    }
    ASSERT_EQ(order.size() * 64, 64 * static_cast<size_t>(r.code_rows) + r.high_bytes) << name(t);
    size_t want = r.header_bytes;
    for (size_t at : order) {
      EXPECT_EQ(at, want) << name(t);
      want = at + 64;
    }
    EXPECT_EQ(want, r.record_bytes) << name(t);
    EXPECT_LE(r.d_offset + (r.min ? 64 : 32), r.header_bytes) << name(t);
  }
}

TEST(KquantNibblePack, ScalesFillTheirRegionOnce) {
  // scale_at(sub, lane) over every sub-block and lane: each byte of the scale region once
  // (Q2_K and Q3_K in pairs, NibRecord::scale_pairs; the others in rows of 16).
  for (QType t : {QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    const kqn::RecordInfo r = kqn::record_info(t);
    EXPECT_EQ(r.scale_pairs, t == QType::Q2_K || t == QType::Q3_K) << name(t);
    std::vector<int> seen(16 * static_cast<size_t>(r.n_sub), 0);
    for (int sub = 0; sub < r.n_sub; ++sub) {
      for (int lane = 0; lane < 16; ++lane) {
        const size_t at = r.scale_at(sub, lane);
        ASSERT_GE(at, r.scale_offset) << name(t);
        ASSERT_LT(at - r.scale_offset, seen.size()) << name(t);
        ++seen[at - r.scale_offset];
      }
    }
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<long>(seen.size())) << name(t);
  }
  // Q2_K, group 1: fields 0 and 1 are sub-blocks 1 and 5, paired in one 32-byte row.
  const kqn::RecordInfo q2 = kqn::record_info(QType::Q2_K);
  EXPECT_EQ(q2.scale_at(1, 3), q2.scale_pair_row(1, 0) + 6);
  EXPECT_EQ(q2.scale_at(5, 3), q2.scale_pair_row(1, 0) + 7);
  EXPECT_EQ(q2.scale_at(13, 0), q2.scale_pair_row(1, 1) + 1);
}

TEST(KquantNibblePack, UnpackReturnsTheExactGgufBytes) {
  for (QType t : {QType::Q2_K, QType::Q3_K, QType::Q4_K, QType::Q5_K, QType::Q6_K, QType::IQ4_XS}) {
    for (int64_t n : {1, 15, 16, 17, 33}) {
      for (int64_t k : {256, 512, 2304}) {
        const auto src = random_bytes(row_bytes(t, k) * static_cast<size_t>(n),
                                      static_cast<uint64_t>(n * 31 + k) + static_cast<uint64_t>(t));
        const PackedWeights w = kqn::pack(t, src, n, k, default_memory_resource());
        EXPECT_EQ(w.layout(), Layout::kq_nib_vnni16);
        EXPECT_EQ(w.bytes().size(), kqn::packed_bytes(t, n, k));
        EXPECT_EQ(w.source_checksum(), checksum_bytes(src));
        const std::vector<std::byte> back = unpack_to_gguf(w);
        ASSERT_EQ(back.size(), src.size());
        EXPECT_EQ(0, std::memcmp(back.data(), src.data(), src.size())) << name(t) << " N=" << n << " K=" << k;
      }
    }
  }
}

TEST(KquantNibblePack, Errors) {
  const auto src = random_bytes(row_bytes(QType::Q6_K, 512) * 4, 5);
  std::string msg = error_of([&] { (void)kqn::pack(QType::Q8_0, src, 1, 256, default_memory_resource()); });
  EXPECT_NE(msg.find("q8_0 has no kq_nib_vnni16 layout"), std::string::npos) << msg;
  msg = error_of([&] { (void)kqn::pack(QType::Q6_K, src, 4, 320, default_memory_resource()); });
  EXPECT_NE(msg.find("K=320"), std::string::npos) << msg;
  msg = error_of([&] { (void)kqn::pack(QType::Q6_K, src, 9, 512, default_memory_resource()); });
  EXPECT_NE(msg.find("q6_K GGUF rows"), std::string::npos) << msg;
  const PackedWeights other = kq16::pack(QType::Q6_K, src, 4, 512, default_memory_resource());
  msg = error_of([&] { (void)kqn::unpack(other); });
  EXPECT_NE(msg.find("kq_i8_vnni16, not kq_nib_vnni16"), std::string::npos) << msg;
}

}  // namespace
}  // namespace amxlab::testing
