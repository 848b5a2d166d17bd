// Packing GGUF K-quant super-blocks (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS) into
// Layout::kq_i8_vnni16, the layout read by every K-quant GEMM: AVX-512 VNNI, AVX-VNNI,
// portable and AMX (its code rows are AMX B-tile rows). The AVX-512 GEMVs read
// kq_nib_vnni16 (kquant_nibble_pack.h).
//
// The N weight rows are cut into strips of 16 rows (one output column per zmm lane, and
// the 16 columns of an AMX B tile); the last strip is padded with zero codes, scales,
// coefficients and d. A strip holds its K/256 super-blocks one after the other, each a
// record of kRecordBytes = 4928 bytes (77 cache lines). Record of strip s, super-block b,
// lane j (row 16s + j), element e = 256b + 4kk + i:
//
//   [0, 4096)     codes   byte 64*kk + 4*j + i = u(e) = code(e) + bias   (u8, kk 0..63, i 0..3)
//   [4096, 4352)  scales  byte 16*sub + j      = scale of sub-block sub   (int8, 8 or 16 subs)
//   [4352, 4864)  coefs   int16 at 64*p + 4*j + 2*h (p 0..7, h 0..1) = c of sub-block
//                         2p + h (see below); 32-wide types fill p 0..3, the rest is 0
//   [4864, 4896)  d       fp16 bits at 2*j     (raw GGUF bits)
//   [4896, 4928)  dmin    fp16 bits at 2*j     (Q2_K, Q4_K, Q5_K; 0 otherwise)
//
// Codes are the unsigned VPDPBUSD / TDPBSUD operand: bias = 0 for Q2_K, Q4_K, Q5_K (codes
// 0..3, 0..15, 0..31), 4 for Q3_K (-4..3), 32 for Q6_K (-32..31), 128 for IQ4_XS (the
// code book, -127..113). Each sub-block's 32 (or 16) codes are 8 (or 4) consecutive
// 64-byte rows: one B tile of K = 32 (16), or 8 (4) VPDPBUSD per lane vector.
//
// Every type then has exactly one term that pairs a per-sub-block weight integer with
// the activation's stored bsums (sums of 16 codes): with the int32 dot products
// dot_u(sub) = sum u * a over the sub-block,
//   S  = sum_sub scale * dot_u(sub) + T      for the biased types, T = sum -bias*scale*bsum
//   Mn = T                                   for Q2_K, Q4_K, Q5_K,   T = sum min*bsum
// and T = sum over the sub-blocks of c(sub) * bsum(sub), bsum(sub) being the sum of the
// sub-block's Q8_K codes: a stored bsum for 16-wide sub-blocks, the sum of two for
// 32-wide ones (|bsum| <= 32 * 128: int16), which the kernels form per activation row
// and super-block. One VPDPWSSD per coefficient dword computes two terms of T: 8 per
// lane vector for 16-wide types, 4 for 32-wide ones (a coefficient per stored bsum would
// take 8 for every type; at M=512 the 4 saved are ~4 % of a Q4_K GEMM). Every c fits
// int16 (|-32 * scale| <= 4096 for Q6_K). S and Mn are exactly the golden model's int32 sums
// (golden_gemm.h) as long as the Q8_K bsums are the sums of its codes, which every
// Q8_K quantiser writes. (The VNNI kernels use the biased types' coefficients not at all:
// their chains start at -bias * bsum(sub), kernels/vnni/kq_bias_starts.h.)
//
// Memory: 308 bytes per 256 weights (Q4_K's GGUF 144, Q6_K 210, IQ4_XS 136): the codes
// are unpacked to bytes, which is what a GEMM wants and what the AMX tiles need; a GEMV
// would stream more than the GGUF roofline counts, so the GEMVs read kq_nib_vnni16
// (kernels/README.md "K-quants").
//
// The conversion is exact and invertible: unpack() returns the GGUF bytes bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/kquant_records.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::kq16 {

inline constexpr int kStripRows = 16;
inline constexpr int kSuperK = 256;
inline constexpr size_t kCodeBytes = kq_records::kI8CodeBytes;
inline constexpr size_t kScaleOffset = kq_records::kI8ScaleOffset;
inline constexpr size_t kCoefOffset = kq_records::kI8CoefOffset;
inline constexpr size_t kDOffset = kq_records::kI8DOffset;
inline constexpr size_t kDminOffset = kq_records::kI8DminOffset;
inline constexpr size_t kRecordBytes = kq_records::kI8RecordBytes;

// Byte offset in a record of sub-block `sub`'s coefficient for lane j.
constexpr size_t coef_byte(int sub, int j) {
  return kCoefOffset + 64 * static_cast<size_t>(sub / 2) + 4 * static_cast<size_t>(j) +
         2 * static_cast<size_t>(sub % 2);
}

// True for Q2_K, Q3_K, Q4_K, Q5_K, Q6_K and IQ4_XS.
bool packable(QType t);

// What a kernel needs to know about a type's records.
struct TypeInfo {
  int sub_len = 32;      // codes per scale: 32 (Q4_K, Q5_K, IQ4_XS) or 16
  int n_sub = 8;         // sub-blocks per super-block
  bool has_min = false;  // T is Mn (Q2_K, Q4_K, Q5_K), else T is added to S
  int bias = 0;          // u = code + bias
  int code_max = 255;    // the largest u: Q2_K 3, Q3_K 7, Q4_K 15, Q5_K 31, Q6_K 63, IQ4_XS 241
};
// Throws Error for another type.
TypeInfo type_info(QType t);

// Byte offsets of the raw fp16 d and dmin inside a GGUF super-block of a packable type
// (dmin: -1 = none); both K-quant layouts copy those bits unchanged.
struct HalfFields {
  size_t d = 0;
  std::ptrdiff_t dmin = -1;
};
HalfFields half_fields(QType t);

struct Geometry {
  QType type = QType::Q4_K;
  int64_t n = 0, k = 0;
  int64_t strips = 0;       // ceil(N / 16)
  int64_t superblocks = 0;  // K / 256
  size_t strip_bytes = 0;   // superblocks * kRecordBytes
  size_t total_bytes = 0;   // strips * strip_bytes
};
// Throws Error for another type, K not a positive multiple of 256, or N < 1.
Geometry geometry(QType t, int64_t n, int64_t k);

// Packs N GGUF rows of K elements (the checksum covers exactly N * row_bytes(t, K)
// bytes). A PackFn (kernels/gemm_kernel.h): strips are spread over `parallel`.
PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel = serial_for());

// The exact inverse of pack(), from the codes, scales, d and dmin (the coefficients are
// derived data). Throws Error for another layout or a code or scale no GGUF block of the
// type can hold (a corrupted record).
std::vector<std::byte> unpack(const PackedWeights& w);

}  // namespace amxlab::kq16
