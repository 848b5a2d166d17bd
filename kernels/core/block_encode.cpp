// encode_block(): the exact inverse of decode_block() (block_codes.cpp). Packed layouts
// that unpack a block's codes and scales (kernels/pack/kquant_pack.h) use it to give back
// the GGUF bytes they were packed from, bit for bit.
#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/error.h"

namespace amxlab {
namespace {

template <class Block>
void store(const Block& b, void* out) {
  std::memcpy(out, &b, sizeof b);
}

uint8_t field(int v, int lo, int hi, QType t, const char* what) {
  require(v >= lo && v <= hi, [&] {
    return std::string("encode_block: ") + name(t) + " " + what + " " + std::to_string(v) + " outside " +
           std::to_string(lo) + ".." + std::to_string(hi);
  });
  return static_cast<uint8_t>(v);
}

uint8_t iq4_index(int8_t v, QType t) {
  for (int i = 0; i < 16; ++i) {
    if (kIQ4NLValues[i] == v) return static_cast<uint8_t>(i);
  }
  throw Error(std::string("encode_block: ") + name(t) + " code " + std::to_string(v) +
              " is not in the IQ4_NL code book");
}

// 32 codes as GGUF pairs them: low nibble of byte j is element j, high nibble j + 16.
void encode_nibbles32(const int8_t* code, int offset, QType t, uint8_t* qs) {
  for (int j = 0; j < 16; ++j) {
    const uint8_t lo = field(code[j] + offset, 0, 15, t, "code");
    const uint8_t hi = field(code[j + 16] + offset, 0, 15, t, "code");
    qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
}

void encode_q2k(const BlockInts& in, BlockQ2_K& b) {
  for (int s = 0; s < 16; ++s) {
    b.scales[s] = static_cast<uint8_t>(field(in.scale[s], 0, 15, QType::Q2_K, "scale") |
                                       (field(in.min[s], 0, 15, QType::Q2_K, "min") << 4));
  }
  std::memset(b.qs, 0, sizeof b.qs);
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    b.qs[32 * h + rest] |= static_cast<uint8_t>(field(in.code[e], 0, 3, QType::Q2_K, "code") << (2 * j));
  }
}

void encode_q3k(const BlockInts& in, BlockQ3_K& b) {
  uint8_t s[16];
  for (int i = 0; i < 16; ++i) s[i] = field(in.scale[i] + 32, 0, 63, QType::Q3_K, "scale + 32");
  pack_scales_q3k(s, b.scales);
  std::memset(b.qs, 0, sizeof b.qs);
  std::memset(b.hmask, 0, sizeof b.hmask);
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    const int c = field(in.code[e] + 4, 0, 7, QType::Q3_K, "code + 4");
    b.qs[32 * h + rest] |= static_cast<uint8_t>((c & 3) << (2 * j));
    if (c >= 4) b.hmask[rest] |= static_cast<uint8_t>(1u << (4 * h + j));
  }
}

void encode_q45k(const BlockInts& in, QType t, uint8_t* scales, uint8_t* qs, uint8_t* qh) {
  uint8_t sc[8], mn[8];
  for (int i = 0; i < 8; ++i) {
    sc[i] = field(in.scale[i], 0, 63, t, "scale");
    mn[i] = field(in.min[i], 0, 63, t, "min");
  }
  pack_scale_min_k4(sc, mn, scales);
  std::memset(qs, 0, kQKK / 2);
  if (qh != nullptr) std::memset(qh, 0, kQKK / 8);
  for (int e = 0; e < kQKK; ++e) {
    const int c = e / 64, w = e % 64;
    const int q = field(in.code[e], 0, qh != nullptr ? 31 : 15, t, "code");
    qs[32 * c + w % 32] |= static_cast<uint8_t>((q & 0xf) << (4 * (w / 32)));
    if (q >= 16) qh[e % 32] |= static_cast<uint8_t>(1u << (e / 32));
  }
}

void encode_q6k(const BlockInts& in, BlockQ6_K& b) {
  for (int i = 0; i < 16; ++i)
    b.scales[i] = static_cast<int8_t>(field(in.scale[i] + 128, 0, 255, QType::Q6_K, "scale + 128") - 128);
  std::memset(b.ql, 0, sizeof b.ql);
  std::memset(b.qh, 0, sizeof b.qh);
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, t = (e % 128) / 32, l = e % 32;
    const int q = field(in.code[e] + 32, 0, 63, QType::Q6_K, "code + 32");
    b.ql[64 * h + 32 * (t % 2) + l] |= static_cast<uint8_t>((q & 0xf) << (4 * (t / 2)));
    b.qh[32 * h + l] |= static_cast<uint8_t>((q >> 4) << (2 * t));
  }
}

