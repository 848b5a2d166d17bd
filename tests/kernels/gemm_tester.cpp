#include "tests/kernels/gemm_tester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "harness/runner/samples.h"
#include "kernels/core/blocks.h"
#include "kernels/core/fp16.h"
#include "kernels/core/fpenv.h"
#include "kernels/isa.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/registry.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/kernel_models.h"

namespace amxlab::testing {
namespace {

constexpr uint32_t kPoison = 0x7fc0deadu;  // a quiet NaN with a payload

// An output as its int32 (raw integer kernels) or fp32 value, all digits.
std::string value_text(float f, bool is_int) {
  char buf[32];
  if (is_int) {
    std::snprintf(buf, sizeof buf, "%d", static_cast<int32_t>(f32_bits(f)));
  } else {
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
  }
  return buf;
}

std::string hex_bits(float f) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", f32_bits(f));
  return buf;
}

// Byte offsets of the fp16 d and dmin of a K-quant super-block (dmin: 0 = none).
struct KHalves {
  size_t d = 0, dmin = 0;
};
KHalves k_halves(QType t) {
  switch (t) {
    case QType::Q2_K: return {offsetof(BlockQ2_K, d), offsetof(BlockQ2_K, dmin)};
    case QType::Q3_K: return {offsetof(BlockQ3_K, d), 0};
    case QType::Q4_K: return {offsetof(BlockQ4_K, d), offsetof(BlockQ4_K, dmin)};
    case QType::Q5_K: return {offsetof(BlockQ5_K, d), offsetof(BlockQ5_K, dmin)};
    case QType::Q6_K: return {offsetof(BlockQ6_K, d), 0};
    default: return {offsetof(BlockIQ4_XS, d), 0};
  }
}

// flip_or_set_half's "negate the half that is there" (not a half: fp16 0x0000 is the
// zero it plants; until 2026-12-03 0 meant "flip", so no zero scale was ever planted).
constexpr uint32_t kFlipSign = 0x10000;

void flip_or_set_half(std::byte* p, uint32_t special) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  h = special == kFlipSign ? static_cast<uint16_t>(h ^ 0x8000u) : static_cast<uint16_t>(special);
  std::memcpy(p, &h, 2);
}

// K-quant super-blocks: every bit pattern of codes, scales and mins is a legal block, so
// extremes are planted as bytes. Whole blocks of 0x00 / 0xff (all codes and scale/min
// codes at their minimum / maximum: Q6_K codes -32 / 31, Q3_K high bits all clear / all
// set, Q4_K scales and mins 0 / 63, nibbles 0 / 15), blocks of random bytes (every Q3_K
// high-bit pattern, random scales), dmin 0 / negative, d zero / subnormal / negative.
// The first block is 0xff (Q6_K: its scales 127, where 0xff would make them -1): against
// the raw activations' first block (127s and one 126, make_gemm_data) its integer
// super-block sum is odd and above 2^24 for Q4_K, Q5_K, Q6_K and IQ4_XS, so its conversion
// to fp32 rounds (KernelsKQuant.SuperBlockSumsThatRoundAreMet checks it happens).
void plant_kquant_extremes(QType wt, std::vector<std::byte>& w, std::mt19937_64& rng) {
  const size_t bb = traits(wt).block_bytes;
  const size_t total = w.size() / bb;
  const KHalves kh = k_halves(wt);
  std::uniform_int_distribution<size_t> pick_block(0, total - 1);
  std::uniform_int_distribution<int> byte(0, 255);
  // Fills a block except its d / dmin fields.
  auto fill = [&](std::byte* blk, int value) {
    for (size_t i = 0; i < bb; ++i) {
      const bool half = (i >= kh.d && i < kh.d + 2) || (kh.dmin != 0 && i >= kh.dmin && i < kh.dmin + 2);
      if (!half) blk[i] = static_cast<std::byte>(value < 0 ? byte(rng) : value);
    }
  };
  const size_t plants = std::max<size_t>(3, total / 3);
  for (size_t p = 0; p < plants; ++p)
    fill(w.data() + pick_block(rng) * bb, p % 3 == 0 ? 0x00 : p % 3 == 1 ? 0xff : -1);
  // Last, so no random plant replaces it.
  fill(w.data(), 0xff);
  if (wt == QType::Q6_K) std::memset(w.data() + offsetof(BlockQ6_K, scales), 0x7f, sizeof(BlockQ6_K::scales));
  for (uint32_t special : {0x0000u, 0x0001u, 0x83ffu, kFlipSign})
    flip_or_set_half(w.data() + pick_block(rng) * bb + kh.d, special);
  if (kh.dmin != 0) {
    for (uint32_t special : {0x0000u, kFlipSign, kFlipSign})
      flip_or_set_half(w.data() + pick_block(rng) * bb + kh.dmin, special);
  }
}

