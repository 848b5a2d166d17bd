#include "kernels/tile/validate_vnni.h"

#include <cstdio>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/validate_vnni_native.h"

namespace amxlab::tile {

void emulate_vpdpbusd_zmm(const uint32_t acc[16], const uint8_t a[64], const uint8_t b[64],
                          uint32_t out[16]) {
  for (int j = 0; j < 16; ++j) out[j] = dot4_accumulate<false, true>(acc[j], a + 4 * j, b + 4 * j);
}

void emulate_vdpbf16ps_zmm(const uint32_t acc[16], const uint16_t a[32], const uint16_t b[32],
                           uint32_t out[16], Bf16Order order) {
  for (int j = 0; j < 16; ++j) out[j] = bf16_dot_pairs(acc[j], a + 2 * j, b + 2 * j, 1, order);
}

namespace {

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}
std::string hex16(uint16_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(v));
  return buf;
}
std::string hex8(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(v));
  return buf;
}

uint64_t whole_vectors(uint64_t lanes, uint64_t directed) {
  const uint64_t n = lanes > directed ? lanes : directed;
  return (n + 15) / 16;
}

// ----------------------------------------------------------------------------- int8
struct Int8Lane {
  uint32_t acc;
  uint8_t a[4];
  uint8_t b[4];
};

std::vector<Int8Lane> directed_int8() {
  std::vector<Int8Lane> v;
  const uint32_t accs[] = {0u,          1u,          0xffffffffu, 0x7fffffffu,
                           0x80000000u, 0x7ffe0000u, 0x80010000u, 0x12345678u};
  const uint8_t as[][4] = {{255, 255, 255, 255}, {0, 0, 0, 0},         {1, 2, 3, 4},
                           {128, 128, 128, 128}, {127, 127, 127, 127}, {255, 0, 255, 0}};
  const uint8_t bs[][4] = {{0x80, 0x80, 0x80, 0x80}, {0x7f, 0x7f, 0x7f, 0x7f}, {0xff, 0xff, 0xff, 0xff},
                           {0x80, 0x7f, 0x80, 0x7f}, {1, 0xfe, 3, 0xfc},       {0, 0, 0, 0}};
  for (uint32_t acc : accs)
    for (const auto& a : as)
      for (const auto& b : bs) {
        Int8Lane l{acc, {}, {}};
        std::memcpy(l.a, a, 4);
        std::memcpy(l.b, b, 4);
        v.push_back(l);
      }
  return v;
}

Int8Lane random_int8(std::mt19937_64& rng) {
  Int8Lane l{};
  const uint64_t kind = rng() % 4;
  const uint8_t extreme_a[] = {0, 1, 127, 128, 255};
  const uint8_t extreme_b[] = {0x80, 0x7f, 0x00, 0xff, 0x01};
  const uint32_t extreme_acc[] = {0x80000000u, 0x7fffffffu, 0u, 0xffffffffu};
  for (int i = 0; i < 4; ++i) {
    if (kind == 0) {
      l.a[i] = static_cast<uint8_t>(rng());
      l.b[i] = static_cast<uint8_t>(rng());
    } else {
      l.a[i] = extreme_a[rng() % 5];
      l.b[i] = extreme_b[rng() % 5];
    }
  }
  if (kind <= 1) {
    l.acc = static_cast<uint32_t>(rng());
  } else {
    // Near the int32 limits, so that the four products wrap the accumulator.
    const uint32_t base = extreme_acc[rng() % 4];
    l.acc = base + static_cast<uint32_t>(static_cast<int32_t>(rng() % 262145) - 131072);
  }
  return l;
}

// ----------------------------------------------------------------------------- bf16
struct Bf16Lane {
  uint32_t acc;
  uint16_t a[2];  // even, odd
  uint16_t b[2];
};

uint16_t bf(float f) {
  return static_cast<uint16_t>(f32_bits(f) >> 16);
}  // exact values only

