#include "kernels/pack/vnni_pack.h"

#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/pack/amx_pack.h"
#include "kernels/pack/kquant_nibble_pack.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/pack/panel_pack.h"

namespace amxlab::vnni16 {
namespace {

QType type_of(Layout l, const char* who) {
  switch (l) {
    case Layout::q8_0_vnni16: return QType::Q8_0;
    case Layout::q4_0_vnni16: return QType::Q4_0;
    case Layout::q4_1_vnni16: return QType::Q4_1;
    case Layout::iq4_nl_vnni16:
    case Layout::iq4_nl_nib_vnni16: return QType::IQ4_NL;
    default: break;
  }
  throw Error(std::string(who) + ": weights have layout " + name(l) +
              ", not one of q8_0_vnni16, q4_0_vnni16, q4_1_vnni16, iq4_nl_vnni16, iq4_nl_nib_vnni16");
}

// One code byte per element (q8_0, iq4_nl_vnni16) or the GGUF nibble bytes (the others).
bool byte_codes(Layout l) {
  return l == Layout::q8_0_vnni16 || l == Layout::iq4_nl_vnni16;
}

// Byte offsets inside one GGUF block.
struct BlockFields {
  size_t d = 0, m = 0, qs = 0;
  bool has_m = false;
};
BlockFields fields(QType t) {
  if (t == QType::Q8_0) return {offsetof(BlockQ8_0, d), 0, offsetof(BlockQ8_0, qs), false};
  if (t == QType::Q4_0) return {offsetof(BlockQ4_0, d), 0, offsetof(BlockQ4_0, qs), false};
  if (t == QType::IQ4_NL) return {offsetof(BlockIQ4_NL, d), 0, offsetof(BlockIQ4_NL, qs), false};
  return {offsetof(BlockQ4_1, d), offsetof(BlockQ4_1, m), offsetof(BlockQ4_1, qs), true};
}

// Writes the padding of a group: encoded zero codes (q8_0: 0x80, q4_0: nibbles 8,
// q4_1: nibbles 0; iq4_nl's nibbles: index 8, whose value 1 meets a zero scale) for `rows`
// rows starting at row j0 of block h, zero scales/mins.
void pad_codes(const Geometry& g, std::byte* group, int h, int j0) {
  const auto fill = static_cast<std::byte>(byte_codes(g.layout) ? 0x80 : g.type == QType::Q4_1 ? 0x00 : 0x88);
  const int kk_rows = static_cast<int>(g.code_bytes / 64);
  for (int kk = 0; kk < kk_rows; ++kk) {
    for (int j = j0; j < kStripRows; ++j) {
      std::memset(group + g.code_offset + static_cast<size_t>(h) * g.code_bytes + 64u * kk + 4u * j,
                  static_cast<int>(fill), 4);
    }
  }
}

}  // namespace

bool packable(QType t) {
  return t == QType::Q8_0 || t == QType::Q4_0 || t == QType::Q4_1 || t == QType::IQ4_NL;
}

Layout layout_of(QType t) {
  require(packable(t), [&] {
    return std::string("vnni16::layout_of: ") + name(t) +
           " has no vnni16 layout (q8_0, q4_0, q4_1 and iq4_nl have)";
  });
  return t == QType::Q8_0   ? Layout::q8_0_vnni16
         : t == QType::Q4_0 ? Layout::q4_0_vnni16
         : t == QType::Q4_1 ? Layout::q4_1_vnni16
                            : Layout::iq4_nl_vnni16;
}

Geometry geometry(QType t, int64_t n, int64_t k) {
  require(packable(t), [&] {
    return std::string("vnni16: ") + name(t) + " has no vnni16 layout (q8_0, q4_0, q4_1 and iq4_nl have)";
  });
  return geometry(layout_of(t), n, k);
}

Geometry geometry(Layout l, int64_t n, int64_t k) {
  const QType t = type_of(l, "vnni16::geometry");
  require(n >= 1, "vnni16: N=" + std::to_string(n) + " must be at least 1");
  require(k >= kBlockK && k % kBlockK == 0,
          "vnni16: K=" + std::to_string(k) + " is not a positive multiple of 32");
  Geometry g;
  g.type = t;
  g.layout = l;
  g.n = n;
  g.k = k;
  g.strips = (n + kStripRows - 1) / kStripRows;
  g.blocks = k / kBlockK;
  g.groups = (g.blocks + kGroupBlocks - 1) / kGroupBlocks;
  g.code_bytes = byte_codes(l) ? 512 : 256;
  g.d_offset = 0;
  g.m_offset = 64;
  g.code_offset = t == QType::Q4_1 ? 128 : 64;
  g.group_bytes = g.code_offset + 2 * g.code_bytes;
  g.strip_bytes = static_cast<size_t>(g.groups) * g.group_bytes;
  g.total_bytes = static_cast<size_t>(g.strips) * g.strip_bytes;
  return g;
}

namespace {

PackedWeights pack_as(Layout l, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                      MemoryResource& memory, const ParallelFor& parallel) {
  const Geometry g = geometry(l, n, k);
  const QType t = g.type;
  const size_t rb = row_bytes(t, k);
  const size_t src_bytes = rb * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), src_bytes,
                 std::string("vnni16::pack ") + name(t) + " GGUF rows");
  const std::span<const std::byte> src = gguf_rows.first(src_bytes);
  PackedWeights w(t, l, n, k, g.total_bytes, checksum_bytes(src), memory);
  std::byte* out = w.mutable_bytes().data();
  const BlockFields f = fields(t);
  const size_t bb = traits(t).block_bytes;
  parallel(g.strips, [&](int64_t s) {
    std::memset(out + static_cast<size_t>(s) * g.strip_bytes, 0, g.strip_bytes);
    const int rows = static_cast<int>(n - s * kStripRows < kStripRows ? n - s * kStripRows : kStripRows);
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      std::byte* group =
          out + static_cast<size_t>(s) * g.strip_bytes + static_cast<size_t>(gi) * g.group_bytes;
      for (int h = 0; h < kGroupBlocks; ++h) {
        const int64_t b = gi * kGroupBlocks + h;
        if (b >= g.blocks) {
          pad_codes(g, group, h, 0);
          continue;
        }
        for (int j = 0; j < rows; ++j) {
          const std::byte* blk =
              src.data() + static_cast<size_t>(s * kStripRows + j) * rb + static_cast<size_t>(b) * bb;
          std::memcpy(group + g.d_offset + 32u * h + 2u * j, blk + f.d, 2);
          if (f.has_m) std::memcpy(group + g.m_offset + 32u * h + 2u * j, blk + f.m, 2);
          std::byte* codes = group + g.code_offset + static_cast<size_t>(h) * g.code_bytes + 4u * j;
          if (l == Layout::q8_0_vnni16) {
            for (int kk = 0; kk < 8; ++kk) {
              for (int i = 0; i < 4; ++i)
                codes[64 * kk + i] = blk[f.qs + static_cast<size_t>(4 * kk + i)] ^ std::byte{0x80};
            }
          } else if (l == Layout::iq4_nl_vnni16) {
            for (int e = 0; e < kBlockK; ++e) {
              const auto byte = std::to_integer<uint8_t>(blk[f.qs + static_cast<size_t>(e % 16)]);
              const int8_t v = kIQ4NLValues[e < 16 ? byte & 0xf : byte >> 4];
              codes[64 * (e / 4) + e % 4] = static_cast<std::byte>(static_cast<uint8_t>(v) ^ 0x80u);
            }
          } else {
            for (int kk = 0; kk < 4; ++kk) std::memcpy(codes + 64 * kk, blk + f.qs + 4 * kk, 4);
          }
        }
        if (rows < kStripRows) pad_codes(g, group, h, rows);
      }
    }
  });
  return w;
}

}  // namespace

PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel) {
  return pack_as(layout_of(t), gguf_rows, n, k, memory, parallel);
}

PackedWeights pack_iq4_nl_nibbles(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                                  MemoryResource& memory, const ParallelFor& parallel) {
  require(t == QType::IQ4_NL,
          [&] { return std::string("vnni16::pack_iq4_nl_nibbles: ") + name(t) + " is not iq4_nl"; });
  return pack_as(Layout::iq4_nl_nib_vnni16, gguf_rows, n, k, memory, parallel);
}

std::vector<std::byte> unpack(const PackedWeights& w) {
  const QType t = type_of(w.layout(), "vnni16::unpack");
  const Geometry g = geometry(w.layout(), w.n(), w.k());
  require(w.type() == t && w.bytes().size() == g.total_bytes,
          std::string("vnni16::unpack: weights of type ") + name(w.type()) + " hold " +
              std::to_string(w.bytes().size()) + " bytes, layout " + name(w.layout()) +
              " N=" + std::to_string(w.n()) + " K=" + std::to_string(w.k()) + " needs " +
              std::to_string(g.total_bytes));
  const size_t rb = row_bytes(t, g.k);
  const size_t bb = traits(t).block_bytes;
  const BlockFields f = fields(t);
  std::vector<std::byte> out(rb * static_cast<size_t>(g.n));
  const std::byte* in = w.bytes().data();
  for (int64_t r = 0; r < g.n; ++r) {
    const int64_t s = r / kStripRows;
    const int j = static_cast<int>(r % kStripRows);
    for (int64_t b = 0; b < g.blocks; ++b) {
      const std::byte* group =
          in + static_cast<size_t>(s) * g.strip_bytes + static_cast<size_t>(b / 2) * g.group_bytes;
      const int h = static_cast<int>(b % 2);
      std::byte* blk = out.data() + static_cast<size_t>(r) * rb + static_cast<size_t>(b) * bb;
      std::memcpy(blk + f.d, group + g.d_offset + 32u * h + 2u * j, 2);
      if (f.has_m) std::memcpy(blk + f.m, group + g.m_offset + 32u * h + 2u * j, 2);
      const std::byte* codes = group + g.code_offset + static_cast<size_t>(h) * g.code_bytes + 4u * j;
      if (w.layout() == Layout::q8_0_vnni16) {
        for (int kk = 0; kk < 8; ++kk) {
          for (int i = 0; i < 4; ++i)
            blk[f.qs + static_cast<size_t>(4 * kk + i)] = codes[64 * kk + i] ^ std::byte{0x80};
        }
      } else if (w.layout() == Layout::iq4_nl_vnni16) {
        BlockInts ints;
        for (int e = 0; e < kBlockK; ++e)
          ints.code[e] = static_cast<int8_t>(std::to_integer<uint8_t>(codes[64 * (e / 4) + e % 4]) ^ 0x80u);
        uint16_t d;
        std::memcpy(&d, blk + f.d, 2);
        encode_block(t, ints, d, 0, blk);
      } else {
        for (int kk = 0; kk < 4; ++kk) std::memcpy(blk + f.qs + 4 * kk, codes + 64 * kk, 4);
      }
    }
  }
  return out;
}

}  // namespace amxlab::vnni16

