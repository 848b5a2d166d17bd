#include "kernels/pack/kquant_nibble_pack.h"

#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/pack/kquant_pack.h"

namespace amxlab::kqn {
namespace {

constexpr int kStripRows = 16, kSuperK = 256;

// u: what the planes hold for a code (IQ4_XS: its code-book index; else code + bias, the
// kq16::TypeInfo bias as in kq_i8_vnni16: Q3_K 4, Q6_K 32, 0 for the others).
uint8_t u_of(QType t, int bias, int8_t code) {
  if (t == QType::IQ4_XS) {
    for (uint8_t i = 0; i < 16; ++i) {
      if (kIQ4NLValues[i] == code) return i;
    }
    return 0;  // unreachable: decode_block() produced the code from an index
  }
  return static_cast<uint8_t>(code + bias);
}

int8_t code_of(QType t, int bias, uint8_t u) {
  if (t == QType::IQ4_XS) return kIQ4NLValues[u & 15];
  return static_cast<int8_t>(u - bias);
}

// Where element e (0..255) of lane `lane` lives in a record (kquant_records.h): its code
// row, field and the byte within the row.
struct Slot {
  int kk, field;
  size_t byte;  // 4 * lane + e % 4
};
Slot slot_of(const RecordInfo& ri, int e, size_t lane) {
  return {(e % ri.span) / 4, e / ri.span, 4 * lane + static_cast<size_t>(e % 4)};
}

void require_shape(QType t, int64_t n, int64_t k, const char* who) {
  require(packable(t), [&] {
    return std::string(who) + ": " + name(t) +
           " has no kq_nib_vnni16 layout (q2_K, q3_K, q4_K, q5_K, q6_K and iq4_xs have)";
  });
  require(n >= 1, [&] { return std::string(who) + ": N=" + std::to_string(n) + " must be at least 1"; });
  require(k >= kSuperK && k % kSuperK == 0, [&] {
    return std::string(who) + ": K=" + std::to_string(k) + " is not a positive multiple of 256";
  });
}

}  // namespace

bool packable(QType t) {
  return kq16::packable(t);  // every K-quant type of kq_i8_vnni16 has a nibble record too
}

kq_records::NibKind nib_kind(QType t) {
  require(packable(t),
          [&] { return std::string("kqn::nib_kind: ") + name(t) + " has no kq_nib_vnni16 layout"; });
  return nib_kind_of(t);
}

RecordInfo record_info(QType t) {
  return kq_records::nib_record_of(nib_kind(t));
}

size_t packed_bytes(QType t, int64_t n, int64_t k) {
  require_shape(t, n, k, "kqn::packed_bytes");
  return static_cast<size_t>((n + kStripRows - 1) / kStripRows) * static_cast<size_t>(k / kSuperK) *
         record_info(t).record_bytes;
}

PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel) {
  require_shape(t, n, k, "kqn::pack");
  const RecordInfo ri = record_info(t);
  const int bias = kq16::type_info(t).bias;
  const kq16::HalfFields hf = kq16::half_fields(t);
  const size_t rb = row_bytes(t, k);
  const size_t src_bytes = rb * static_cast<size_t>(n);
  require_buffer(gguf_rows.data(), gguf_rows.size(), src_bytes,
                 [&] { return std::string("kqn::pack ") + name(t) + " GGUF rows"; });
  const std::span<const std::byte> src = gguf_rows.first(src_bytes);
  const int64_t strips = (n + kStripRows - 1) / kStripRows, sbs = k / kSuperK;
  const size_t strip_bytes = static_cast<size_t>(sbs) * ri.record_bytes;
  PackedWeights w(t, Layout::kq_nib_vnni16, n, k, packed_bytes(t, n, k), checksum_bytes(src), memory);
  std::byte* out = w.mutable_bytes().data();
  const size_t bb = traits(t).block_bytes;
  parallel(strips, [&](int64_t s) {
    std::byte* strip = out + static_cast<size_t>(s) * strip_bytes;
    std::memset(strip, 0, strip_bytes);
    const int rows = static_cast<int>(n - s * kStripRows < kStripRows ? n - s * kStripRows : kStripRows);
    BlockInts b;
    for (int64_t sb = 0; sb < sbs; ++sb) {
      std::byte* rec = strip + static_cast<size_t>(sb) * ri.record_bytes;
      for (int j = 0; j < rows; ++j) {
        const auto lane = static_cast<size_t>(j);
        const std::byte* blk =
            src.data() + static_cast<size_t>(s * kStripRows + j) * rb + static_cast<size_t>(sb) * bb;
        decode_block(t, blk, b);
        const int code_mask = (1 << ri.code_bits) - 1;
        for (int e = 0; e < kSuperK; ++e) {
          const Slot at = slot_of(ri, e, lane);
          const uint8_t u = u_of(t, bias, b.code[e]);
          rec[ri.code_row(at.kk) + at.byte] |=
              static_cast<std::byte>((u & code_mask) << (ri.code_bits * at.field));
          if (ri.high_bits != 0) {
            rec[ri.high_row(at.kk) + at.byte] |=
                static_cast<std::byte>((u >> ri.code_bits) << ri.high_shift(at.kk, at.field));
          }
        }
        for (int sub = 0; sub < ri.n_sub; ++sub) {
          rec[ri.scale_at(sub, j)] = static_cast<std::byte>(static_cast<uint8_t>(b.scale[sub]));
          if (ri.min) {
            rec[ri.coef_at(sub, j)] = static_cast<std::byte>(static_cast<uint8_t>(b.min[sub]));
          }
        }
        // d and dmin: their raw fp16 bits, as kq_i8_vnni16 copies them.
        std::memcpy(rec + ri.d_offset + 2 * lane, blk + hf.d, 2);
        if (ri.min) std::memcpy(rec + ri.dmin_offset + 2 * lane, blk + hf.dmin, 2);
      }
    }
  });
  return w;
}

