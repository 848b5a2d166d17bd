#include "kernels/pack/amx_pack.h"

#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/fp16.h"

namespace amxlab::amx {
namespace {

void require_type(QType t, const char* who) {
  require(amx_tile_packable(t), [&] {
    return std::string(who) + ": " + name(t) + " has no AMX tile layout (q8_0, q4_0, q4_1 and iq4_nl have)";
  });
}

QType type_of(Layout l) {
  switch (l) {
    case Layout::q8_0_amx_tile: return QType::Q8_0;
    case Layout::q4_0_amx_tile: return QType::Q4_0;
    case Layout::q4_1_amx_tile: return QType::Q4_1;
    case Layout::iq4_nl_amx_tile: return QType::IQ4_NL;
    default: break;
  }
  throw Error(std::string("unpack_amx_tile: weights have layout ") + name(l) +
              ", not one of q8_0_amx_tile, q4_0_amx_tile, q4_1_amx_tile, iq4_nl_amx_tile");
}

// The 32 signed codes of one GGUF block, in element order.
void block_codes(QType t, const std::byte* blk, int8_t (&codes)[kQK], float& d, float& m) {
  if (t == QType::IQ4_NL) {
    BlockInts b;
    decode_block(t, blk, b);
    std::memcpy(codes, b.code, kQK);
    d = b.d;
    m = 0.0f;
    return;
  }
  if (t == QType::Q8_0) {
    BlockQ8_0 b;
    std::memcpy(&b, blk, sizeof b);
    std::memcpy(codes, b.qs, kQK);
    d = fp16_to_f32(b.d);
    m = 0.0f;
    return;
  }
  uint8_t qs[kQK / 2];
  half_bits hd = 0, hm = 0;
  if (t == QType::Q4_0) {
    BlockQ4_0 b;
    std::memcpy(&b, blk, sizeof b);
    hd = b.d;
    std::memcpy(qs, b.qs, sizeof qs);
  } else {
    BlockQ4_1 b;
    std::memcpy(&b, blk, sizeof b);
    hd = b.d;
    hm = b.m;
    std::memcpy(qs, b.qs, sizeof qs);
  }
  const int offset = t == QType::Q4_0 ? 8 : 0;
  for (int i = 0; i < kQK / 2; ++i) {
    codes[i] = static_cast<int8_t>((qs[i] & 0x0f) - offset);
    codes[i + kQK / 2] = static_cast<int8_t>((qs[i] >> 4) - offset);
  }
  d = fp16_to_f32(hd);
  m = t == QType::Q4_1 ? fp16_to_f32(hm) : 0.0f;
}

}  // namespace

bool amx_tile_packable(QType t) {
  return t == QType::Q8_0 || t == QType::Q4_0 || t == QType::Q4_1 || t == QType::IQ4_NL;
}

Layout amx_tile_layout(QType t) {
  require_type(t, "amx_tile_layout");
  return t == QType::Q8_0   ? Layout::q8_0_amx_tile
         : t == QType::Q4_0 ? Layout::q4_0_amx_tile
         : t == QType::Q4_1 ? Layout::q4_1_amx_tile
                            : Layout::iq4_nl_amx_tile;
}

size_t amx_record_bytes(QType t) {
  require_type(t, "amx_record_bytes");
  return t == QType::Q4_1 ? 640 : 576;
}

size_t amx_packed_bytes(QType t, int64_t n, int64_t k) {
  require(n >= 1 && k >= kBlockK && k % kBlockK == 0, std::string("amx_packed_bytes: bad shape N=") +
                                                          std::to_string(n) + " K=" + std::to_string(k) +
                                                          " (N >= 1, K a positive multiple of 32)");
  const auto strips = static_cast<size_t>((n + kStripRows - 1) / kStripRows);
  return strips * static_cast<size_t>(k / kBlockK) * amx_record_bytes(t);
}

uint16_t fp16_bits_from_f32_exact(float f) {
  const uint32_t u = f32_bits(f);
  const auto sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  const uint32_t e = (u >> 23) & 0xffu;
  const uint32_t mant = u & 0x7fffffu;
  const bool exact_tail = (mant & 0x1fffu) == 0;
  if (e == 0xff && exact_tail) return static_cast<uint16_t>(sign | 0x7c00u | (mant >> 13));  // Inf / NaN
  if (e == 0 && mant == 0) return sign;
  if (e >= 113 && e <= 142 && exact_tail)
    return static_cast<uint16_t>(sign | ((e - 112u) << 10) | (mant >> 13));
  if (e >= 103 && e <= 112) {
    // fp16 subnormal: value = q * 2^-24 with q = 1.mant * 2^(e - 103).
    const uint32_t m24 = mant | 0x800000u;
    const uint32_t shift = 126u - e;
    if ((m24 & ((1u << shift) - 1u)) == 0) return static_cast<uint16_t>(sign | (m24 >> shift));
  }
  // Not an image of fp16_to_f32(): the nearest fp16 (never reached from packed scales).
  return f32_to_fp16(f);
}

PackedWeights pack_amx_tile(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                            MemoryResource& memory, const ParallelFor& parallel) {
  require_type(t, "pack_amx_tile");
  require(n >= 1 && k >= kBlockK && k % kBlockK == 0, std::string("pack_amx_tile: bad shape N=") +
                                                          std::to_string(n) + " K=" + std::to_string(k) +
                                                          " (N >= 1, K a positive multiple of 32)");
  const size_t wrow = row_bytes(t, k);
  const size_t src_bytes = wrow * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), src_bytes,
                 std::string("pack_amx_tile ") + name(t) + " weights W[N][K]");
  const int64_t nb = k / kBlockK;
  const size_t rec = amx_record_bytes(t);
  const size_t block_bytes = traits(t).block_bytes;
  const int64_t strips = (n + kStripRows - 1) / kStripRows;

  PackedWeights out(t, amx_tile_layout(t), n, k, amx_packed_bytes(t, n, k),
                    checksum_bytes(gguf_rows.first(src_bytes)), memory);
  std::byte* dst = out.mutable_bytes().data();
  parallel(strips, [&](int64_t s) {
    // padding rows: zero codes, scales, mins
    std::memset(dst + static_cast<size_t>(s * nb) * rec, 0, static_cast<size_t>(nb) * rec);
    for (int64_t b = 0; b < nb; ++b) {
      std::byte* r = dst + static_cast<size_t>(s * nb + b) * rec;
      float scales[kStripRows] = {};
      float mins[kStripRows] = {};
      for (int j = 0; j < kStripRows; ++j) {
        const int64_t row = s * kStripRows + j;
        if (row >= n) break;
        int8_t codes[kQK];
        const std::byte* blk =
            gguf_rows.data() + static_cast<size_t>(row) * wrow + static_cast<size_t>(b) * block_bytes;
        block_codes(t, blk, codes, scales[j], mins[j]);
        for (int kk = 0; kk < kBlockK / 4; ++kk)
          for (int i = 0; i < 4; ++i)
            r[64 * kk + 4 * j + i] = static_cast<std::byte>(static_cast<uint8_t>(codes[4 * kk + i]));
      }
      std::memcpy(r + kScaleOffset, scales, sizeof scales);
      if (t == QType::Q4_1) std::memcpy(r + kMinOffset, mins, sizeof mins);
    }
  });
  return out;
}

