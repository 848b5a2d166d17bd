// Validation of the tile emulator's arithmetic on silicon that exists without AMX:
//  * int8: a scalar VPDPBUSD (zmm, non-saturating: each int32 lane += four u8 x s8
//    products, wrap-around) built on dot4_accumulate() - the very helper the emulated
//    TDPB*D use - compared bitwise with native _mm512_dpbusd_epi32;
//  * bf16: a scalar VDPBF16PS (zmm: each fp32 lane += the odd and the even bf16 pair
//    products) built on bf16_dot_pairs() - the very code of the emulated TDPBF16PS -
//    compared bitwise with native _mm512_dpbf16_ps, for every Bf16Order variant.
//
// Inputs: directed cases (255 x -128 everywhere, int32 accumulator wrap-around both
// ways, denormal bf16 / fp32 inputs, results at the FTZ boundary, Inf, NaN with
// payloads, signed zeros, overflow, exact cancellation, rounding ties) then random
// lanes from a deterministic generator (seed), a mix of uniformly random bits,
// moderate values, cancellation-heavy, near-underflow, near-overflow and
// special-value lanes.
//
// Comparison: all 32 bits of every lane, NaN included: the emulation implements the
// NaN rule measured on native VDPBF16PS (the first NaN among a, b, accumulator of each
// fused step, quieted, payload and sign kept; Inf*0 / Inf-Inf give 0xFFC00000), so
// a NaN lane must match bit for bit as well.
#pragma once

#include <cstdint>
#include <string>

#include "kernels/tile/arith.h"

namespace amxlab::tile {

// Scalar emulations of one zmm instruction (16 lanes).
// VPDPBUSD: out[j] = acc[j] + sum_i a[4j+i] (u8) * b[4j+i] (s8), mod 2^32.
void emulate_vpdpbusd_zmm(const uint32_t acc[16], const uint8_t a[64], const uint8_t b[64], uint32_t out[16]);
// VDPBF16PS: out[j] = acc[j] with the pair (a[2j], a[2j+1]) x (b[2j], b[2j+1]), fp32 bits.
void emulate_vdpbf16ps_zmm(const uint32_t acc[16], const uint16_t a[32], const uint16_t b[32],
                           uint32_t out[16], Bf16Order order);

struct VnniValidation {
  bool ran = false;
  std::string skip_reason;  // why it did not run (CPU lacks the instruction)
  uint64_t lanes = 0;
  uint64_t mismatches = 0;
  std::string first_mismatch;  // inputs and both outputs of the first failing lane
};

struct Bf16Validation {
  bool ran = false;
  std::string skip_reason;
  uint64_t lanes = 0;
  uint64_t nan_lanes = 0;       // lanes whose native result is NaN (compared bitwise too)
  uint64_t mismatches[3] = {};  // per Bf16Order, indexed as kAllBf16Orders
  std::string first_mismatch[3];
};

// Run on `lanes` lanes (rounded up to whole zmm vectors, directed cases included).
// Skipped (ran = false, skip_reason set) when cpu_features() lacks avx512vnni /
// avx512bf16.
VnniValidation validate_vpdpbusd(uint64_t lanes, uint64_t seed);
Bf16Validation validate_vdpbf16ps(uint64_t lanes, uint64_t seed);

}  // namespace amxlab::tile