// Plants extreme codes and special scales into GGUF blocks (deterministic in rng).
void plant_extremes(QType wt, std::vector<std::byte>& w, int64_t n, int64_t k, std::mt19937_64& rng) {
  if (traits(wt).block_elems == kQKK) return plant_kquant_extremes(wt, w, rng);
  const size_t bb = traits(wt).block_bytes;
  const int64_t blocks = k / kQK;
  const auto total = static_cast<size_t>(n * blocks);
  std::uniform_int_distribution<size_t> pick_block(0, total - 1);
  std::uniform_int_distribution<int> pick_elem(0, kQK - 1);
  std::uniform_int_distribution<int> pick_byte(0, kQK / 2 - 1);
  const size_t plants = std::max<size_t>(4, total / 3);
  // Q4_0, IQ4_NL: d then 16 nibble bytes; Q4_1: d, m, then the nibbles.
  const size_t nibbles = wt == QType::Q4_1 ? offsetof(BlockQ4_1, qs) : offsetof(BlockQ4_0, qs);
  for (size_t p = 0; p < plants; ++p) {
    std::byte* blk = w.data() + pick_block(rng) * bb;
    if (wt == QType::Q8_0) {
      auto* qs = reinterpret_cast<int8_t*>(blk + offsetof(BlockQ8_0, qs));
      qs[pick_elem(rng)] = -128;
      qs[pick_elem(rng)] = 127;
      qs[pick_elem(rng)] = -127;
    } else {
      uint8_t* qs = reinterpret_cast<uint8_t*>(blk) + nibbles;
      qs[pick_byte(rng)] = 0x00;
      qs[pick_byte(rng)] = 0xff;
      qs[pick_byte(rng)] = 0x0f;
      qs[pick_byte(rng)] = 0xf0;
    }
  }
  // Whole blocks of extreme codes: the first block of the first row, and one at random.
  for (size_t at : {size_t{0}, pick_block(rng)}) {
    std::byte* blk = w.data() + at * bb;
    if (wt == QType::Q8_0) {
      std::memset(blk + offsetof(BlockQ8_0, qs), 0x80, kQK);  // all -128
    } else {
      std::memset(blk + nibbles, at == 0 ? 0x00 : 0xff, kQK / 2);
    }
  }
  // Special scales: zero, smallest subnormals, a negated scale.
  for (uint32_t special : {0x0000u, 0x0001u, 0x83ffu, kFlipSign})
    flip_or_set_half(w.data() + pick_block(rng) * bb, special);
}

// Random finite fp16 with exponent in [lo, hi] (biased), random sign and mantissa.
uint16_t random_half(std::mt19937_64& rng, int lo, int hi) {
  std::uniform_int_distribution<int> e(lo, hi), mant(0, 1023), sign(0, 1);
  return static_cast<uint16_t>((sign(rng) << 15) | (e(rng) << 10) | mant(rng));
}

template <class T>
void put(std::vector<std::byte>& v, size_t i, T x) {
  std::memcpy(v.data() + i * sizeof x, &x, sizeof x);
}

using harness::Samples;  // the bulk samples (harness/runner/samples.h)

// A random float of magnitude around 2^[lo, hi] (either sign).
float spread(Samples& g, float lo, float hi) {
  return g.normal() * std::exp2(g.uniform(lo, hi));
}