std::vector<Bf16Lane> directed_bf16() {
  std::vector<Bf16Lane> v;
  auto add = [&v](uint32_t acc, uint16_t ae, uint16_t ao, uint16_t be, uint16_t bo) {
    v.push_back(Bf16Lane{acc, {ae, ao}, {be, bo}});
  };
  const uint16_t one = bf(1.0f), zero = 0, mone = bf(-1.0f);
  // FTZ boundary, tininess after rounding: acc = 2^-126 plus an odd product of -2^-150
  // (exact result representable below 2^-126: tiny -> +0) or -2^-152 (rounds to 2^-126).
  add(f32_bits(0x1p-126f), zero, bf(0x1p-75f), zero, bf(-0x1p-75f));
  add(f32_bits(0x1p-126f), zero, bf(0x1p-76f), zero, bf(-0x1p-76f));
  add(f32_bits(-0x1p-126f), zero, bf(0x1p-75f), zero, bf(0x1p-75f));
  add(f32_bits(0x1p-126f), bf(0x1p-75f), zero, bf(-0x1p-75f), zero);
  // Result exactly tiny: 2^-126 - 2^-127 = 2^-127 -> +0.
  add(f32_bits(0x1p-126f), zero, bf(0x1p-63f), zero, bf(-0x1p-64f));
  // Denormal accumulator (DAZ on the fp32 input too): 2^-127 + 2^-125.
  add(0x00400000u, zero, bf(0x1p-62f), zero, bf(0x1p-63f));
  add(0x00000001u, zero, zero, zero, zero);
  add(0x80000001u, zero, zero, zero, zero);
  // Denormal bf16 factors.
  add(0u, zero, 0x0001, zero, bf(0x1p100f));
  add(f32_bits(1.0f), 0x807f, bf(0x1p120f), 0x0040, bf(0x1p-100f));
  // Signed zeros.
  add(0x80000000u, zero, zero, zero, zero);
  add(0x80000000u, 0x8000, 0x8000, zero, zero);
  add(0x80000000u, 0x8000, zero, zero, zero);
  add(0u, mone, one, one, one);
  // Cancellation and order sensitivity.
  add(f32_bits(1.0f), bf(0x1p-30f), one, one, mone);
  add(f32_bits(1.0f), bf(0x1p-12f), bf(0x1p-12f), bf(0x1p-12f), bf(0x1p-12f));
  add(f32_bits(-1.0f), bf(0x1p-24f), one, one, one);
  // Infinities and invalid operations.
  add(f32_bits(1.0f), one, 0x7f80, one, zero);
  add(f32_bits(1.0f), 0xff80, 0x7f80, one, one);
  add(0x7f800000u, one, 0xff80, one, one);
  add(0xff800000u, one, one, one, one);
  // Overflow.
  add(f32_bits(0x1p127f), zero, bf(0x1p127f), zero, bf(2.0f));
  add(0x7f7fffffu, bf(0x1p100f), bf(0x1p100f), bf(0x1p27f), bf(0x1p27f));
  // NaN precedence and quieting.
  add(0x7fc12345u, one, one, one, one);
  add(0x7f812345u, one, one, one, one);
  add(0xff812345u, one, 0x7fc1, one, one);
  add(f32_bits(1.0f), one, 0xffc1, one, one);
  add(f32_bits(1.0f), one, 0x7f81, one, 0x7fc3);
  add(f32_bits(1.0f), one, one, one, 0x7f83);
  add(f32_bits(1.0f), 0x7fc1, 0x7fc5, one, one);
  add(f32_bits(1.0f), 0x7fc1, one, 0x7f85, one);
  add(0x7fc12345u, 0x7f81, one, one, one);
  add(0x7fc12345u, one, 0x7f80, one, zero);
  return v;
}

uint16_t random_bf16_normal(std::mt19937_64& rng, int exp_lo, int exp_hi) {
  const int e = exp_lo + static_cast<int>(rng() % static_cast<uint64_t>(exp_hi - exp_lo + 1));
  const uint32_t biased = static_cast<uint32_t>(e + 127);
  const uint32_t sign = static_cast<uint32_t>(rng() & 1u) << 15;
  return static_cast<uint16_t>(sign | (biased << 7) | static_cast<uint32_t>(rng() & 0x7fu));
}
uint32_t random_f32_normal(std::mt19937_64& rng, int exp_lo, int exp_hi) {
  const int e = exp_lo + static_cast<int>(rng() % static_cast<uint64_t>(exp_hi - exp_lo + 1));
  const uint32_t biased = static_cast<uint32_t>(e + 127);
  const uint32_t sign = static_cast<uint32_t>(rng() & 1u) << 31;
  return sign | (biased << 23) | static_cast<uint32_t>(rng() & 0x7fffffu);
}
uint16_t random_bf16_special(std::mt19937_64& rng) {
  const uint16_t sign = static_cast<uint16_t>((rng() & 1u) << 15);
  switch (rng() % 5) {
    case 0: return static_cast<uint16_t>(sign | (1u + rng() % 127u));            // denormal
    case 1: return sign;                                                         // zero
    case 2: return static_cast<uint16_t>(sign | 0x7f80u);                        // Inf
    case 3: return static_cast<uint16_t>(sign | 0x7fc0u | (rng() & 0x3fu));      // qNaN
    default: return static_cast<uint16_t>(sign | 0x7f80u | (1u + rng() % 63u));  // sNaN
  }
}
uint32_t random_f32_special(std::mt19937_64& rng) {
  const uint32_t sign = static_cast<uint32_t>(rng() & 1u) << 31;
  switch (rng() % 5) {
    case 0: return sign | static_cast<uint32_t>(1u + rng() % 0x7fffffu);
    case 1: return sign;
    case 2: return sign | 0x7f800000u;
    case 3: return sign | 0x7fc00000u | static_cast<uint32_t>(rng() & 0x3fffffu);
    default: return sign | 0x7f800000u | static_cast<uint32_t>(1u + rng() % 0x3fffffu);
  }
}

