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

#include "kernels/core/bf16_arith.h"
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
// BF16 pairs into fp32 (TDPBF16PS, VDPBF16PS): the step rules are in
// kernels/core/bf16_arith.h; the order of the steps is the emulator's choice below.

using amxlab::add_daz_ftz;
using amxlab::bf16_bits_to_f32_bits;
using amxlab::fma_daz_ftz;
using amxlab::kDefaultNaNBits;
namespace bf16_detail = amxlab::bf16_detail;

// The order of the two pair products and the accumulation. Measured on silicon:
//  * VDPBF16PS (AVX512-BF16, AMD Zen 5): odd_then_even_fma, per lane and instruction;
//  * TDPBF16PS (AMX-BF16, Intel Xeon family 6 model 207, Emerald Rapids, 2026-11-28):
//    separate_sums per instruction - every one of 786 432 outputs of 3 072 probe
//    instructions (signed zeros, denormals, cancellations, wide exponent spreads) equal,
//    the two fma orders 7-97 % (results/intel-xeon-emerald-rapids-16core-vm/).
enum class Bf16Order : uint8_t {
  // acc = fma(a_odd, b_odd, acc); acc = fma(a_even, b_even, acc) - per pair, in K order.
  odd_then_even_fma,
  // acc = fma(a_even, b_even, acc); acc = fma(a_odd, b_odd, acc) - older SDM text.
  even_then_odd_fma,
  // current SDM text: even = 0, odd = 0; per pair in K order even = fma(a_e, b_e, even),
  // odd = fma(a_o, b_o, odd); at the end acc = acc + (even + odd). Each step DAZ/FTZ.
  separate_sums,
};
// The emulator's TDPBF16PS order (silicon above) and the order of the VDPBF16PS lane
// emulation checked against native VDPBF16PS (validate_vnni.cpp).
inline constexpr Bf16Order kDefaultBf16Order = Bf16Order::separate_sums;
inline constexpr Bf16Order kVdpbf16psOrder = Bf16Order::odd_then_even_fma;

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