// Raw plain-type weights [N][K] and activations [M][K] (see GemmData).
GemmData make_plain_data(QType wt, int64_t m, int64_t n, int64_t k, std::mt19937_64& rng) {
  GemmData d;
  const auto nk = static_cast<size_t>(n * k), mk = static_cast<size_t>(m * k);
  const size_t uk = static_cast<size_t>(k);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> pick_w(0, nk - 1), pick_a(0, mk - 1);
  const size_t plants = 1 + nk / 50;
  Samples g(rng);
  if (wt == QType::S8 || wt == QType::U8) {
    d.weights.resize(nk);
    d.activations.resize(mk);
    for (auto& b : d.weights) b = static_cast<std::byte>(byte(rng));
    for (auto& b : d.activations) b = static_cast<std::byte>(byte(rng));
    // Extremes: weight row 0 all -128, row 1 all 127; activation row 0 all at the
    // largest magnitude (s8 -128, u8 255).
    std::fill_n(d.weights.begin(), uk, std::byte{0x80});
    if (n > 1) std::fill_n(d.weights.begin() + static_cast<std::ptrdiff_t>(uk), uk, std::byte{0x7f});
    std::fill_n(d.activations.begin(), uk, wt == QType::S8 ? std::byte{0x80} : std::byte{0xff});
    return d;
  }
  if (wt == QType::BF16) {
    d.weights.resize(nk * 2);
    d.activations.resize(mk * 2);
    for (size_t i = 0; i < nk; ++i) put(d.weights, i, f32_to_bf16(spread(g, -20, 20)));
    for (size_t i = 0; i < mk; ++i) put(d.activations, i, f32_to_bf16(spread(g, -20, 20)));
    // Zeros, -0, subnormals (flushed by the BF16 units), the smallest normal.
    for (uint16_t special :
         {uint16_t{0x0000}, uint16_t{0x8000}, uint16_t{0x0001}, uint16_t{0x807f}, uint16_t{0x0080}}) {
      for (size_t p = 0; p < plants; ++p) {
        put(d.weights, pick_w(rng), special);
        put(d.activations, pick_a(rng), special);
      }
    }
    return d;
  }
  d.act_f32.resize(mk);
  for (auto& v : d.act_f32) v = spread(g, -10, 10);
  for (float special : {0.0f, -0.0f, 1e-40f, -3e-39f}) {
    for (size_t p = 0; p < plants; ++p) d.act_f32[pick_a(rng)] = special;
  }
  d.activations.resize(mk * 4);
  std::memcpy(d.activations.data(), d.act_f32.data(), mk * 4);
  if (wt == QType::F16) {
    d.weights.resize(nk * 2);
    for (size_t i = 0; i < nk; ++i) put(d.weights, i, random_half(rng, 1, 30));
    // Zeros, subnormals, the largest finite f16.
    for (uint16_t special : {uint16_t{0x0000}, uint16_t{0x8000}, uint16_t{0x0001}, uint16_t{0x83ff},
                             uint16_t{0x7bff}, uint16_t{0xfbff}}) {
      for (size_t p = 0; p < plants; ++p) put(d.weights, pick_w(rng), special);
    }
    return d;
  }
  d.weights.resize(nk * 4);
  for (size_t i = 0; i < nk; ++i) put(d.weights, i, spread(g, -10, 10));
  for (float special : {0.0f, -0.0f, 1e-40f, -1e-45f}) {
    for (size_t p = 0; p < plants; ++p) put(d.weights, pick_w(rng), special);
  }
  return d;
}

template <class T>
std::span<const T> as(const std::vector<std::byte>& v) {
  return {reinterpret_cast<const T*>(v.data()), v.size() / sizeof(T)};
}

// f16 weights widened exactly (kernels/core dequantize).
std::vector<float> widened_f16(const std::vector<std::byte>& w) {
  std::vector<float> out(w.size() / 2);
  dequantize(QType::F16, w, 1, static_cast<int64_t>(out.size()), out);
  return out;
}

}  // namespace

threading::ThreadPool& pool_for(int threads) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<threading::ThreadPool>> pools;
  std::lock_guard<std::mutex> lock(mu);
  auto& p = pools[threads];
  if (!p) p = std::make_unique<threading::ThreadPool>(threads);
  return *p;
}

std::string skip_reason(const KernelDesc& kernel) {
  std::string why;
  if (kernel_runnable(kernel, &why)) return "";
  return std::string(kernel.name) + ": " + why;
}

