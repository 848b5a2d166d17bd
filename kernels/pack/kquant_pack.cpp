#include "kernels/pack/kquant_pack.h"

#include <cstddef>
#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"

namespace amxlab::kq16 {
namespace {

// The coefficient of sub-block `sub` in T (kquant_pack.h).
int coef(const TypeInfo& ti, const BlockInts& b, int sub) {
  return ti.has_min ? b.min[sub] : -ti.bias * b.scale[sub];
}

void write_record(const TypeInfo& ti, const BlockInts& b, const std::byte* gguf, const HalfFields& hf, int j,
                  std::byte* rec) {
  for (int kk = 0; kk < kSuperK / 4; ++kk) {
    for (int i = 0; i < 4; ++i)
      rec[64 * kk + 4 * j + i] = static_cast<std::byte>(static_cast<uint8_t>(b.code[4 * kk + i] + ti.bias));
  }
  for (int sub = 0; sub < ti.n_sub; ++sub)
    rec[kScaleOffset + 16 * static_cast<size_t>(sub) + static_cast<size_t>(j)] =
        static_cast<std::byte>(static_cast<uint8_t>(b.scale[sub]));
  for (int sub = 0; sub < ti.n_sub; ++sub) {
    const auto c = static_cast<int16_t>(coef(ti, b, sub));
    std::memcpy(rec + coef_byte(sub, j), &c, 2);
  }
  std::memcpy(rec + kDOffset + 2 * static_cast<size_t>(j), gguf + hf.d, 2);
  if (hf.dmin >= 0) std::memcpy(rec + kDminOffset + 2 * static_cast<size_t>(j), gguf + hf.dmin, 2);
}

}  // namespace

HalfFields half_fields(QType t) {
  switch (t) {
    case QType::Q2_K: return {offsetof(BlockQ2_K, d), static_cast<std::ptrdiff_t>(offsetof(BlockQ2_K, dmin))};
    case QType::Q3_K: return {offsetof(BlockQ3_K, d), -1};
    case QType::Q4_K: return {offsetof(BlockQ4_K, d), static_cast<std::ptrdiff_t>(offsetof(BlockQ4_K, dmin))};
    case QType::Q5_K: return {offsetof(BlockQ5_K, d), static_cast<std::ptrdiff_t>(offsetof(BlockQ5_K, dmin))};
    case QType::Q6_K: return {offsetof(BlockQ6_K, d), -1};
    default: return {offsetof(BlockIQ4_XS, d), -1};
  }
}

bool packable(QType t) {
  return t == QType::Q2_K || t == QType::Q3_K || t == QType::Q4_K || t == QType::Q5_K || t == QType::Q6_K ||
         t == QType::IQ4_XS;
}

TypeInfo type_info(QType t) {
  switch (t) {
    case QType::Q2_K: return {16, 16, true, 0, kq_records::kCodeMaxQ2_K};
    case QType::Q3_K: return {16, 16, false, 4, kq_records::kCodeMaxQ3_K};
    case QType::Q4_K: return {32, 8, true, 0, kq_records::kCodeMaxQ4_K};
    case QType::Q5_K: return {32, 8, true, 0, kq_records::kCodeMaxQ5_K};
    case QType::Q6_K: return {16, 16, false, 32, kq_records::kCodeMaxQ6_K};
    case QType::IQ4_XS: return {32, 8, false, 128, kq_records::kCodeMaxIQ4_XS};
    default: break;
  }
  throw Error(std::string("kq16: ") + name(t) +
              " has no kq_i8_vnni16 layout (q2_K, q3_K, q4_K, q5_K, q6_K and iq4_xs have)");
}

Geometry geometry(QType t, int64_t n, int64_t k) {
  type_info(t);
  require(n >= 1, [&] { return "kq16: N=" + std::to_string(n) + " must be at least 1"; });
  require(k >= kSuperK && k % kSuperK == 0,
          [&] { return "kq16: K=" + std::to_string(k) + " is not a positive multiple of 256"; });
  Geometry g;
  g.type = t;
  g.n = n;
  g.k = k;
  g.strips = (n + kStripRows - 1) / kStripRows;
  g.superblocks = k / kSuperK;
  g.strip_bytes = static_cast<size_t>(g.superblocks) * kRecordBytes;
  g.total_bytes = static_cast<size_t>(g.strips) * g.strip_bytes;
  return g;
}

PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel) {
  const Geometry g = geometry(t, n, k);
  const TypeInfo ti = type_info(t);
  const HalfFields hf = half_fields(t);
  const size_t rb = row_bytes(t, k);
  const size_t src_bytes = rb * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), src_bytes,
                 [&] { return std::string("kq16::pack ") + name(t) + " GGUF rows"; });
  const std::span<const std::byte> src = gguf_rows.first(src_bytes);
  PackedWeights w(t, Layout::kq_i8_vnni16, n, k, g.total_bytes, checksum_bytes(src), memory);
  std::byte* out = w.mutable_bytes().data();
  const size_t bb = traits(t).block_bytes;
  parallel(g.strips, [&](int64_t s) {
    std::byte* strip = out + static_cast<size_t>(s) * g.strip_bytes;
    std::memset(strip, 0, g.strip_bytes);
    const int rows = static_cast<int>(n - s * kStripRows < kStripRows ? n - s * kStripRows : kStripRows);
    BlockInts b;
    for (int64_t sb = 0; sb < g.superblocks; ++sb) {
      std::byte* rec = strip + static_cast<size_t>(sb) * kRecordBytes;
      for (int j = 0; j < rows; ++j) {
        const std::byte* blk =
            src.data() + static_cast<size_t>(s * kStripRows + j) * rb + static_cast<size_t>(sb) * bb;
        decode_block(t, blk, b);
        write_record(ti, b, blk, hf, j, rec);
      }
    }
  });
  return w;
}