namespace amxlab {

PackedWeights pack_gguf_rows(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                             MemoryResource& memory) {
  require(n >= 1, "pack_gguf_rows: N=" + std::to_string(n) + " must be at least 1");
  const size_t bytes = row_bytes(t, k) * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), bytes,
                 std::string("pack_gguf_rows ") + name(t) + " rows");
  const std::span<const std::byte> src = gguf_rows.first(bytes);
  PackedWeights w(t, Layout::gguf_rows, n, k, bytes, checksum_bytes(src), memory);
  std::memcpy(w.mutable_bytes().data(), src.data(), bytes);
  return w;
}

std::vector<std::byte> unpack_to_gguf(const PackedWeights& w) {
  switch (w.layout()) {
    case Layout::gguf_rows: {
      const auto b = w.bytes();
      return {b.begin(), b.end()};
    }
    case Layout::q8_0_vnni16:
    case Layout::q4_0_vnni16:
    case Layout::q4_1_vnni16:
    case Layout::iq4_nl_vnni16:
    case Layout::iq4_nl_nib_vnni16: return vnni16::unpack(w);
    case Layout::kq_i8_vnni16: return kq16::unpack(w);
    case Layout::kq_nib_vnni16: return kqn::unpack(w);
    case Layout::s8_panel32:
    case Layout::bf16_panel32:
    case Layout::f16_panel32:
    case Layout::f32_panel32: return panel32::unpack(w);
    case Layout::q8_0_amx_tile:
    case Layout::q4_0_amx_tile:
    case Layout::q4_1_amx_tile:
    case Layout::iq4_nl_amx_tile: return amx::unpack_amx_tile(w);
    default: break;
  }
  throw Error(std::string("unpack_to_gguf: layout ") + name(w.layout()) + " has no inverse here");
}

}  // namespace amxlab