GemmData make_gemm_data(QType wt, int64_t m, int64_t n, int64_t k, uint64_t seed, ActQuant variant,
                        bool raw) {
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 12345);
  if (!traits(wt).block_quantized) return make_plain_data(wt, m, n, k, rng);
  GemmData d;
  const QType act = traits(wt).act_type;
  // Weights: random F32 blocks of varied magnitude (some all-zero) -> quantize_weights.
  {
    std::vector<float> wf(static_cast<size_t>(n * k));
    Samples g(rng);
    std::uniform_real_distribution<float> expo(-8.0f, 4.0f);
    std::uniform_int_distribution<int> one_in(0, 39);
    for (size_t b = 0; b < wf.size(); b += kQK) {
      const bool zero = one_in(rng) == 0;
      const float scale = std::exp2(expo(rng));
      const float shift = wt == QType::Q4_1 ? g.normal() * scale : 0.0f;  // q4_1 blocks off centre
      for (size_t i = 0; i < static_cast<size_t>(kQK); ++i)
        wf[b + i] = zero ? 0.0f : g.normal() * scale + shift;
    }
    d.weights.resize(row_bytes(wt, k) * static_cast<size_t>(n));
    quantize_weights(wt, wf, n, k, d.weights);
    plant_extremes(wt, d.weights, n, k, rng);
  }
  const size_t arow = row_bytes(act, k);
  d.activations.resize(arow * static_cast<size_t>(m));
  if (raw && act == QType::Q8_K) {
    // Random codes (every -128..127) with random fp32 scales; the bsums are the sums of
    // the codes, as every Q8_K quantiser writes them (kernels/pack/kquant_pack.h).
    std::uniform_int_distribution<int> code(-128, 127), one_in(0, 15);
    std::uniform_real_distribution<float> expo(-20.0f, 4.0f);
    for (size_t at = 0; at < d.activations.size(); at += sizeof(BlockQ8_K)) {
      BlockQ8_K b{};
      b.d = std::exp2(expo(rng)) * (one_in(rng) < 8 ? 1.0f : -1.0f);
      const int special = one_in(rng);
      for (int i = 0; i < kQKK; ++i) {
        b.qs[i] = static_cast<int8_t>(special == 0 ? -128 : special == 1 ? 127 : code(rng));
        // The first block: 127s and one 126, the sums that round (plant_kquant_extremes).
        if (at == 0) b.qs[i] = static_cast<int8_t>(i == 0 ? 126 : 127);
        b.bsums[i / 16] = static_cast<int16_t>(b.bsums[i / 16] + b.qs[i]);
      }
      std::memcpy(d.activations.data() + at, &b, sizeof b);
    }
  } else if (raw) {
    const size_t bb = traits(act).block_bytes;
    std::uniform_int_distribution<int> code(-128, 127), one_in(0, 15);
    for (size_t at = 0; at < d.activations.size(); at += bb) {
      std::byte* blk = d.activations.data() + at;
      const uint16_t hd = random_half(rng, 5, 18);
      std::memcpy(blk, &hd, 2);
      const size_t off = act == QType::Q8_1 ? 4 : 2;
      if (act == QType::Q8_1) {
        const uint16_t hs = random_half(rng, 5, 22);
        std::memcpy(blk + 2, &hs, 2);
      }
      const int special = one_in(rng);
      for (size_t i = 0; i < static_cast<size_t>(kQK); ++i) {
        const int c = special == 0 ? -128 : special == 1 ? 127 : code(rng);
        blk[off + i] = static_cast<std::byte>(static_cast<uint8_t>(c));
      }
    }
  } else {
    d.act_f32.resize(static_cast<size_t>(m * k));
    Samples g(rng);
    std::uniform_real_distribution<float> expo(-6.0f, 6.0f);
    for (int64_t r = 0; r < m; ++r) {
      const float scale = std::exp2(expo(rng));
      for (int64_t c = 0; c < k; ++c) d.act_f32[static_cast<size_t>(r * k + c)] = g.normal() * scale;
    }
    if (m * k >= 64) {
      std::fill_n(d.act_f32.begin() + 32, 32, 0.0f);  // an all-zero block
    }
    quantize_activations(act, variant, d.act_f32, m, k, d.activations);
  }
  return d;
}

