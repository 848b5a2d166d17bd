// The fused multiply-add step of the plain float kernels (F32, F16 weights) on fp32 bit
// patterns, with the NaN rules written down: IEEE 754 leaves open which NaN a step with
// several NaN operands returns, and x86 FMA takes it from the instruction's operand slots,
// which the compiler chooses (132 / 213 / 231 forms; gcc also swaps the factors of a
// library fma call), so without a rule two builds of one kernel could differ in NaN bits.
// The rule is the one the BF16 units follow (bf16_arith.h, measured on VDPBF16PS):
//  * a NaN operand: the result is the first NaN of (a, b, c) - the factors before the
//    addend - quieted (bit 22 set), payload and sign kept;
//  * an invalid step without NaN operands (Inf x 0, Inf - Inf): the x86 default NaN
//    0xFFC00000;
//  * otherwise std::fma: one rounding (RNE), no DAZ / FTZ.
// The vector kernels run the hardware FMA and let the portable step recompute their NaN
// outputs (kernels/plain/plain_kernels.cpp): a step with a NaN operand or an invalid one
// returns NaN, and every later step of the chain then does too, so an output that is not
// NaN never met a step where the rules could differ.
//
// Not to be included in translation units compiled with ISA flags (one baseline
// definition of these inline functions).
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "kernels/core/fp16.h"

namespace amxlab {

inline constexpr uint32_t kDefaultNaNBits = 0xffc00000u;

inline bool is_nan_bits(uint32_t u) {
  return (u & 0x7fffffffu) > 0x7f800000u;
}

// The NaN rule of a step: true and *out = the first NaN operand quieted when there is one.
inline bool first_nan_operand(uint32_t a_bits, uint32_t b_bits, uint32_t c_bits, uint32_t* out) {
  for (uint32_t v : {a_bits, b_bits, c_bits}) {
    if (is_nan_bits(v)) {
      *out = v | 0x00400000u;
      return true;
    }
  }
  return false;
}

// r = a*b + c, rounded once (RNE), the NaN rules above.
inline uint32_t fma_step(uint32_t a_bits, uint32_t b_bits, uint32_t c_bits) {
  uint32_t nan = 0;
  if (first_nan_operand(a_bits, b_bits, c_bits, &nan)) return nan;
  const uint32_t r = f32_bits(std::fma(f32_from_bits(a_bits), f32_from_bits(b_bits), f32_from_bits(c_bits)));
  return is_nan_bits(r) ? kDefaultNaNBits : r;
}

}  // namespace amxlab
