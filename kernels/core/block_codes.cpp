#include "kernels/core/block_codes.h"

#include <cstring>

#include "kernels/core/error.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

// Blocks may sit at any byte offset of a file mapping: copy instead of casting.
template <class Block>
Block load(const void* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

void set_shape(BlockInts& out, int n, int sub_len, bool has_min) {
  out.n = n;
  out.sub_len = sub_len;
  out.n_sub = n / sub_len;
  out.has_min = has_min;
}

void decode_nibbles32(const uint8_t* qs, int8_t* code, int offset) {
  for (int j = 0; j < 16; ++j) {
    code[j] = static_cast<int8_t>((qs[j] & 0xf) - offset);
    code[j + 16] = static_cast<int8_t>((qs[j] >> 4) - offset);
  }
}

void decode_q2k(const BlockQ2_K& b, BlockInts& o) {
  set_shape(o, kQKK, 16, true);
  o.d = fp16_to_f32(b.d);
  o.dmin = fp16_to_f32(b.dmin);
  for (int s = 0; s < 16; ++s) {
    o.scale[s] = static_cast<int16_t>(b.scales[s] & 0xf);
    o.min[s] = static_cast<int16_t>(b.scales[s] >> 4);
  }
  // Element e = 128*h + 32*j + 16*half + l: bits 2j of qs[32*h + 16*half + l].
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    o.code[e] = static_cast<int8_t>((b.qs[32 * h + rest] >> (2 * j)) & 3);
  }
}

void decode_q3k(const BlockQ3_K& b, BlockInts& o) {
  set_shape(o, kQKK, 16, false);
  o.d = fp16_to_f32(b.d);
  uint8_t s[16];
  unpack_scales_q3k(b.scales, s);
  for (int i = 0; i < 16; ++i) o.scale[i] = static_cast<int16_t>(s[i] - 32);
  // As Q2_K for the low bits; the high bit of element e is bit 4h + j of hmask[e % 32],
  // and a clear bit means "subtract 4".
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    const int low = (b.qs[32 * h + rest] >> (2 * j)) & 3;
    const bool high = ((b.hmask[rest] >> (4 * h + j)) & 1) != 0;
    o.code[e] = static_cast<int8_t>(low - (high ? 0 : 4));
  }
}

void decode_q45k(const uint8_t* scales, const uint8_t* qs, const uint8_t* qh, BlockInts& o) {
  set_shape(o, kQKK, 32, true);
  uint8_t sc[8], mn[8];
  unpack_scale_min_k4(scales, sc, mn);
  for (int i = 0; i < 8; ++i) {
    o.scale[i] = sc[i];
    o.min[i] = mn[i];
  }
  // 64 elements per 32 bytes: low nibbles first, then high nibbles; Q5_K's fifth bit
  // of element e is bit e/32 of qh[e % 32].
  for (int e = 0; e < kQKK; ++e) {
    const int c = e / 64, w = e % 64;
    int q = (qs[32 * c + w % 32] >> (4 * (w / 32))) & 0xf;
    if (qh != nullptr && ((qh[e % 32] >> (e / 32)) & 1)) q += 16;
    o.code[e] = static_cast<int8_t>(q);
  }
}

void decode_q6k(const BlockQ6_K& b, BlockInts& o) {
  set_shape(o, kQKK, 16, false);
  o.d = fp16_to_f32(b.d);
  for (int i = 0; i < 16; ++i)
    o.scale[i] = b.scales[i];  // NOLINT(bugprone-signed-char-misuse): scales are signed
  // Per 128-element half h: element 128h + 32t + l (t = 0..3, l < 32) takes nibble t/2 of
  // ql[64h + 32*(t%2) + l] and bits 2t of qh[32h + l]; codes are stored +32.
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, t = (e % 128) / 32, l = e % 32;
    const int low = (b.ql[64 * h + 32 * (t % 2) + l] >> (4 * (t / 2))) & 0xf;
    const int high = (b.qh[32 * h + l] >> (2 * t)) & 3;
    o.code[e] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
}

void decode_iq4xs(const BlockIQ4_XS& b, BlockInts& o) {
  set_shape(o, kQKK, 32, false);
  o.d = fp16_to_f32(b.d);
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = ((b.scales_l[ib / 2] >> (4 * (ib % 2))) & 0xf) | (((b.scales_h >> (2 * ib)) & 3) << 4);
    o.scale[ib] = static_cast<int16_t>(ls - 32);
    for (int j = 0; j < 16; ++j) {
      o.code[32 * ib + j] = kIQ4NLValues[b.qs[16 * ib + j] & 0xf];
      o.code[32 * ib + j + 16] = kIQ4NLValues[b.qs[16 * ib + j] >> 4];
    }
  }
}

}  // namespace