void plant_float_specials(QType wt, GemmData& d, uint64_t seed) {
  std::mt19937_64 rng(seed * 0x2545f4914f6cdd1dull + 99);
  // Values as fp32 bits; bf16 takes the high half (all of these are exact in bf16).
  static constexpr uint32_t kSpecials[] = {
      0x7fc10000u, 0xffc30000u, 0x7f810000u,  // NaN: quiet, quiet negative, signalling
      0x7f800000u, 0xff800000u, 0x7f7f0000u,  // +Inf, -Inf, the largest bf16
      0x00000000u, 0x80000000u, 0x00010000u,  // +0, -0, a subnormal
      0x807f0000u, 0x00800000u,               // a negative subnormal, the smallest normal
      0x20000000u, 0x20000000u, 0x1a000000u,  // 2^-63 (twice as likely), 2^-75
      0x9a000000u, 0x99800000u, 0x9a800000u,  // -2^-75, -2^-76, -2^-74
      0x1f810000u, 0x3f800000u, 0xc0400000u,  // (1 + 2^-7) 2^-64, 1, -3
  };
  // f16 weights: NaNs, +-Inf, the largest finite, +-0, subnormals.
  static constexpr uint16_t kHalfSpecials[] = {0x7e01, 0xfe03, 0x7c01, 0x7c00, 0xfc00,
                                               0x7bff, 0x0000, 0x8000, 0x0001, 0x83ff};
  std::uniform_int_distribution<size_t> pick(0, std::size(kSpecials) - 1),
      half(0, std::size(kHalfSpecials) - 1);
  std::bernoulli_distribution replace(0.5);
  const auto f32s = [&](std::vector<std::byte>& v) {
    for (size_t i = 0; i < v.size() / 4; ++i)
      if (replace(rng)) put(v, i, kSpecials[pick(rng)]);
  };
  if (wt == QType::BF16) {
    for (auto* v : {&d.weights, &d.activations}) {
      for (size_t i = 0; i < v->size() / 2; ++i)
        if (replace(rng)) put(*v, i, static_cast<uint16_t>(kSpecials[pick(rng)] >> 16));
    }
    return;
  }
  if (wt != QType::F16 && wt != QType::F32)
    throw std::invalid_argument(std::string("plant_float_specials: ") + std::string(name(wt)) +
                                " is not a plain float type");
  if (wt == QType::F16) {
    for (size_t i = 0; i < d.weights.size() / 2; ++i)
      if (replace(rng)) put(d.weights, i, kHalfSpecials[half(rng)]);
  } else {
    f32s(d.weights);
  }
  f32s(d.activations);
  std::memcpy(d.act_f32.data(), d.activations.data(), d.activations.size());
}

int64_t fit_k(QType t, int64_t k) {
  if (traits(t).block_elems != kQKK || k % kQKK == 0) return k;
  switch (k) {
    case 32: return 256;
    case 64: return 512;
    case 96: return 2304;
    case 2080: return 14336;
    default: return (k + kQKK - 1) / kQKK * kQKK;
  }
}

std::vector<uint32_t> reference_bits(QType wt, const GemmData& d, int64_t m, int64_t n, int64_t k,
                                     const KernelDesc* kernel) {
  const golden::Shape s{m, n, k};
  std::vector<uint32_t> out(static_cast<size_t>(m * n));
  std::span<float> yf{reinterpret_cast<float*>(out.data()), out.size()};
  std::span<int32_t> yi{reinterpret_cast<int32_t*>(out.data()), out.size()};
  switch (wt) {
    case QType::S8: golden::gemm_s8s8(as<int8_t>(d.activations), as<int8_t>(d.weights), s, yi); break;
    case QType::U8: golden::gemm_u8s8(as<uint8_t>(d.activations), as<int8_t>(d.weights), s, yi); break;
    case QType::BF16:
      golden::model_bf16(kernel != nullptr && kernel->on_tdpbf16ps() ? golden::Bf16Model::tdpbf16ps
                                                                     : golden::Bf16Model::vdpbf16ps,
                         as<uint16_t>(d.activations), as<uint16_t>(d.weights), s, yf);
      break;
    case QType::F16: golden::model_fma_f32(d.act_f32, widened_f16(d.weights), s, yf); break;
    case QType::F32: golden::model_fma_f32(d.act_f32, as<float>(d.weights), s, yf); break;
    default: golden::gemm_quantized(wt, d.weights, d.activations, s, yf); break;
  }
  return out;
}

