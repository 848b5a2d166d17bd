// Weight quantisers: one valid encoder per format. Real weights arrive as GGUF
// blocks made by ggml's own (search-based) quantisers; these simpler encoders exist so
// tests and sweeps can make weights of every format. Q4_0, Q4_1 and Q8_0 follow
// ggml's reference quantisers; the K-quants and IQ4 formats use a direct min/max
// scheme whose worst-case error is derived in max_roundtrip_error().
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "kernels/core/block_codes.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"

namespace amxlab {
namespace {

template <class Block>
void store(const Block& b, std::byte* out) {
  std::memcpy(out, &b, sizeof b);
}

int clampi(int v, int lo, int hi) {
  return std::min(std::max(v, lo), hi);
}
// std::lround's rounding (half away from zero) without its libm call, which had been
// a third of generating a K-quant MoE case's weights: the truncation and the fraction
// v - trunc(v) are exact for |v| < 2^22, so the result is lround's, bit for bit.
int round_int(float v) {
  if (!(std::fabs(v) < 0x1p22f)) return static_cast<int>(std::lround(v));
  int i = static_cast<int>(v);
  const float frac = v - static_cast<float>(i);
  if (frac >= 0.5f) ++i;
  if (frac <= -0.5f) --i;
  return i;
}

// The signed element of largest magnitude (the first on ties).
float signed_max(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (std::fabs(x[j]) > amax) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void quantize_q4_0(const float* x, std::byte* out) {
  BlockQ4_0 b;
  const float d = signed_max(x, kQK) / -8.0f;  // the extreme value maps to code 0 (= -8)
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_fp16(d);
  for (int j = 0; j < 16; ++j) {
    const int lo = std::min(15, static_cast<int>(x[j] * id + 8.5f));
    const int hi = std::min(15, static_cast<int>(x[j + 16] * id + 8.5f));
    b.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
  }
  store(b, out);
}

void quantize_q4_1(const float* x, std::byte* out) {
  BlockQ4_1 b;
  float lo = x[0], hi = x[0];
  for (int j = 1; j < kQK; ++j) {
    lo = std::min(lo, x[j]);
    hi = std::max(hi, x[j]);
  }
  const float d = (hi - lo) / 15.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  b.d = f32_to_fp16(d);
  b.m = f32_to_fp16(lo);
  // Truncating v + 0.5 (v >= 0 here) is ggml's reference rounding; keep it, bit for bit.
  for (int j = 0; j < 16; ++j) {
    const int q0 =
        std::min(15, static_cast<int>((x[j] - lo) * id + 0.5f));  // NOLINT(bugprone-incorrect-roundings)
    const int q1 =
        std::min(15, static_cast<int>((x[j + 16] - lo) * id + 0.5f));  // NOLINT(bugprone-incorrect-roundings)
    b.qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
  }
  store(b, out);
}

void quantize_q8_0(const float* x, std::byte* out) {
  quantize_activations(QType::Q8_0, ActQuant::ref, std::span<const float>(x, kQK), 1, kQK,
                       std::span<std::byte>(out, sizeof(BlockQ8_0)));
}

// Nearest entry of the IQ4_NL code book to v (in units of the block scale).
int nearest_iq4_index(float v) {
  int best = 0;
  for (int i = 1; i < 16; ++i) {
    if (std::fabs(v - kIQ4NLValues[i]) < std::fabs(v - kIQ4NLValues[best])) best = i;
  }
  return best;
}

void quantize_iq4_nl(const float* x, std::byte* out) {
  BlockIQ4_NL b;
  const float max = signed_max(x, kQK);
  const float d = max / -127.0f;  // the extreme value maps to code book entry -127
  b.d = f32_to_fp16(d);
  const float dq = fp16_to_f32(b.d);
  const float id = dq != 0.0f ? 1.0f / dq : 0.0f;
  for (int j = 0; j < 16; ++j) {
    b.qs[j] = static_cast<uint8_t>(nearest_iq4_index(x[j] * id) | (nearest_iq4_index(x[j + 16] * id) << 4));
  }
  store(b, out);
}

// Integer parameters of a K-quant super-block before bit packing.
struct KParams {
  float d = 0.0f, dmin = 0.0f;  // stored (fp16-rounded) super-block scales
  int scale[16] = {};
  int min[16] = {};
  int code[kQKK] = {};
};

// Asymmetric K-quant (codes 0..qmax, x = d*sc*q - dmin*m, sc <= smax, m <= mmax):
// per sub-block lo = min(0, min x), hi = max x; scale (hi-lo)/qmax and offset -lo are
// quantised to smax/mmax steps of the largest ones, then codes use the stored scales.
KParams quantize_kquant_asym(const float* x, int sub_len, int qmax, int smax, int mmax) {
  KParams p;
  const int n_sub = kQKK / sub_len;
  float sub_scale[16], sub_off[16];
  float max_scale = 0.0f, max_off = 0.0f;
  for (int s = 0; s < n_sub; ++s) {
    float lo = 0.0f, hi = 0.0f;
    for (int i = 0; i < sub_len; ++i) {
      lo = std::min(lo, x[s * sub_len + i]);
      hi = std::max(hi, x[s * sub_len + i]);
    }
    sub_scale[s] = (hi - lo) / static_cast<float>(qmax);
    sub_off[s] = -lo;
    max_scale = std::max(max_scale, sub_scale[s]);
    max_off = std::max(max_off, sub_off[s]);
  }
  p.d = fp16_to_f32(f32_to_fp16(max_scale / static_cast<float>(smax)));
  p.dmin = fp16_to_f32(f32_to_fp16(max_off / static_cast<float>(mmax)));
  for (int s = 0; s < n_sub; ++s) {
    p.scale[s] = p.d > 0.0f ? clampi(round_int(sub_scale[s] / p.d), 0, smax) : 0;
    p.min[s] = p.dmin > 0.0f ? clampi(round_int(sub_off[s] / p.dmin), 0, mmax) : 0;
    const float ds = p.d * static_cast<float>(p.scale[s]);
    const float ms = p.dmin * static_cast<float>(p.min[s]);
    for (int i = 0; i < sub_len; ++i) {
      const int e = s * sub_len + i;
      p.code[e] = ds > 0.0f ? clampi(round_int((x[e] + ms) / ds), 0, qmax) : 0;
    }
  }
  return p;
}

// Symmetric K-quant (signed codes qmin..qmax, signed scales |sc| <= smax, x = d*sc*q):
// each sub-block's scale is chosen so its signed extreme maps to qmin (the longer side).
KParams quantize_kquant_sym(const float* x, int sub_len, int qmin, int qmax, int smax) {
  KParams p;
  const int n_sub = kQKK / sub_len;
  float sub_scale[16];
  float max_abs_scale = 0.0f;
  for (int s = 0; s < n_sub; ++s) {
    sub_scale[s] = signed_max(x + s * sub_len, sub_len) / static_cast<float>(qmin);
    max_abs_scale = std::max(max_abs_scale, std::fabs(sub_scale[s]));
  }
  p.d = fp16_to_f32(f32_to_fp16(max_abs_scale / static_cast<float>(smax)));
  for (int s = 0; s < n_sub; ++s) {
    p.scale[s] = p.d > 0.0f ? clampi(round_int(sub_scale[s] / p.d), -smax, smax) : 0;
    const float ds = p.d * static_cast<float>(p.scale[s]);
    for (int i = 0; i < sub_len; ++i) {
      const int e = s * sub_len + i;
      p.code[e] = ds != 0.0f ? clampi(round_int(x[e] / ds), qmin, qmax) : 0;
    }
  }
  return p;
}

void quantize_q2_k(const float* x, std::byte* out) {
  const KParams p = quantize_kquant_asym(x, 16, 3, 15, 15);
  BlockQ2_K b{};
  b.d = f32_to_fp16(p.d);
  b.dmin = f32_to_fp16(p.dmin);
  for (int s = 0; s < 16; ++s) b.scales[s] = static_cast<uint8_t>(p.scale[s] | (p.min[s] << 4));
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    b.qs[32 * h + rest] = static_cast<uint8_t>(b.qs[32 * h + rest] | (p.code[e] << (2 * j)));
  }
  store(b, out);
}

void quantize_q3_k(const float* x, std::byte* out) {
  const KParams p = quantize_kquant_sym(x, 16, -4, 3, 31);
  BlockQ3_K b{};
  b.d = f32_to_fp16(p.d);
  uint8_t s[16];
  for (int i = 0; i < 16; ++i) s[i] = static_cast<uint8_t>(p.scale[i] + 32);
  pack_scales_q3k(s, b.scales);
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, j = (e % 128) / 32, rest = e % 32;
    const int q = p.code[e] + 4;  // 0..7: low two bits in qs, bit 2 in hmask
    b.qs[32 * h + rest] = static_cast<uint8_t>(b.qs[32 * h + rest] | ((q & 3) << (2 * j)));
    if (q & 4) b.hmask[rest] = static_cast<uint8_t>(b.hmask[rest] | (1 << (4 * h + j)));
  }
  store(b, out);
}

template <class Block>
void pack_q45_k(const KParams& p, Block& b, uint8_t* qh) {
  b.d = f32_to_fp16(p.d);
  b.dmin = f32_to_fp16(p.dmin);
  uint8_t sc[8], mn[8];
  for (int i = 0; i < 8; ++i) {
    sc[i] = static_cast<uint8_t>(p.scale[i]);
    mn[i] = static_cast<uint8_t>(p.min[i]);
  }
  pack_scale_min_k4(sc, mn, b.scales);
  for (int e = 0; e < kQKK; ++e) {
    const int c = e / 64, w = e % 64;
    uint8_t& byte = b.qs[32 * c + w % 32];
    byte = static_cast<uint8_t>(byte | ((p.code[e] & 0xf) << (4 * (w / 32))));
    if (qh != nullptr && (p.code[e] & 16)) qh[e % 32] = static_cast<uint8_t>(qh[e % 32] | (1 << (e / 32)));
  }
}

void quantize_q4_k(const float* x, std::byte* out) {
  BlockQ4_K b{};
  pack_q45_k(quantize_kquant_asym(x, 32, 15, 63, 63), b, nullptr);
  store(b, out);
}

void quantize_q5_k(const float* x, std::byte* out) {
  BlockQ5_K b{};
  pack_q45_k(quantize_kquant_asym(x, 32, 31, 63, 63), b, b.qh);
  store(b, out);
}

void quantize_q6_k(const float* x, std::byte* out) {
  const KParams p = quantize_kquant_sym(x, 16, -32, 31, 127);
  BlockQ6_K b{};
  b.d = f32_to_fp16(p.d);
  for (int i = 0; i < 16; ++i) b.scales[i] = static_cast<int8_t>(p.scale[i]);
  for (int e = 0; e < kQKK; ++e) {
    const int h = e / 128, t = (e % 128) / 32, l = e % 32;
    const int q = p.code[e] + 32;
    uint8_t& lo = b.ql[64 * h + 32 * (t % 2) + l];
    lo = static_cast<uint8_t>(lo | ((q & 0xf) << (4 * (t / 2))));
    uint8_t& hi = b.qh[32 * h + l];
    hi = static_cast<uint8_t>(hi | ((q >> 4) << (2 * t)));
  }
  store(b, out);
}

void quantize_iq4_xs(const float* x, std::byte* out) {
  BlockIQ4_XS b{};
  float sub_scale[8];
  float max_abs = 0.0f;
  for (int ib = 0; ib < 8; ++ib) {
    sub_scale[ib] = signed_max(x + 32 * ib, 32) / -127.0f;
    max_abs = std::max(max_abs, std::fabs(sub_scale[ib]));
  }
  b.d = f32_to_fp16(max_abs / 31.0f);
  const float d = fp16_to_f32(b.d);
  for (int ib = 0; ib < 8; ++ib) {
    const int ls = d > 0.0f ? clampi(round_int(sub_scale[ib] / d), -31, 31) : 0;
    const int stored = ls + 32;
    b.scales_l[ib / 2] = static_cast<uint8_t>(b.scales_l[ib / 2] | ((stored & 0xf) << (4 * (ib % 2))));
    b.scales_h = static_cast<uint16_t>(b.scales_h | ((stored >> 4) << (2 * ib)));
    const float dl = d * static_cast<float>(ls);
    const float id = dl != 0.0f ? 1.0f / dl : 0.0f;
    for (int j = 0; j < 16; ++j) {
      b.qs[16 * ib + j] = static_cast<uint8_t>(nearest_iq4_index(x[32 * ib + j] * id) |
                                               (nearest_iq4_index(x[32 * ib + j + 16] * id) << 4));
    }
  }
  store(b, out);
}

void quantize_plain(QType t, float v, std::byte* out) {
  switch (t) {
    case QType::F32: std::memcpy(out, &v, 4); break;
    case QType::F16: {
      const uint16_t h = f32_to_fp16(v);
      std::memcpy(out, &h, 2);
      break;
    }
    case QType::BF16: {
      const uint16_t h = f32_to_bf16(v);
      std::memcpy(out, &h, 2);
      break;
    }
    case QType::S8:
      *out = static_cast<std::byte>(static_cast<int8_t>(clampi(round_int(v), -128, 127)));
      break;
    case QType::U8: *out = static_cast<std::byte>(static_cast<uint8_t>(clampi(round_int(v), 0, 255))); break;
    default: break;
  }
}

}  // namespace