Bf16Lane random_bf16(std::mt19937_64& rng) {
  Bf16Lane l{};
  const uint64_t kind = rng() % 8;
  switch (kind) {
    case 0:  // uniformly random bits
      l.acc = static_cast<uint32_t>(rng());
      for (int i = 0; i < 2; ++i) {
        l.a[i] = static_cast<uint16_t>(rng());
        l.b[i] = static_cast<uint16_t>(rng());
      }
      break;
    case 1:  // moderate values
      l.acc = random_f32_normal(rng, -20, 20);
      for (int i = 0; i < 2; ++i) {
        l.a[i] = random_bf16_normal(rng, -10, 10);
        l.b[i] = random_bf16_normal(rng, -10, 10);
      }
      break;
    case 2:
    case 3: {  // cancellation: acc ~ -(a_odd*b_odd), the even product near its rounding error
      l.a[1] = random_bf16_normal(rng, -20, 20);
      l.b[1] = random_bf16_normal(rng, -20, 20);
      const double p = static_cast<double>(bf16_to_f32(l.a[1])) * static_cast<double>(bf16_to_f32(l.b[1]));
      uint32_t acc = f32_bits(static_cast<float>(-p));
      acc += static_cast<uint32_t>(static_cast<int32_t>(rng() % 9) - 4);  // a few ulps off
      l.acc = acc;
      int ep = 0;
      std::frexp(p, &ep);
      const int shift = static_cast<int>(rng() % 40);  // even product 2^-(0..40) relative
      l.a[0] = random_bf16_normal(rng, (ep - shift) / 2 - 2, (ep - shift) / 2 + 2);
      l.b[0] = random_bf16_normal(rng, (ep - shift) / 2 - 2, (ep - shift) / 2 + 2);
      if (kind == 3) {  // swap roles: acc cancels the even product instead
        std::swap(l.a[0], l.a[1]);
        std::swap(l.b[0], l.b[1]);
      }
      break;
    }
    case 4:  // near underflow: products and accumulator around 2^-126
      l.acc = (rng() % 4 == 0) ? random_f32_special(rng) : random_f32_normal(rng, -127, -120);
      for (int i = 0; i < 2; ++i) {
        l.a[i] = random_bf16_normal(rng, -66, -60);
        l.b[i] = random_bf16_normal(rng, -66, -60);
      }
      if ((l.acc & 0x7f800000u) == 0 && (l.acc & 0x7fffffu) != 0 && rng() % 2) l.acc |= 0x00800000u;
      break;
    case 5:  // near overflow
      l.acc = random_f32_normal(rng, 124, 127);
      for (int i = 0; i < 2; ++i) {
        l.a[i] = random_bf16_normal(rng, 60, 66);
        l.b[i] = random_bf16_normal(rng, 60, 66);
      }
      break;
    default:  // moderate values with some operands replaced by special values
      l.acc = rng() % 3 == 0 ? random_f32_special(rng) : random_f32_normal(rng, -20, 20);
      for (int i = 0; i < 2; ++i) {
        l.a[i] = rng() % 3 == 0 ? random_bf16_special(rng) : random_bf16_normal(rng, -10, 10);
        l.b[i] = rng() % 3 == 0 ? random_bf16_special(rng) : random_bf16_normal(rng, -10, 10);
      }
      break;
  }
  return l;
}

}  // namespace