std::vector<std::byte> unpack(const PackedWeights& w) {
  require(w.layout() == Layout::kq_i8_vnni16, [&] {
    return std::string("kq16::unpack: weights have layout ") + name(w.layout()) + ", not kq_i8_vnni16";
  });
  const QType t = w.type();
  const Geometry g = geometry(t, w.n(), w.k());
  require(w.bytes().size() == g.total_bytes, [&] {
    return std::string("kq16::unpack: ") + name(t) + " weights hold " + std::to_string(w.bytes().size()) +
           " bytes, N=" + std::to_string(w.n()) + " K=" + std::to_string(w.k()) + " needs " +
           std::to_string(g.total_bytes);
  });
  const TypeInfo ti = type_info(t);
  const size_t rb = row_bytes(t, g.k);
  const size_t bb = traits(t).block_bytes;
  std::vector<std::byte> out(rb * static_cast<size_t>(g.n));
  const std::byte* in = w.bytes().data();
  BlockInts b;
  b.n = kSuperK;
  b.sub_len = ti.sub_len;
  b.n_sub = ti.n_sub;
  b.has_min = ti.has_min;
  for (int64_t r = 0; r < g.n; ++r) {
    const int64_t s = r / kStripRows;
    const auto j = static_cast<size_t>(r % kStripRows);
    for (int64_t sb = 0; sb < g.superblocks; ++sb) {
      const std::byte* rec =
          in + static_cast<size_t>(s) * g.strip_bytes + static_cast<size_t>(sb) * kRecordBytes;
      for (int kk = 0; kk < kSuperK / 4; ++kk) {
        for (int i = 0; i < 4; ++i)
          b.code[4 * kk + i] = static_cast<int8_t>(std::to_integer<int>(rec[64 * kk + 4 * j + i]) - ti.bias);
      }
      for (int sub = 0; sub < ti.n_sub; ++sub) {
        // NOLINTNEXTLINE(bugprone-signed-char-misuse): the byte is a signed scale
        b.scale[sub] = static_cast<int8_t>(std::to_integer<uint8_t>(rec[kScaleOffset + 16 * sub + j]));
        if (ti.has_min) {
          int16_t c;  // the min is the sub-block's coefficient
          std::memcpy(&c, rec + coef_byte(sub, static_cast<int>(j)), 2);
          b.min[sub] = c;
        }
      }
      uint16_t d = 0, dmin = 0;
      std::memcpy(&d, rec + kDOffset + 2 * j, 2);
      std::memcpy(&dmin, rec + kDminOffset + 2 * j, 2);
      std::byte* blk = out.data() + static_cast<size_t>(r) * rb + static_cast<size_t>(sb) * bb;
      encode_block(t, b, d, dmin, blk);
    }
  }
  return out;
}

}  // namespace amxlab::kq16