void quantize_weights(QType t, std::span<const float> src, int64_t rows, int64_t k,
                      std::span<std::byte> dst) {
  const auto& tr = traits(t);
  require(t != QType::Q8_1 && t != QType::Q8_K,
          std::string("quantize_weights: ") + tr.name + " is an activation format; use quantize_activations");
  require(rows >= 0, "quantize_weights: negative row count");
  require_dims("quantize_weights", rows, k);
  const size_t rb = row_bytes(t, k);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(k);
  require_buffer(src.data(), src.size() * sizeof(float), n * sizeof(float), "quantize_weights source");
  require_buffer(dst.data(), dst.size(), rb * static_cast<size_t>(rows),
                 std::string("quantize_weights ") + tr.name + " destination");
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(src[i])) {
      throw Error("quantize_weights: row " + std::to_string(i / static_cast<size_t>(k)) +
                  " holds a non-finite value at column " + std::to_string(i % static_cast<size_t>(k)));
    }
  }
  const size_t blocks = n / static_cast<size_t>(tr.block_elems);
  const float* x = src.data();
  std::byte* out = dst.data();
  for (size_t b = 0; b < blocks; ++b, x += tr.block_elems, out += tr.block_bytes) {
    switch (t) {
      case QType::Q4_0: quantize_q4_0(x, out); break;
      case QType::Q4_1: quantize_q4_1(x, out); break;
      case QType::Q8_0: quantize_q8_0(x, out); break;
      case QType::IQ4_NL: quantize_iq4_nl(x, out); break;
      case QType::Q2_K: quantize_q2_k(x, out); break;
      case QType::Q3_K: quantize_q3_k(x, out); break;
      case QType::Q4_K: quantize_q4_k(x, out); break;
      case QType::Q5_K: quantize_q5_k(x, out); break;
      case QType::Q6_K: quantize_q6_k(x, out); break;
      case QType::IQ4_XS: quantize_iq4_xs(x, out); break;
      default: quantize_plain(t, *x, out); break;
    }
  }
}

}  // namespace amxlab

