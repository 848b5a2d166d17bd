#include "kernels/pack/kq4_nibble_pack.h"

#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"

namespace amxlab::kq4n {
namespace {

constexpr int kStripRows = 16, kSuperK = 256;

// The 4-bit number stored for a code: Q4_K the code, IQ4_XS its code-book index.
uint8_t nibble_of(QType t, int8_t code) {
  if (t == QType::Q4_K) return static_cast<uint8_t>(code);
  for (uint8_t i = 0; i < 16; ++i) {
    if (kIQ4NLValues[i] == code) return i;
  }
  return 0;  // unreachable: decode_block() produced the code from an index
}

int8_t code_of(QType t, uint8_t nibble) {
  return t == QType::Q4_K ? static_cast<int8_t>(nibble) : kIQ4NLValues[nibble];
}

void require_shape(QType t, int64_t n, int64_t k, const char* who) {
  require(packable(t), [&] {
    return std::string(who) + ": " + name(t) + " has no kq4_nib_vnni16 layout (q4_K and iq4_xs have)";
  });
  require(n >= 1, [&] { return std::string(who) + ": N=" + std::to_string(n) + " must be at least 1"; });
  require(k >= kSuperK && k % kSuperK == 0,
          [&] { return std::string(who) + ": K=" + std::to_string(k) + " is not a positive multiple of 256"; });
}

}  // namespace

bool packable(QType t) {
  return t == QType::Q4_K || t == QType::IQ4_XS;
}

size_t packed_bytes(QType t, int64_t n, int64_t k) {
  require_shape(t, n, k, "kq4n::packed_bytes");
  return static_cast<size_t>((n + kStripRows - 1) / kStripRows) * static_cast<size_t>(k / kSuperK) * kRecordBytes;
}

PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k, MemoryResource& memory,
                   const ParallelFor& parallel) {
  require_shape(t, n, k, "kq4n::pack");
  const size_t rb = row_bytes(t, k);
  const size_t src_bytes = rb * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), src_bytes,
                 [&] { return std::string("kq4n::pack ") + name(t) + " GGUF rows"; });
  const std::span<const std::byte> src = gguf_rows.first(src_bytes);
  const int64_t strips = (n + kStripRows - 1) / kStripRows, sbs = k / kSuperK;
  const size_t strip_bytes = static_cast<size_t>(sbs) * kRecordBytes;
  PackedWeights w(t, Layout::kq4_nib_vnni16, n, k, packed_bytes(t, n, k), checksum_bytes(src), memory);
  std::byte* out = w.mutable_bytes().data();
  const size_t bb = traits(t).block_bytes;
  // d is the first field of both blocks; Q4_K's dmin the second.
  parallel(strips, [&](int64_t s) {
    std::byte* strip = out + static_cast<size_t>(s) * strip_bytes;
    std::memset(strip, 0, strip_bytes);
    const int rows = static_cast<int>(n - s * kStripRows < kStripRows ? n - s * kStripRows : kStripRows);
    BlockInts b;
    for (int64_t sb = 0; sb < sbs; ++sb) {
      std::byte* rec = strip + static_cast<size_t>(sb) * kRecordBytes;
      for (int j = 0; j < rows; ++j) {
        const std::byte* blk = src.data() + static_cast<size_t>(s * kStripRows + j) * rb + static_cast<size_t>(sb) * bb;
        decode_block(t, blk, b);
        for (int e = 0; e < 128; ++e) {
          const auto lo = nibble_of(t, b.code[e]), hi = nibble_of(t, b.code[e + 128]);
          rec[64 * static_cast<size_t>(e / 4) + 4 * static_cast<size_t>(j) + static_cast<size_t>(e % 4)] =
              static_cast<std::byte>(lo | (hi << 4));
        }
        for (int sub = 0; sub < 8; ++sub) {
          rec[kScaleOffset + 16 * static_cast<size_t>(sub) + static_cast<size_t>(j)] =
              static_cast<std::byte>(static_cast<uint8_t>(b.scale[sub]));
          const int c = t == QType::Q4_K ? b.min[sub] : b.scale[sub];
          rec[kCoefOffset + 32 * static_cast<size_t>(sub / 2) + 2 * static_cast<size_t>(j) + static_cast<size_t>(sub % 2)] =
              static_cast<std::byte>(static_cast<uint8_t>(c));
        }
        std::memcpy(rec + kDOffset + 2 * static_cast<size_t>(j), blk, 2);
        if (t == QType::Q4_K) std::memcpy(rec + kDminOffset + 2 * static_cast<size_t>(j), blk + 2, 2);
      }
    }
  });
  return w;
}

std::vector<std::byte> unpack(const PackedWeights& w) {
  require(w.layout() == Layout::kq4_nib_vnni16, [&] {
    return std::string("kq4n::unpack: weights have layout ") + name(w.layout()) + ", not kq4_nib_vnni16";
  });
  const QType t = w.type();
  const int64_t n = w.n(), k = w.k();
  require(w.bytes().size() == packed_bytes(t, n, k), [&] {
    return std::string("kq4n::unpack: ") + name(t) + " weights hold " + std::to_string(w.bytes().size()) +
           " bytes, N=" + std::to_string(n) + " K=" + std::to_string(k) + " needs " +
           std::to_string(packed_bytes(t, n, k));
  });
  const size_t rb = row_bytes(t, k), bb = traits(t).block_bytes;
  const int64_t sbs = k / kSuperK;
  const size_t strip_bytes = static_cast<size_t>(sbs) * kRecordBytes;
  std::vector<std::byte> out(rb * static_cast<size_t>(n));
  BlockInts b;
  b.n = kSuperK;
  b.sub_len = 32;
  b.n_sub = 8;
  b.has_min = t == QType::Q4_K;
  for (int64_t r = 0; r < n; ++r) {
    const auto j = static_cast<size_t>(r % kStripRows);
    for (int64_t sb = 0; sb < sbs; ++sb) {
      const std::byte* rec =
          w.bytes().data() + static_cast<size_t>(r / kStripRows) * strip_bytes + static_cast<size_t>(sb) * kRecordBytes;
      for (int e = 0; e < 128; ++e) {
        const auto byte = std::to_integer<uint8_t>(rec[64 * static_cast<size_t>(e / 4) + 4 * j + static_cast<size_t>(e % 4)]);
        b.code[e] = code_of(t, byte & 0xf);
        b.code[e + 128] = code_of(t, static_cast<uint8_t>(byte >> 4));
      }
      for (int sub = 0; sub < 8; ++sub) {
        b.scale[sub] = static_cast<int8_t>(std::to_integer<uint8_t>(rec[kScaleOffset + 16 * static_cast<size_t>(sub) + j]));
        b.min[sub] = static_cast<int8_t>(
            std::to_integer<uint8_t>(rec[kCoefOffset + 32 * static_cast<size_t>(sub / 2) + 2 * j + static_cast<size_t>(sub % 2)]));
      }
      uint16_t d = 0, dmin = 0;
      std::memcpy(&d, rec + kDOffset + 2 * j, 2);
      std::memcpy(&dmin, rec + kDminOffset + 2 * j, 2);
      encode_block(t, b, d, dmin, out.data() + static_cast<size_t>(r) * rb + static_cast<size_t>(sb) * bb);
    }
  }
  return out;
}

}  // namespace amxlab::kq4n
