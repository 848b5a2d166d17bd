// Packing K-quant super-blocks (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS) into
// Layout::kq_nib_vnni16, the codes kept in a 4-bit plane (plus, for Q5_K / Q6_K, a plane
// of the high bits; Q3_K's 3-bit codes fit the nibbles whole) or, for Q2_K, a 2-bit
// plane, for the GEMV, which streams the weights once and is bound by the bytes it reads:
// per 256 weights Q4_K 148 (GGUF 144), IQ4_XS 140 (136), Q5_K 180 (176), Q6_K 212 (210),
// Q3_K 148 (110), Q2_K 100 (84), against 308 in kq_i8_vnni16 (kernels/README.md
// "K-quants" has the measurement).
//
// Strips of 16 rows as kq_i8_vnni16 (padding rows all zero); K/256 records per strip,
// each in the order the GEMV reads it (kquant_records.h: NibRecord says why and gives the
// offsets): a header padded to 64 bytes, then the code rows, a high row before every 4
// (Q5_K) or 2 (Q6_K) code rows. Record of strip s, super-block b, lane j (row 16s + j),
// with u(e) = code(e) + bias (Q6_K: 32, Q3_K: 4) or, for IQ4_XS, the code-book index of
// element e:
//
//   header   scales         int8 at 16*sub + j (n_sub = 8 or 16); Q2_K and Q3_K in pairs
//                           for one VPDPWSSD per two sub-blocks (NibRecord::scale_at)
//            coefs (Q2_K, Q4_K, Q5_K) int8 at 16*n_sub + 32*p + 2*j + h: the min of sub-block
//                           2p + h, pair-interleaved so that one VPMOVSXBW makes the int16
//                           pairs of VPDPWSSD
//            d              fp16 bits at d_offset + 2*j
//            dmin (Q2_K, Q4_K, Q5_K) fp16 bits at d_offset + 32 + 2*j
//   rows     code row kk    at code_row(kk), byte 4*j + i (i 0..3). Nibbles (kk 0..31):
//                           low nibble = u(4kk+i) & 15, high nibble = u(128+4kk+i) & 15.
//                           Crumbs (Q2_K, kk 0..15): bits 2c..2c+1 = u(64c+4kk+i), c 0..3.
//            high row       at high_row(kk), byte 4*j + i: the bits of u above its code
//                           bits, field by field (NibRecord::high_shift). Q5_K (rows
//                           4g..4g+3): bit 2*(kk%4) = bit 4 of u(4kk+i), bit 2*(kk%4)+1 =
//                           bit 4 of u(128+4kk+i). Q6_K (rows 2g, 2g+1): bits 4*(kk%2)..+1
//                           = bits 4..5 of u(4kk+i), bits 4*(kk%2)+2..+3 = of
//                           u(128+4kk+i). One shift, one AND, one OR per field rebuild u.
//
// Bytes per 256 weights: Q4_K 148, IQ4_XS 140, Q5_K 180, Q6_K 212, Q3_K 148, Q2_K 100.
//
// The kernel sums as kq_i8_vnni16's (kquant_pack.h): Q2_K, Q4_K, Q5_K: Mn = T = sum_sub
// min * bsum(sub) with the Q8_K bsums of the sub-block (two added for L = 32); IQ4_XS
// (codes enter VPDPBUSD as value + 128 through one VPSHUFB of a biased book), Q6_K
// (u = code + 32) and Q3_K (u = code + 4) start each sub-block's chain at -bias * bsum(sub)
// and need no T
// (kernels/vnni/kq_bias_starts.h; until 2026-11-29 their records held the scales again as
// coefficients for a T, and a zero dmin: Q6_K took 228 bytes per 256 weights). The
// conversion is exact and invertible (unpack()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/kquant_records.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::kqn {

// True for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS.
bool packable(QType t);

// The type's record kind (the GEMV's KqArgs::nib_kind). Throws Error for another type.
kq_records::NibKind nib_kind(QType t);
// The same at compile time, for a type packable() accepts (IQ4_XS's for any other).
constexpr kq_records::NibKind nib_kind_of(QType t) {
  switch (t) {
    case QType::Q4_K: return kq_records::kNibQ4_K;
    case QType::Q5_K: return kq_records::kNibQ5_K;
    case QType::Q6_K: return kq_records::kNibQ6_K;
    case QType::Q2_K: return kq_records::kNibQ2_K;
    case QType::Q3_K: return kq_records::kNibQ3_K;
    default: return kq_records::kNibIQ4_XS;
  }
}

// Where the regions of a record are (see above; kquant_records.h computes them):
// nib_record_of(nib_kind(t)). Throws Error for another type.
using RecordInfo = kq_records::NibRecord;
RecordInfo record_info(QType t);

// ceil(N/16) * K/256 * record bytes; throws Error for another type or a bad shape.
size_t packed_bytes(QType t, int64_t n, int64_t k);

// A PackFn (kernels/gemm_kernel.h); strips spread over `parallel`.
PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel = serial_for());

// The exact inverse of pack(). Throws Error for another layout.
std::vector<std::byte> unpack(const PackedWeights& w);

}  // namespace amxlab::kqn