void unpack_scale_min_k4(const uint8_t q[kKScaleBytes], uint8_t sc[8], uint8_t mn[8]) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = q[j] & 63;
    mn[j] = q[j + 4] & 63;
    sc[j + 4] = static_cast<uint8_t>((q[j + 8] & 0xf) | ((q[j] >> 6) << 4));
    mn[j + 4] = static_cast<uint8_t>((q[j + 8] >> 4) | ((q[j + 4] >> 6) << 4));
  }
}

void pack_scale_min_k4(const uint8_t sc[8], const uint8_t mn[8], uint8_t q[kKScaleBytes]) {
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    q[j + 4] = static_cast<uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xf) | ((mn[j + 4] & 0xf) << 4));
  }
}

// Scale s keeps its low nibble in nibble s/8 of byte s%8 and its top two bits in bits
// 2*(s/4) of byte 8 + s%4.
void unpack_scales_q3k(const uint8_t q[kKScaleBytes], uint8_t s[16]) {
  for (int i = 0; i < 16; ++i) {
    const int low = (q[i % 8] >> (4 * (i / 8))) & 0xf;
    const int high = (q[8 + i % 4] >> (2 * (i / 4))) & 3;
    s[i] = static_cast<uint8_t>(low | (high << 4));
  }
}

void pack_scales_q3k(const uint8_t s[16], uint8_t q[kKScaleBytes]) {
  for (int i = 0; i < kKScaleBytes; ++i) q[i] = 0;
  for (int i = 0; i < 16; ++i) {
    q[i % 8] = static_cast<uint8_t>(q[i % 8] | ((s[i] & 0xf) << (4 * (i / 8))));
    q[8 + i % 4] = static_cast<uint8_t>(q[8 + i % 4] | (((s[i] >> 4) & 3) << (2 * (i / 4))));
  }
}

void decode_block(QType t, const void* block, BlockInts& o) {
  switch (t) {
    case QType::Q4_0: {
      const auto b = load<BlockQ4_0>(block);
      set_shape(o, kQK, kQK, false);
      o.d = fp16_to_f32(b.d);
      o.scale[0] = 1;
      decode_nibbles32(b.qs, o.code, 8);
      return;
    }
    case QType::Q4_1: {
      const auto b = load<BlockQ4_1>(block);
      set_shape(o, kQK, kQK, true);
      o.d = fp16_to_f32(b.d);
      o.dmin = fp16_to_f32(b.m);
      o.scale[0] = 1;
      o.min[0] = -1;
      decode_nibbles32(b.qs, o.code, 0);
      return;
    }
    case QType::Q8_0: {
      const auto b = load<BlockQ8_0>(block);
      set_shape(o, kQK, kQK, false);
      o.d = fp16_to_f32(b.d);
      o.scale[0] = 1;
      for (int i = 0; i < kQK; ++i) o.code[i] = b.qs[i];
      return;
    }
    case QType::IQ4_NL: {
      const auto b = load<BlockIQ4_NL>(block);
      set_shape(o, kQK, kQK, false);
      o.d = fp16_to_f32(b.d);
      o.scale[0] = 1;
      for (int j = 0; j < 16; ++j) {
        o.code[j] = kIQ4NLValues[b.qs[j] & 0xf];
        o.code[j + 16] = kIQ4NLValues[b.qs[j] >> 4];
      }
      return;
    }
    case QType::Q2_K: decode_q2k(load<BlockQ2_K>(block), o); return;
    case QType::Q3_K: decode_q3k(load<BlockQ3_K>(block), o); return;
    case QType::Q4_K: {
      const auto b = load<BlockQ4_K>(block);
      decode_q45k(b.scales, b.qs, nullptr, o);
      o.d = fp16_to_f32(b.d);
      o.dmin = fp16_to_f32(b.dmin);
      return;
    }
    case QType::Q5_K: {
      const auto b = load<BlockQ5_K>(block);
      decode_q45k(b.scales, b.qs, b.qh, o);
      o.d = fp16_to_f32(b.d);
      o.dmin = fp16_to_f32(b.dmin);
      return;
    }
    case QType::Q6_K: decode_q6k(load<BlockQ6_K>(block), o); return;
    case QType::IQ4_XS: decode_iq4xs(load<BlockIQ4_XS>(block), o); return;
    default: throw Error(std::string("decode_block: ") + name(t) + " is not a block weight format");
  }
}

}  // namespace amxlab