std::vector<std::byte> unpack(const PackedWeights& w) {
  require(w.layout() == Layout::kq_nib_vnni16, [&] {
    return std::string("kqn::unpack: weights have layout ") + name(w.layout()) + ", not kq_nib_vnni16";
  });
  const QType t = w.type();
  const int64_t n = w.n(), k = w.k();
  require(w.bytes().size() == packed_bytes(t, n, k), [&] {
    return std::string("kqn::unpack: ") + name(t) + " weights hold " + std::to_string(w.bytes().size()) +
           " bytes, N=" + std::to_string(n) + " K=" + std::to_string(k) + " needs " +
           std::to_string(packed_bytes(t, n, k));
  });
  const RecordInfo ri = record_info(t);
  const int bias = kq16::type_info(t).bias;
  const size_t rb = row_bytes(t, k), bb = traits(t).block_bytes;
  const int64_t sbs = k / kSuperK;
  const size_t strip_bytes = static_cast<size_t>(sbs) * ri.record_bytes;
  std::vector<std::byte> out(rb * static_cast<size_t>(n));
  BlockInts b;
  b.n = kSuperK;
  b.sub_len = ri.sub_len;
  b.n_sub = ri.n_sub;
  b.has_min = ri.min;
  for (int64_t r = 0; r < n; ++r) {
    const auto lane = static_cast<size_t>(r % kStripRows);
    for (int64_t sb = 0; sb < sbs; ++sb) {
      const std::byte* rec = w.bytes().data() + static_cast<size_t>(r / kStripRows) * strip_bytes +
                             static_cast<size_t>(sb) * ri.record_bytes;
      const int code_mask = (1 << ri.code_bits) - 1, high_mask = (1 << ri.high_bits) - 1;
      for (int e = 0; e < kSuperK; ++e) {
        const Slot at = slot_of(ri, e, lane);
        const auto code = std::to_integer<uint8_t>(rec[ri.code_row(at.kk) + at.byte]);
        int u = (code >> (ri.code_bits * at.field)) & code_mask;
        if (ri.high_bits != 0) {
          const auto high = std::to_integer<uint8_t>(rec[ri.high_row(at.kk) + at.byte]);
          u |= ((high >> ri.high_shift(at.kk, at.field)) & high_mask) << ri.code_bits;
        }
        b.code[e] = code_of(t, bias, static_cast<uint8_t>(u));
      }
      for (int sub = 0; sub < ri.n_sub; ++sub) {
        // NOLINTBEGIN(bugprone-signed-char-misuse): the bytes are signed scales / coefficients
        b.scale[sub] =
            static_cast<int8_t>(std::to_integer<uint8_t>(rec[ri.scale_at(sub, static_cast<int>(lane))]));
        b.min[sub] =
            ri.min
                ? static_cast<int8_t>(std::to_integer<uint8_t>(rec[ri.coef_at(sub, static_cast<int>(lane))]))
                : int8_t{0};
        // NOLINTEND(bugprone-signed-char-misuse)
      }
      uint16_t d = 0, dmin = 0;
      std::memcpy(&d, rec + ri.d_offset + 2 * lane, 2);
      if (ri.min) std::memcpy(&dmin, rec + ri.dmin_offset + 2 * lane, 2);
      encode_block(t, b, d, dmin, out.data() + static_cast<size_t>(r) * rb + static_cast<size_t>(sb) * bb);
    }
  }
  return out;
}

}  // namespace amxlab::kqn