VnniValidation validate_vpdpbusd(uint64_t lanes, uint64_t seed) {
  VnniValidation r;
  if (!cpu_features().avx512vnni) {
    r.skip_reason = "CPU lacks AVX512-VNNI (VPDPBUSD zmm)";
    return r;
  }
  const std::vector<Int8Lane> directed = directed_int8();
  const uint64_t vectors = whole_vectors(lanes, directed.size());
  std::mt19937_64 rng(seed);
  constexpr uint64_t kChunk = 4096;  // vectors per batch
  std::vector<uint32_t> acc(16 * kChunk), nat(16 * kChunk);
  std::vector<uint8_t> a(64 * kChunk), b(64 * kChunk);
  uint64_t lane_index = 0;
  for (uint64_t v0 = 0; v0 < vectors; v0 += kChunk) {
    const uint64_t nv = vectors - v0 < kChunk ? vectors - v0 : kChunk;
    for (uint64_t j = 0; j < 16 * nv; ++j) {
      const uint64_t g = lane_index + j;
      const Int8Lane l = g < directed.size() ? directed[g] : random_int8(rng);
      acc[j] = l.acc;
      std::memcpy(&a[4 * j], l.a, 4);
      std::memcpy(&b[4 * j], l.b, 4);
    }
    native_vnni::vpdpbusd_zmm(nv, acc.data(), a.data(), b.data(), nat.data());
    for (uint64_t v = 0; v < nv; ++v) {
      uint32_t emu[16];
      emulate_vpdpbusd_zmm(&acc[16 * v], &a[64 * v], &b[64 * v], emu);
      for (int j = 0; j < 16; ++j) {
        const uint64_t k = 16 * v + j;
        if (emu[j] == nat[k]) continue;
        if (r.mismatches++ == 0) {
          std::string s = "lane " + std::to_string(lane_index + k) + ": acc " + hex32(acc[k]) + ", a u8 ";
          for (int i = 0; i < 4; ++i) s += hex8(a[4 * k + i]);
          s += ", b s8 ";
          for (int i = 0; i < 4; ++i) s += hex8(b[4 * k + i]);
          s += ": native " + hex32(nat[k]) + ", emulated " + hex32(emu[j]);
          r.first_mismatch = s;
        }
      }
    }
    lane_index += 16 * nv;
  }
  r.ran = true;
  r.lanes = lane_index;
  return r;
}

Bf16Validation validate_vdpbf16ps(uint64_t lanes, uint64_t seed) {
  Bf16Validation r;
  if (!cpu_features().avx512bf16) {
    r.skip_reason = "CPU lacks AVX512-BF16 (VDPBF16PS zmm)";
    return r;
  }
  const std::vector<Bf16Lane> directed = directed_bf16();
  const uint64_t vectors = whole_vectors(lanes, directed.size());
  std::mt19937_64 rng(seed);
  constexpr uint64_t kChunk = 4096;
  std::vector<uint32_t> acc(16 * kChunk), nat(16 * kChunk);
  std::vector<uint16_t> a(32 * kChunk), b(32 * kChunk);
  uint64_t lane_index = 0;
  for (uint64_t v0 = 0; v0 < vectors; v0 += kChunk) {
    const uint64_t nv = vectors - v0 < kChunk ? vectors - v0 : kChunk;
    for (uint64_t j = 0; j < 16 * nv; ++j) {
      const uint64_t g = lane_index + j;
      const Bf16Lane l = g < directed.size() ? directed[g] : random_bf16(rng);
      acc[j] = l.acc;
      a[2 * j] = l.a[0];
      a[2 * j + 1] = l.a[1];
      b[2 * j] = l.b[0];
      b[2 * j + 1] = l.b[1];
    }
    native_vnni::vdpbf16ps_zmm(nv, acc.data(), a.data(), b.data(), nat.data());
    for (uint64_t v = 0; v < nv; ++v) {
      for (int j = 0; j < 16; ++j)
        if (is_nan_bits(nat[16 * v + j])) ++r.nan_lanes;
      for (int o = 0; o < 3; ++o) {
        uint32_t emu[16];
        emulate_vdpbf16ps_zmm(&acc[16 * v], &a[32 * v], &b[32 * v], emu, kAllBf16Orders[o]);
        for (int j = 0; j < 16; ++j) {
          const uint64_t k = 16 * v + j;
          if (emu[j] == nat[k]) continue;
          if (r.mismatches[o]++ == 0) {
            r.first_mismatch[o] = "lane " + std::to_string(lane_index + k) + ": acc " + hex32(acc[k]) +
                                  ", a (even " + hex16(a[2 * k]) + ", odd " + hex16(a[2 * k + 1]) +
                                  "), b (even " + hex16(b[2 * k]) + ", odd " + hex16(b[2 * k + 1]) +
                                  "): native " + hex32(nat[k]) + ", emulated " + hex32(emu[j]);
          }
        }
      }
    }
    lane_index += 16 * nv;
  }
  r.ran = true;
  r.lanes = lane_index;
  return r;
}

}  // namespace amxlab::tile
