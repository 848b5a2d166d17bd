// Packing Q4_K and IQ4_XS super-blocks into Layout::kq4_nib_vnni16: the codes stay 4-bit,
// for the GEMV, which streams the weights once and is bound by how many bytes it reads
// (148 bytes per 256 weights here, against GGUF's 144 for Q4_K and 136 for IQ4_XS, and
// 308 in kq_i8_vnni16; kernels/README.md "K-quants" has the measurement).
//
// Strips of 16 rows as kq_i8_vnni16 (padding rows all zero); K/256 records of
// kRecordBytes = 2368 bytes (37 cache lines) per strip. Record of strip s, super-block b,
// lane j (row 16s + j):
//
//   [0, 2048)     nibbles  byte 64*kk + 4*j + i (kk 0..31, i 0..3): low nibble = n(4kk + i),
//                          high nibble = n(128 + 4kk + i). n = the Q4_K code (0..15) or the
//                          IQ4_XS code-book index. Row kk holds sub-blocks kk/8 (low) and
//                          4 + kk/8 (high): one AND, or one shift and AND, makes the VNNI
//                          operand of 4 K for 16 lanes.
//   [2048, 2176)  scales   int8 at 16*sub + j (8 sub-blocks of 32)
//   [2176, 2304)  coefs    int8 at 32*p + 2*j + h (p 0..3, h 0..1): c of sub-block 2p + h,
//                          pair-interleaved so that one VPMOVSXBW makes the int16 pairs of
//                          VPDPWSSD; Q4_K: the min; IQ4_XS: the scale
//   [2304, 2336)  d        fp16 bits at 2*j;  [2336, 2368) dmin fp16 bits (Q4_K)
//
// The kernel sums as kq_i8_vnni16's (kquant_pack.h) with the bsums of whole 32-element
// sub-blocks: T = sum_sub c * bsum32(sub); Q4_K: Mn = T; IQ4_XS: its codes enter VPDPBUSD
// as code-book value + 128 (one VPSHUFB of a biased table), so S = sum sc * dot_u - 128 T.
// The conversion is exact and invertible (unpack()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::kq4n {

inline constexpr size_t kNibbleBytes = 2048;
inline constexpr size_t kScaleOffset = 2048;
inline constexpr size_t kCoefOffset = 2176;
inline constexpr size_t kDOffset = 2304;
inline constexpr size_t kDminOffset = 2336;
inline constexpr size_t kRecordBytes = 2368;

// True for Q4_K and IQ4_XS.
bool packable(QType t);

// ceil(N/16) * K/256 * kRecordBytes; throws Error for another type or a bad shape.
size_t packed_bytes(QType t, int64_t n, int64_t k);

// A PackFn (kernels/gemm_kernel.h); strips spread over `parallel`.
PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel = serial_for());

// The exact inverse of pack(). Throws Error for another layout.
std::vector<std::byte> unpack(const PackedWeights& w);

}  // namespace amxlab::kq4n