int64_t outside_golden_bound(QType wt, const GemmData& d, std::span<const uint32_t> bits, int64_t m,
                             int64_t n, int64_t k, std::string* first) {
  const golden::Shape s{m, n, k};
  golden::ExactModel e;
  if (wt == QType::BF16) {
    e = golden::exact_model_bf16(as<uint16_t>(d.activations), as<uint16_t>(d.weights), s, true);
  } else if (wt == QType::F16) {
    e = golden::exact_model_f32(d.act_f32, widened_f16(d.weights), s);
  } else if (wt == QType::F32) {
    e = golden::exact_model_f32(d.act_f32, as<float>(d.weights), s);
  } else {
    return 0;
  }
  int64_t bad = 0;
  for (size_t i = 0; i < bits.size(); ++i) {
    const float got = f32_from_bits(bits[i]);
    if (std::fabs(static_cast<double>(got) - e.y[i]) <= e.bound[i]) continue;
    if (bad++ == 0 && first != nullptr) {
      std::ostringstream os;
      os << "y[" << static_cast<int64_t>(i) / n << "][" << static_cast<int64_t>(i) % n << "] = " << got
         << " exact " << e.y[i] << " bound " << e.bound[i];
      *first = os.str();
    }
  }
  return bad;
}

std::string GemmTester::describe(const KernelDesc& kernel) const {
  std::ostringstream os;
  os << kernel.name << " M=" << m_ << " N=" << n_ << " K=" << fit_k(kernel.weight_type, k_)
     << " threads=" << threads_ << " seed=" << seed_ << " act_quant=" << name(variant_)
     << (raw_ ? " raw_activations" : "");
  if (specials_) os << " float_specials";
  return os.str();
}

// A reference computed once per data set: golden's bits (any kernel of the type), or the
// exact model of one operation order (BF16 on TDPBF16PS or on VDPBF16PS), and how many of
// its outputs lie outside golden's analytic bound.
struct GemmTester::Reference {
  bool tdpbf16ps = false;
  std::vector<uint32_t> bits;
  int64_t out_of_bound = 0;
  std::string first_outside;
};

bool GemmTester::test(const KernelDesc& kernel) const {
  const KernelDesc* const one[] = {&kernel};
  return !test_each(one).empty();
}

std::vector<const KernelDesc*> GemmTester::test_each(std::span<const KernelDesc* const> kernels) const {
  std::vector<const KernelDesc*> passed;
  if (kernels.empty()) return passed;
  const KernelDesc& first = *kernels.front();
  for (const KernelDesc* kd : kernels) {
    if (kd->weight_type != first.weight_type || kd->act_type != first.act_type) {
      ADD_FAILURE() << "GemmTester::test_each: " << kd->name << " reads " << name(kd->weight_type) << " x "
                    << name(kd->act_type) << ", " << first.name << " " << name(first.weight_type) << " x "
                    << name(first.act_type) << ": one data set cannot serve both";
      return passed;
    }
  }
  const QType wt = first.weight_type;
  const int64_t k = fit_k(wt, k_);
  GemmData d = make_gemm_data(wt, m_, n_, k, seed_, variant_, raw_);
  if (specials_) plant_float_specials(wt, d, seed_);
  std::vector<Reference> refs;
  for (const KernelDesc* kd : kernels) {
    if (check(*kd, d, k, refs)) passed.push_back(kd);
  }
  return passed;
}

