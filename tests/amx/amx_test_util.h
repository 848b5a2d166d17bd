// Helpers of the AMX kernel tests: GGUF weights and activations with the edge codes,
// slices cut along a plan as the thread pool would, bitwise comparison with golden.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/amx/amx_kernels.h"
#include "kernels/core/blocks.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::amx::testing {

inline const KernelDesc& amx_kernel(std::string_view name) {
  for (const KernelDesc& k : kAmxKernels)
    if (k.name == name) return k;
  throw Error("no AMX kernel named " + std::string(name));
}

// A poison value with a recognisable payload: a kernel that reads dst (accumulates
// into it) gets NaN, one that writes outside its slice leaves another pattern.
inline float poison() {
  return f32_from_bits(0x7fc0dead);
}

// A random fp16 scale: mostly moderate magnitudes of both signs, sometimes zero,
// subnormal or large, never Inf/NaN (golden and kernels agree on those anyway, but a
// NaN-free result compares by value as well as by bits).
inline uint16_t random_scale(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> pick(0, 19);
  std::uniform_real_distribution<float> mag(1e-3f, 0.05f);
  const int p = pick(rng);
  float v = mag(rng);
  if (p == 0) return 0;                                         // zero scale
  if (p == 1) return static_cast<uint16_t>(1 + rng() % 0x3ff);  // subnormal
  if (p == 2) v = 60.0f + static_cast<float>(rng() % 1000);     // large
  if (rng() & 1) v = -v;
  return f32_to_fp16(v);
}

// N GGUF rows of K elements of type t with random codes, each row holding the edge
// codes: Q8_0 -128, -127, 127 and 0; Q4_* and IQ4_NL nibbles 0 and 15; K-quants: random bytes.
inline std::vector<std::byte> random_weights(QType t, int64_t n, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t wrow = row_bytes(t, k), bb = traits(t).block_bytes;
  std::vector<std::byte> out(wrow * static_cast<size_t>(n));
  if (traits(t).block_elems != kQK) {
    // K-quant super-blocks: every bit pattern is a legal block (fp16 fields included).
    for (auto& byte : out) byte = static_cast<std::byte>(rng() & 0xff);
    return out;
  }
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t b = 0; b < k / kQK; ++b) {
      std::byte* p = out.data() + static_cast<size_t>(r) * wrow + static_cast<size_t>(b) * bb;
      if (t == QType::Q8_0) {
        BlockQ8_0 q;
        q.d = random_scale(rng);
        for (int8_t& c : q.qs) c = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
        if (b == 0) {
          q.qs[0] = -128;
          q.qs[1] = 127;
          q.qs[2] = -127;
          q.qs[3] = 0;
          q.qs[31] = -128;
        }
        if (rng() % 7 == 0)
          for (int8_t& c : q.qs) c = -128;  // a whole block at the edge
        std::memcpy(p, &q, sizeof q);
      } else {
        uint8_t qs[kQK / 2];
        for (uint8_t& c : qs) c = static_cast<uint8_t>(rng() % 256);
        if (b == 0) {
          qs[0] = 0x0f;
          qs[1] = 0xf0;
          qs[15] = 0x00;
          qs[14] = 0xff;
        }
        if (rng() % 7 == 0)
          for (uint8_t& c : qs) c = (rng() & 1) ? 0xff : 0x00;
        if (t == QType::Q4_0 || t == QType::IQ4_NL) {  // IQ4_NL: the same d + 16 nibble bytes
          BlockQ4_0 q;
          q.d = random_scale(rng);
          std::memcpy(q.qs, qs, sizeof qs);
          std::memcpy(p, &q, sizeof q);
        } else {
          BlockQ4_1 q;
          q.d = random_scale(rng);
          q.m = random_scale(rng);
          std::memcpy(q.qs, qs, sizeof qs);
          std::memcpy(p, &q, sizeof q);
        }
      }
    }
  }
  return out;
}

// M activation rows ([M] rows of row_bytes(act, K), back to back).
//  quantised = true: random F32 rows (outliers, a zero block) through quantize_activations;
//  quantised = false: raw random blocks with every code -128..127 and random d (and s),
//  legal bytes a quantiser would never produce, to exercise the integer path fully.
inline std::vector<std::byte> random_activations(QType act, int64_t m, int64_t k, uint64_t seed,
                                                 bool quantised) {
  std::mt19937_64 rng(seed);
  const size_t arow = row_bytes(act, k), bb = traits(act).block_bytes;
  std::vector<std::byte> out(arow * static_cast<size_t>(m));
  if (quantised) {
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> f(static_cast<size_t>(m * k));
    for (size_t i = 0; i < f.size(); ++i) f[i] = d(rng) * ((i % 61 == 0) ? 30.0f : 1.0f);
    for (int64_t i = 0; i < std::min<int64_t>(k, 32); ++i) f[static_cast<size_t>(i)] = 0.0f;  // zero block
    quantize_activations(act, ActQuant::runtime, f, m, k, out);
    return out;
  }
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t b = 0; b < k / kQK; ++b) {
      std::byte* p = out.data() + static_cast<size_t>(r) * arow + static_cast<size_t>(b) * bb;
      int8_t qs[kQK];
      for (int8_t& c : qs) c = static_cast<int8_t>(static_cast<int>(rng() % 256) - 128);
      if (b == 0) {
        qs[0] = -128;
        qs[5] = 127;
      }
      const uint16_t d = random_scale(rng);
      if (act == QType::Q8_0) {
        BlockQ8_0 q;
        q.d = d;
        std::memcpy(q.qs, qs, sizeof qs);
        std::memcpy(p, &q, sizeof q);
      } else {
        BlockQ8_1 q;
        q.d = d;
        q.s = random_scale(rng);
        std::memcpy(q.qs, qs, sizeof qs);
        std::memcpy(p, &q, sizeof q);
      }
    }
  }
  return out;
}