void encode_iq4xs(const BlockInts& in, BlockIQ4_XS& b) {
  b.scales_h = 0;
  std::memset(b.scales_l, 0, sizeof b.scales_l);
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = field(in.scale[ib] + 32, 0, 63, QType::IQ4_XS, "scale + 32");
    b.scales_l[ib / 2] |= static_cast<uint8_t>((ls & 0xf) << (4 * (ib % 2)));
    b.scales_h = static_cast<uint16_t>(b.scales_h | ((ls >> 4) << (2 * ib)));
    for (int j = 0; j < 16; ++j) {
      b.qs[16 * ib + j] = static_cast<uint8_t>(iq4_index(in.code[32 * ib + j], QType::IQ4_XS) |
                                               (iq4_index(in.code[32 * ib + j + 16], QType::IQ4_XS) << 4));
    }
  }
}

}  // namespace

void encode_block(QType t, const BlockInts& in, uint16_t d_bits, uint16_t dmin_bits, void* out) {
  switch (t) {
    case QType::Q4_0: {
      BlockQ4_0 b{};
      b.d = d_bits;
      encode_nibbles32(in.code, 8, t, b.qs);
      return store(b, out);
    }
    case QType::Q4_1: {
      BlockQ4_1 b{};
      b.d = d_bits;
      b.m = dmin_bits;
      encode_nibbles32(in.code, 0, t, b.qs);
      return store(b, out);
    }
    case QType::Q8_0: {
      BlockQ8_0 b{};
      b.d = d_bits;
      std::memcpy(b.qs, in.code, sizeof b.qs);
      return store(b, out);
    }
    case QType::IQ4_NL: {
      BlockIQ4_NL b{};
      b.d = d_bits;
      for (int j = 0; j < 16; ++j)
        b.qs[j] = static_cast<uint8_t>(iq4_index(in.code[j], t) | (iq4_index(in.code[j + 16], t) << 4));
      return store(b, out);
    }
    case QType::Q2_K: {
      BlockQ2_K b{};
      b.d = d_bits;
      b.dmin = dmin_bits;
      encode_q2k(in, b);
      return store(b, out);
    }
    case QType::Q3_K: {
      BlockQ3_K b{};
      b.d = d_bits;
      encode_q3k(in, b);
      return store(b, out);
    }
    case QType::Q4_K: {
      BlockQ4_K b{};
      b.d = d_bits;
      b.dmin = dmin_bits;
      encode_q45k(in, t, b.scales, b.qs, nullptr);
      return store(b, out);
    }
    case QType::Q5_K: {
      BlockQ5_K b{};
      b.d = d_bits;
      b.dmin = dmin_bits;
      encode_q45k(in, t, b.scales, b.qs, b.qh);
      return store(b, out);
    }
    case QType::Q6_K: {
      BlockQ6_K b{};
      b.d = d_bits;
      encode_q6k(in, b);
      return store(b, out);
    }
    case QType::IQ4_XS: {
      BlockIQ4_XS b{};
      b.d = d_bits;
      encode_iq4xs(in, b);
      return store(b, out);
    }
    default: throw Error(std::string("encode_block: ") + name(t) + " is not a block weight format");
  }
}

}  // namespace amxlab