namespace amxlab {

// Worst cases of the encoders above for a block (super-block) whose largest magnitude
// is A, assuming its fp16 scales are normal numbers. u16 = 2^-11 is the fp16 rounding
// of a scale; each term is derived in the comment beside it.
double max_roundtrip_error(QType t, double amax) {
  const double a = amax;
  const double u16 = 1.0 / 2048.0;
  switch (t) {
    // |d| = A/8; rounding costs |d|/2, but x/d in (7.5, 8] clamps to code 15: |d|.
    // fp16 d: 8 codes * |d| * u16.
    case QType::Q4_0: return a / 8 + a * u16 * 2;
    // d = R/15 <= 2A/15, rounding d/2 <= A/15; fp16 d and m: (15 d + |m|) u16 <= 3A u16.
    case QType::Q4_1: return a / 15 + 3 * a * u16;
    // d = A/127, rounding d/2; fp16 d: 127 d u16 = A u16.
    case QType::Q8_0: return a / 254 + 2 * a * u16;
    // |d| = A/127 (stored in fp16); the widest code book gap is 24 units (half: 12), the
    // top end 113 leaves 14 units to +127 (plus 127 * u16 for the stored d).
    case QType::IQ4_NL: return (14.0 + 127.0 * u16) * a / 127 * (1 + u16);
    // Asymmetric K-quants (codes 0..qmax, scales/mins to smax/mmax steps):
    //   error <= ds/2 + qmax*d/2 + dmin/2 + 3A u16,  ds <= 2A/qmax + d/2,
    //   d <= 2A/(qmax smax), dmin <= A/mmax   (see quantize_kquant_asym).
    case QType::Q2_K:
    case QType::Q4_K:
    case QType::Q5_K: {
      const double qmax = t == QType::Q2_K ? 3 : t == QType::Q4_K ? 15 : 31;
      const double smax = t == QType::Q2_K ? 15 : 63;
      const double d = 2 * a / (qmax * smax) * (1 + u16);
      const double dmin = a / smax * (1 + u16);
      return a / qmax + d / 4 + qmax * d / 2 + dmin / 2 + 3 * a * u16;
    }
    // Symmetric K-quants (codes qmin..qmax, |qmin| = qmax + 1): clamping the short side
    // costs one step: error <= |ds| + |qmin| d/2 + A u16, |ds| <= A/|qmin| + d/2,
    // d <= A/(|qmin| smax).
    case QType::Q3_K:
    case QType::Q6_K: {
      const double qabs = t == QType::Q3_K ? 4 : 32;
      const double smax = t == QType::Q3_K ? 31 : 127;
      const double d = a / (qabs * smax) * (1 + u16);
      return a / qabs + d / 2 + qabs * d / 2 + a * u16;
    }
    // As IQ4_NL per sub-block with dl = d*ls, |dl - sigma| <= d/2 + |sigma| u16,
    // d <= A/(127*31): error <= 14|dl| + 127 (d/2 + |sigma| u16).
    case QType::IQ4_XS: {
      const double d = a / (127.0 * 31.0) * (1 + u16);
      return 14 * (a / 127 + d / 2) + 127 * (d / 2) + a * u16;
    }
    case QType::F16: return a * u16;
    case QType::BF16: return a / 256;
    case QType::S8:
    case QType::U8: return 0.5;
    default: return 0.0;
  }
}

}  // namespace amxlab