// Cuts an M x N output along `plan` into tm x tn slices (the way a pool of tm * tn
// threads would: whole steps, near-equal shares, the remainders at the ends).
inline std::vector<Slice> cut(int64_t m, int64_t n, Plan plan, int tm, int tn) {
  auto bounds = [](int64_t extent, int64_t step, int parts) {
    const int64_t units = (extent + step - 1) / step;
    std::vector<int64_t> b;
    for (int i = 0; i <= parts; ++i) b.push_back(std::min(extent, (units * i / parts) * step));
    return b;
  };
  const auto mb = bounds(m, plan.m_step, tm), nb = bounds(n, plan.n_step, tn);
  std::vector<Slice> out;
  for (int i = 0; i < tm; ++i)
    for (int j = 0; j < tn; ++j)
      if (mb[i] < mb[i + 1] && nb[j] < nb[j + 1]) out.push_back(Slice{mb[i], mb[i + 1], nb[j], nb[j + 1]});
  return out;
}

// Bitwise equality of two float arrays; reports the first few differences.
inline ::testing::AssertionResult bitwise_equal(const std::vector<float>& want, const std::vector<float>& got,
                                                int64_t n_cols) {
  if (want.size() != got.size()) return ::testing::AssertionFailure() << "size differs";
  int shown = 0;
  size_t bad = 0;
  std::string msg;
  for (size_t i = 0; i < want.size(); ++i) {
    if (f32_bits(want[i]) == f32_bits(got[i])) continue;
    ++bad;
    if (shown++ < 5) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "\n  y[%lld][%lld]: want %.9g (0x%08x) got %.9g (0x%08x)",
                    static_cast<long long>(static_cast<int64_t>(i) / n_cols),
                    static_cast<long long>(static_cast<int64_t>(i) % n_cols), static_cast<double>(want[i]),
                    f32_bits(want[i]), static_cast<double>(got[i]), f32_bits(got[i]));
      msg += buf;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << want.size() << " outputs differ" << msg;
}

// One GEMM problem: GGUF weights packed for the AMX kernels, activations, golden result.
struct Problem {
  QType wt;
  int64_t m, n, k;
  std::vector<std::byte> gguf, aq;
  PackedWeights packed;
  std::vector<float> want;  // golden::gemm_quantized

  Problem(QType t, int64_t m_, int64_t n_, int64_t k_, uint64_t seed, bool quantised_acts)
      : wt(t),
        m(m_),
        n(n_),
        k(k_),
        gguf(random_weights(t, n_, k_, seed)),
        aq(random_activations(traits(t).act_type, m_, k_, seed * 7 + 1, quantised_acts)),
        packed(pack_amx_tile(t, gguf, n_, k_, default_memory_resource())),
        want(static_cast<size_t>(m_ * n_)) {
    golden::gemm_quantized(t, gguf, aq, golden::Shape{m, n, k}, want);
  }
  ActivationView acts() const {
    const QType act = traits(wt).act_type;
    return ActivationView{act, aq.data(), row_bytes(act, k), m, k};
  }
};

// Runs `run` over `slices` into a poisoned dst whose rows are padded by `pad` columns;
// returns the M x N result and checks that the padding was not touched.
template <class Run>
std::vector<float> run_slices(const Problem& p, Run&& run, const std::vector<Slice>& slices,
                              int64_t pad = 3) {
  const int64_t ld = p.n + pad;
  std::vector<float> dst(static_cast<size_t>(p.m * ld), poison());
  const OutputView y{dst.data(), static_cast<size_t>(ld), p.m, p.n};
  for (const Slice& s : slices) run(p.packed, p.acts(), y, s);
  std::vector<float> out(static_cast<size_t>(p.m * p.n));
  for (int64_t r = 0; r < p.m; ++r) {
    std::memcpy(out.data() + r * p.n, dst.data() + r * ld, static_cast<size_t>(p.n) * sizeof(float));
    for (int64_t c = p.n; c < ld; ++c)
      EXPECT_EQ(f32_bits(dst[static_cast<size_t>(r * ld + c)]), f32_bits(poison()))
          << "row padding written at y[" << r << "][" << c << "]";
  }
  return out;
}

}  // namespace amxlab::amx::testing
