// The arithmetic of one BF16 dot-product step (VDPBF16PS lane, TDPBF16PS element) on
// fp32 bit patterns: the rules the AVX512-BF16 and AMX-BF16 units follow, measured on
// silicon (kernels/tile/validate_vnni.cpp checks them against native VDPBF16PS). Shared by
// the tile emulator (kernels/tile/arith.h), the portable BF16 kernel and the golden model
// of the BF16 kernels' operation order (reference/golden/kernel_models.h).
//
// Not to be included in translation units compiled with ISA flags (-mavx512*):
// these inline functions must have one (baseline x86-64) definition.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/core/fma_step.h"
#include "kernels/core/fp16.h"

namespace amxlab {

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
//    the x86 default NaN 0xFFC00000. (Measured on VDPBF16PS; fma_step.h gives the plain
//    float kernels the same rule.)
//  * Overflow rounds to +-Inf (RNE).
// The arithmetic runs on the host FPU with std::fma, so it needs the default MXCSR
// rounding mode with DAZ/FTZ off - the project-wide rule (DESIGN.md); the emulator
// checks it before each TDPBF16PS.

namespace bf16_detail {

// Denormal -> zero of the same sign.
inline uint32_t daz_bits(uint32_t u) {
  if ((u & 0x7f800000u) == 0) return u & 0x80000000u;
  return u;
}

}  // namespace bf16_detail

// One fused step r = a*b + c on fp32 bit patterns with DAZ on all inputs, FTZ on the
// output (tininess after rounding), RNE, the NaN rules above.
inline uint32_t fma_daz_ftz(uint32_t a_bits, uint32_t b_bits, uint32_t c_bits) {
  using bf16_detail::daz_bits;
  uint32_t nan = 0;
  if (first_nan_operand(a_bits, b_bits, c_bits, &nan)) return nan;
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

}  // namespace amxlab