std::vector<std::byte> unpack_amx_tile(const PackedWeights& w) {
  const QType t = type_of(w.layout());
  w.require(t, w.layout(), "unpack_amx_tile");
  const int64_t n = w.n(), k = w.k();
  const size_t rec = amx_record_bytes(t);
  require(w.bytes().size() == amx_packed_bytes(t, n, k),
          "unpack_amx_tile: packed size does not match its shape (" + std::to_string(w.bytes().size()) +
              " bytes)");
  const size_t wrow = row_bytes(t, k);
  const size_t block_bytes = traits(t).block_bytes;
  const int64_t nb = k / kBlockK;
  std::vector<std::byte> out(wrow * static_cast<size_t>(n));
  const std::byte* src = w.bytes().data();
  for (int64_t row = 0; row < n; ++row) {
    const int64_t s = row / kStripRows;
    const int j = static_cast<int>(row % kStripRows);
    for (int64_t b = 0; b < nb; ++b) {
      const std::byte* r = src + static_cast<size_t>(s * nb + b) * rec;
      uint8_t codes[kQK];
      for (int kk = 0; kk < kBlockK / 4; ++kk)
        for (int i = 0; i < 4; ++i) codes[4 * kk + i] = static_cast<uint8_t>(r[64 * kk + 4 * j + i]);
      float d, m = 0.0f;
      std::memcpy(&d, r + kScaleOffset + 4 * j, 4);
      if (t == QType::Q4_1) std::memcpy(&m, r + kMinOffset + 4 * j, 4);
      std::byte* blk = out.data() + static_cast<size_t>(row) * wrow + static_cast<size_t>(b) * block_bytes;
      if (t == QType::IQ4_NL) {
        BlockInts ints;
        std::memcpy(ints.code, codes, kQK);
        encode_block(t, ints, fp16_bits_from_f32_exact(d), 0, blk);
        continue;
      }
      if (t == QType::Q8_0) {
        BlockQ8_0 q;
        q.d = fp16_bits_from_f32_exact(d);
        std::memcpy(q.qs, codes, kQK);
        std::memcpy(blk, &q, sizeof q);
        continue;
      }
      const int offset = t == QType::Q4_0 ? 8 : 0;
      uint8_t qs[kQK / 2];
      for (int i = 0; i < kQK / 2; ++i) {
        const auto lo = static_cast<uint8_t>((codes[i] + offset) & 0x0f);
        const auto hi = static_cast<uint8_t>((codes[i + kQK / 2] + offset) & 0x0f);
        qs[i] = static_cast<uint8_t>(lo | (hi << 4));
      }
      if (t == QType::Q4_0) {
        BlockQ4_0 q;
        q.d = fp16_bits_from_f32_exact(d);
        std::memcpy(q.qs, qs, sizeof qs);
        std::memcpy(blk, &q, sizeof q);
      } else {
        BlockQ4_1 q;
        q.d = fp16_bits_from_f32_exact(d);
        q.m = fp16_bits_from_f32_exact(m);
        std::memcpy(q.qs, qs, sizeof qs);
        std::memcpy(blk, &q, sizeof q);
      }
    }
  }
  return out;
}

}  // namespace amxlab::amx
