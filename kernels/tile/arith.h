// The per-element arithmetic of the tile dot-product instructions, written once and
// shared by the tile emulator (TDPB*D, TDPBF16PS) and by the scalar emulations of
// VPDPBUSD / VDPBF16PS that are checked against native silicon (validate_vnni.cpp).
// Validating those scalar emulations on a CPU that has AVX512-VNNI / AVX512-BF16
// therefore validates the very code the tile emulator runs.
//
// Not to be included in translation units compiled with ISA flags (-mavx512*):
// these inline functions must have one (baseline x86-64) definition.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/fp16.h"

namespace amxlab::tile {

// ---------------------------------------------------------------------------------
// int8: one dword lane of TDPBSSD/TDPBSUD/TDPBUSD/TDPBUUD and of VPDPBUSD.
//   acc += a[0]*b[0] + a[1]*b[1] + a[2]*b[2] + a[3]*b[3]
// each byte sign- or zero-extended as the instruction says; the four products and
// their sum fit in int32 exactly (|sum| <= 4*255*255); the addition to the
// accumulator wraps modulo 2^32 (no saturation). Computed in uint32: no UB.
template <bool ASigned>
inline int32_t widen_byte(uint8_t v) {
  if constexpr (ASigned) {
    return static_cast<int32_t>(static_cast<int8_t>(v));
  } else {
    return static_cast<int32_t>(v);
  }
}

template <bool ASigned, bool BSigned>
inline uint32_t dot4_accumulate(uint32_t acc, const uint8_t* a, const uint8_t* b) {
  int32_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += widen_byte<ASigned>(a[i]) * widen_byte<BSigned>(b[i]);
  return acc + static_cast<uint32_t>(sum);
}

// ---------------------------------------------------------------------------------
// BF16 pairs into fp32 (TDPBF16PS, VDPBF16PS).
//
// Rules (SDM: "input denormals are treated as zero, output denormals flushed to zero,
// round to nearest even, MXCSR not consulted"), made precise by measurement of
// native VDPBF16PS on AMD Zen 5 (see validate_vnni.cpp, kernels/tile/README.md):
//  * Each step is ONE fused operation r = a*b + c, rounded once (RNE). The product of
//    two bf16 values is exact in fp32 arithmetic terms (8-bit significands), so the
//    fused step equals std::fma on the fp32 images of the operands.
//  * DAZ: every input of every step (the two bf16 factors AND the fp32 accumulator)
//    that is denormal is replaced by a zero of the same sign.
//  * FTZ: a result that is tiny is replaced by a zero of the sign of the result.
//    Tininess is detected AFTER rounding (x86 convention): the exact result rounded
//    to 24 significant bits with unbounded exponent is below 2^-126 in magnitude.
//    Measured: acc=2^-126, product=-2^-150 gives +0 (exact 2^-126-2^-150 is
//    representable with 24 bits below 2^-126 -> tiny), while product=-2^-152 gives
//    2^-126 (rounds up to 2^-126 -> not tiny). A denormal-rounding fma followed by
//    "flush if denormal" would get the first case wrong; fma_daz_ftz handles it.
//  * NaN: if any operand is NaN the result is the first NaN operand in the order
//    (a, b, c) - the two factors before the addend - quieted (bit 22 set), payload
//    and sign kept. An invalid operation without NaN operands (Inf*0, Inf-Inf) gives
//    the x86 default NaN 0xFFC00000. (Measured on VDPBF16PS.)
//  * Overflow rounds to +-Inf (RNE).
// The arithmetic runs on the host FPU with std::fma, so it needs the default MXCSR
// rounding mode with DAZ/FTZ off - the project-wide rule (DESIGN.md); the emulator
// checks it before each TDPBF16PS.

inline constexpr uint32_t kDefaultNaNBits = 0xffc00000u;

// The order of the two pair products and the accumulation. PROVISIONAL: only an AMX
// machine can decide TDPBF16PS's order; the native cross-check (selftest.cpp) reports
// which variant matched. VDPBF16PS on this Zen 5 matches odd_then_even_fma.
enum class Bf16Order {
  // acc = fma(a_odd, b_odd, acc); acc = fma(a_even, b_even, acc) - per pair, in K order.
  odd_then_even_fma,
  // acc = fma(a_even, b_even, acc); acc = fma(a_odd, b_odd, acc) - older SDM text.
  even_then_odd_fma,
  // current SDM text: even = 0, odd = 0; per pair in K order even = fma(a_e, b_e, even),
  // odd = fma(a_o, b_o, odd); at the end acc = acc + (even + odd). Each step DAZ/FTZ.
  separate_sums,
};
inline constexpr Bf16Order kDefaultBf16Order = Bf16Order::odd_then_even_fma;  // PROVISIONAL

inline const char* bf16_order_name(Bf16Order o) {
  switch (o) {
    case Bf16Order::odd_then_even_fma: return "odd_then_even_fma";
    case Bf16Order::even_then_odd_fma: return "even_then_odd_fma";
    case Bf16Order::separate_sums: return "separate_sums";
  }
  return "?";
}
inline constexpr Bf16Order kAllBf16Orders[3] = {Bf16Order::odd_then_even_fma, Bf16Order::even_then_odd_fma,
                                                Bf16Order::separate_sums};

namespace bf16_detail {

inline bool is_nan_bits(uint32_t u) {
  return (u & 0x7fffffffu) > 0x7f800000u;
}

// Denormal -> zero of the same sign.
inline uint32_t daz_bits(uint32_t u) {
  if ((u & 0x7f800000u) == 0) return u & 0x80000000u;
  return u;
}

}  // namespace bf16_detail

// One fused step r = a*b + c on fp32 bit patterns with DAZ on all inputs, FTZ on the
// output (tininess after rounding), RNE, the NaN rules above.
inline uint32_t fma_daz_ftz(uint32_t a_bits, uint32_t b_bits, uint32_t c_bits) {
  using namespace bf16_detail;
  if (is_nan_bits(a_bits)) return a_bits | 0x00400000u;
  if (is_nan_bits(b_bits)) return b_bits | 0x00400000u;
  if (is_nan_bits(c_bits)) return c_bits | 0x00400000u;
  const float a = f32_from_bits(daz_bits(a_bits));
  const float b = f32_from_bits(daz_bits(b_bits));
  const float c = f32_from_bits(daz_bits(c_bits));
  const float r = std::fma(a, b, c);
  const uint32_t rb = f32_bits(r);
  if (is_nan_bits(rb)) return kDefaultNaNBits;  // Inf*0 or Inf-Inf
  const uint32_t mag = rb & 0x7fffffffu;
  if (mag < 0x00800000u) return rb & 0x80000000u;  // denormal (or zero): tiny, flush
  if (mag == 0x00800000u) {
    // |r| == 2^-126 after rounding to the denormal grid; the exact result may still be
    // tiny after rounding to 24 bits with unbounded exponent. Recompute scaled by 2^64
    // (exact: a tiny non-zero result implies |c|, |a*b| < 2^-99 and all factors are
    // normal or zero, so the scaled operands neither overflow nor underflow).
    const float rs = std::fma(a * 0x1p32f, b * 0x1p32f, c * 0x1p64f);
    if (std::fabs(rs) < 0x1p-62f) return rb & 0x80000000u;
  }
  return rb;
}

// r = x + y with the same rules (NaN precedence x before y).
inline uint32_t add_daz_ftz(uint32_t x_bits, uint32_t y_bits) {
  return fma_daz_ftz(x_bits, 0x3f800000u /* 1.0f */, y_bits);
}

inline uint32_t bf16_bits_to_f32_bits(uint16_t h) {
  return static_cast<uint32_t>(h) << 16;
}

// acc (fp32 bits) accumulated with `pairs` bf16 pairs: a[2p] (even) and a[2p+1] (odd)
// times b[2p], b[2p+1], p = 0..pairs-1 in that order, in the given order variant.
// This is one output element of TDPBF16PS (pairs = K) and one lane of VDPBF16PS
// (pairs = 1).
inline uint32_t bf16_dot_pairs(uint32_t acc, const uint16_t* a, const uint16_t* b, int pairs,
                               Bf16Order order) {
  switch (order) {
    case Bf16Order::odd_then_even_fma:
      for (int p = 0; p < pairs; ++p) {
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p + 1]), bf16_bits_to_f32_bits(b[2 * p + 1]), acc);
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p]), bf16_bits_to_f32_bits(b[2 * p]), acc);
      }
      return acc;
    case Bf16Order::even_then_odd_fma:
      for (int p = 0; p < pairs; ++p) {
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p]), bf16_bits_to_f32_bits(b[2 * p]), acc);
        acc = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p + 1]), bf16_bits_to_f32_bits(b[2 * p + 1]), acc);
      }
      return acc;
    case Bf16Order::separate_sums: {
      uint32_t even = 0, odd = 0;  // +0.0f
      for (int p = 0; p < pairs; ++p) {
        even = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p]), bf16_bits_to_f32_bits(b[2 * p]), even);
        odd = fma_daz_ftz(bf16_bits_to_f32_bits(a[2 * p + 1]), bf16_bits_to_f32_bits(b[2 * p + 1]), odd);
      }
      return add_daz_ftz(acc, add_daz_ftz(even, odd));
    }
  }
  return acc;
}

}  // namespace amxlab::tile