bool GemmTester::check(const KernelDesc& kernel, const GemmData& d, int64_t k,
                       std::vector<Reference>& refs) const {
  const std::string what = describe(kernel);
  SCOPED_TRACE(what);
  const QType wt = kernel.weight_type;
  const QType act = kernel.act_type;
  const size_t arow = row_bytes(act, k);
  threading::ThreadPool& pool = pool_for(threads_);

  // Activations through the kernel's own quantiser, on the pool: the same bytes.
  std::vector<std::byte> aq = d.activations;
  if (!raw_ && kernel.quantize != nullptr) {
    std::vector<std::byte> mine(aq.size(), std::byte{0x5a});
    threading::quantize_parallel(pool, kernel, variant_, d.act_f32, m_, k, mine);
    const auto diff = std::mismatch(mine.begin(), mine.end(), aq.begin());
    if (diff.first != mine.end()) {
      const auto at = static_cast<size_t>(diff.first - mine.begin());
      ADD_FAILURE() << what << ": the kernel's quantiser differs from quantize_activations at row "
                    << at / arow << " byte " << at % arow;
      return false;
    }
  }

  const PackedWeights w = kernel.pack(wt, d.weights, n_, k, default_memory_resource());
  EXPECT_EQ(w.layout(), kernel.layout) << what;
  EXPECT_EQ(w.source_checksum(), checksum_bytes(d.weights)) << what;

  const auto ys = static_cast<size_t>(n_ + y_pad_);
  std::vector<float> y(static_cast<size_t>(m_) * ys, f32_from_bits(kPoison));
  const ActivationView av{act, aq.data(), arow, m_, k};
  const OutputView ov{y.data(), ys, m_, n_};
  const uint32_t mxcsr_before = read_mxcsr() & kMxcsrControlMask;
  for (int r = 0; r < repeat_; ++r) threading::run_gemm(pool, kernel, w, av, ov);
  EXPECT_EQ(read_mxcsr() & kMxcsrControlMask, mxcsr_before) << what << ": MXCSR changed";

  const bool tdpbf16ps = kernel.on_tdpbf16ps();  // BF16 on the tile instruction's order
  auto ref_of =
      std::find_if(refs.begin(), refs.end(), [&](const Reference& r) { return r.tdpbf16ps == tdpbf16ps; });
  if (ref_of == refs.end()) {
    Reference r{tdpbf16ps, reference_bits(wt, d, m_, n_, k, &kernel), 0, {}};
    r.out_of_bound = specials_ ? 0 : outside_golden_bound(wt, d, r.bits, m_, n_, k, &r.first_outside);
    refs.push_back(std::move(r));
    ref_of = refs.end() - 1;
  }
  const std::span<const float> ref{reinterpret_cast<const float*>(ref_of->bits.data()), ref_of->bits.size()};
  const bool is_int = wt == QType::S8 || wt == QType::U8;

  int64_t bad = 0, first_m = -1, first_n = -1, pad_bad = 0;
  for (int64_t i = 0; i < m_; ++i) {
    for (int64_t j = 0; j < n_; ++j) {
      const float got = y[static_cast<size_t>(i) * ys + static_cast<size_t>(j)];
      const float want = ref[static_cast<size_t>(i * n_ + j)];
      if (f32_bits(got) != f32_bits(want)) {
        if (bad++ == 0) {
          first_m = i;
          first_n = j;
        }
      }
    }
    for (size_t j = static_cast<size_t>(n_); j < ys; ++j)
      pad_bad += f32_bits(y[static_cast<size_t>(i) * ys + j]) != kPoison;
  }
  if (bad != 0) {
    const float got = y[static_cast<size_t>(first_m) * ys + static_cast<size_t>(first_n)];
    const float want = ref[static_cast<size_t>(first_m * n_ + first_n)];
    ADD_FAILURE() << what << ": " << bad << " of " << m_ * n_ << " outputs differ from "
                  << (traits(wt).block_quantized || is_int ? "golden" : "the kernel's exact model")
                  << "; first at (m=" << first_m << ", n=" << first_n << "): kernel "
                  << value_text(got, is_int) << " (" << hex_bits(got) << "), reference "
                  << value_text(want, is_int) << " (" << hex_bits(want) << ")";
  }
  if (ref_of->out_of_bound != 0)
    ADD_FAILURE() << what << ": " << ref_of->out_of_bound
                  << " outputs of the exact model are outside golden's bound; first "
                  << ref_of->first_outside;
  if (pad_bad != 0) ADD_FAILURE() << what << ": " << pad_bad << " padding floats beyond N were written";
  return bad == 0 && pad_bad == 0 && ref_of->out_of_bound == 0;
}

std::vector<std::string> registry_kernel_names() {
  std::vector<std::string> out;
  for (const auto& k : kernel_registry()) out.emplace_back(k.name);
  return out;
}

const KernelDesc& registry_kernel(const std::string& name) {
  const KernelDesc* k = find_kernel(name);
  if (k == nullptr) throw std::runtime_error("no kernel " + name);
  return *k;
}

}  // namespace amxlab::testing
