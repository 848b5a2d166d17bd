// The byte geometry of the K-quant records (kquant_pack.h: kq_i8_vnni16;
// kquant_nibble_pack.h: kq_nib_vnni16) and of the Q8_K activation block, as plain
// constants: the packers and every kernel that reads them (including the ISA translation
// units, which may include nothing with inline library code; see kernels/vnni/vnni_raw.h)
// take them from here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/core/blocks.h"

namespace amxlab::kq_records {

// The largest code u each type's records enter the dot with (code + bias, or the IQ4
// book entry + 128), in both layouts: written once here for kq16::type_info(), the
// kq_nib records and the tiles instantiated per largest code (kernels/vnni/kquant_tile.h).
// Plain AVX2 sizes its int16 groups by it (a VPMADDUBSW pair is at most 2 x u x 128).
inline constexpr int kCodeMaxQ2_K = 3;      // 2-bit codes
inline constexpr int kCodeMaxQ3_K = 7;      // 3-bit values -4..3, + 4
inline constexpr int kCodeMaxQ4_K = 15;     // nibbles
inline constexpr int kCodeMaxQ5_K = 31;     // nibble + high bit
inline constexpr int kCodeMaxQ6_K = 63;     // 6-bit values -32..31, + 32
inline constexpr int kCodeMaxIQ4_XS = 241;  // the book's largest entry, 113, + 128

// kq_i8_vnni16: one record per strip of 16 rows and super-block.
inline constexpr size_t kI8CodeBytes = 4096;                   // 64 rows x 64 bytes of u8 codes
inline constexpr size_t kI8ScaleOffset = kI8CodeBytes;         // int8 [16 sub][16 lanes]
inline constexpr size_t kI8CoefOffset = kI8ScaleOffset + 256;  // int16 pairs [8][16 lanes][2]
inline constexpr size_t kI8DOffset = kI8CoefOffset + 512;      // fp16 [16 lanes]
inline constexpr size_t kI8DminOffset = kI8DOffset + 32;       // fp16 [16 lanes]
inline constexpr size_t kI8RecordBytes = kI8DminOffset + 32;   // 4928 = 77 cache lines
static_assert(kI8RecordBytes == 4928 && kI8RecordBytes % 64 == 0);

// kq_nib_vnni16 of a type whose codes (code + bias, or the IQ4 book index) take
// `code_bits` (4: nibbles, 2: crumbs) in the code plane and `high_bits` (0..2) more in a
// high-bit plane, with sub-blocks of `sub_len`; a type with mins (`min`: Q2_K, Q4_K,
// Q5_K) also stores the mins (the coefficients of its bsum term) and dmin. The biased
// types without mins (Q3_K, Q6_K, IQ4_XS) store neither: their GEMV starts each chain at
// -bias * bsum (kernels/vnni/kq_bias_starts.h).
//
// A code row is 64 bytes: byte 4j + i of lane j holds 8 / code_bits fields, field c (bits
// code_bits * c up) the code of element c * span + 4kk + i of the super-block (span = 256
// / fields: 128 or 64), so one VPDPBUSD per field takes the activation dword at c * span +
// 4kk. Field c of rows kk serves sub-block (c * span + 4kk) / sub_len.
//
// The record is laid out in the order the GEMV reads it, so that each strip is one
// ascending stream of cache lines: a header (scales, then coefficients, d and dmin),
// padded to a cache line, then the code rows. A type with a high-bit plane interleaves
// it: each 64-byte high row comes just before the `rows_per_high` code rows it serves
// (Q5_K: 4, Q6_K: 2). Until 2026-11-29 the planes and the header followed each other
// (nibbles, high bits, scales, ...), so the GEMV's reads jumped ahead and back within
// each record; the hardware prefetchers then fetched little ahead of them and a thread
// streamed 15-26 GB/s instead of ~30 on a Zen 4 VM (a read loop with the kernel's access
// order against the ascending one; kernels/README.md "Record order").
struct NibRecord {
  int code_bits = 4, high_bits = 0;
  int code_max = 15;      // the largest u a field enters the dot with (IQ4_XS: book + 128)
  int fields = 2;         // code fields per byte: 8 / code_bits
  int span = 128;         // elements between a byte's fields: 256 / fields
  int code_rows = 32;     // 64-byte code rows: 8 * code_bits
  size_t high_bytes = 0;  // 512 * high_bits
  size_t scale_offset = 0, coef_offset = 0, d_offset = 0, dmin_offset = 0;  // coef, dmin: min only
  size_t header_bytes = 0;  // the header, padded to a cache line: the code rows start here
  int rows_per_high = 0;    // code rows per high row; 0: no high plane
  size_t record_bytes = 0;
  int sub_len = 32, n_sub = 8;
  bool min = false;
  // The scales as int8 pairs (Q2_K, Q3_K: sub-blocks of 16 small codes, whose dots fit
  // int16): the GEMV multiplies two sub-blocks' dots by their scales with one VPDPWSSD.
  // Pair p of row group q holds the scales of fields 2p and 2p + 1, i.e. of sub-blocks
  // 2p * groups + q and (2p + 1) * groups + q (groups = span / sub_len), lane j's at
  // 2j and 2j + 1 of its 32 bytes. Otherwise scale row `sub`: 16 bytes, lane j's at j.
  bool scale_pairs = false;
  constexpr int groups() const { return span / sub_len; }
  constexpr size_t scale_pair_row(int q, int p) const {
    return scale_offset + 32 * static_cast<size_t>(q * (fields / 2) + p);
  }
  constexpr size_t scale_at(int sub, int lane) const {
    if (!scale_pairs) return scale_offset + 16 * static_cast<size_t>(sub) + static_cast<size_t>(lane);
    const int c = sub / groups(), q = sub % groups();
    return scale_pair_row(q, c / 2) + 2 * static_cast<size_t>(lane) + static_cast<size_t>(c % 2);
  }
  // The min of sub-block `sub` of lane `lane` (min types): pair-interleaved, two sub-blocks
  // per dword, so that one VPMOVSXBW makes VPDPWSSD's int16 pairs.
  constexpr size_t coef_at(int sub, int lane) const {
    return coef_offset + 32 * static_cast<size_t>(sub / 2) + 2 * static_cast<size_t>(lane) +
           static_cast<size_t>(sub % 2);
  }
  // Byte offsets, in the record, of code row kk (0..code_rows-1) and of the high row
  // serving it.
  constexpr size_t code_row(int kk) const {
    if (rows_per_high == 0) return header_bytes + 64 * static_cast<size_t>(kk);
    const int g = kk / rows_per_high, r = kk % rows_per_high;
    return header_bytes + 64 * static_cast<size_t>(g * (rows_per_high + 1) + 1 + r);
  }
  constexpr size_t high_row(int kk) const {
    const int g = kk / rows_per_high;
    return header_bytes + 64 * static_cast<size_t>(g * (rows_per_high + 1));
  }
  // The lowest bit, in its high row's byte, of the high bits of field c of row kk: the
  // high rows hold their code rows' fields in order, high_bits each.
  constexpr int high_shift(int kk, int c) const { return ((kk % rows_per_high) * fields + c) * high_bits; }
};
constexpr NibRecord nib_record(int code_bits, int high_bits, int sub_len, bool min, int code_max,
                               bool scale_pairs = false) {
  NibRecord r;
  r.scale_pairs = scale_pairs;
  r.code_bits = code_bits;
  r.high_bits = high_bits;
  r.code_max = code_max;
  r.fields = 8 / code_bits;
  r.span = kQKK / r.fields;
  r.code_rows = 8 * code_bits;
  r.sub_len = sub_len;
  r.n_sub = kQKK / sub_len;
  r.min = min;
  r.high_bytes = 512 * static_cast<size_t>(high_bits);
  r.scale_offset = 0;
  r.coef_offset = r.scale_offset + 16 * static_cast<size_t>(r.n_sub);
  r.d_offset = r.coef_offset + (min ? 16 * static_cast<size_t>(r.n_sub) : 0);
  r.dmin_offset = min ? r.d_offset + 32 : 0;
  r.header_bytes = (r.d_offset + (min ? 64 : 32) + 63) / 64 * 64;
  r.rows_per_high = high_bits == 0 ? 0 : code_bits / high_bits;
  r.record_bytes = r.header_bytes + 64 * static_cast<size_t>(r.code_rows) + r.high_bytes;
  return r;
}
inline constexpr NibRecord kNibQ4 = nib_record(4, 0, 32, true, kCodeMaxQ4_K);      // Q4_K
inline constexpr NibRecord kNibIQ4 = nib_record(4, 0, 32, false, kCodeMaxIQ4_XS);  // IQ4_XS (book + 128)
inline constexpr NibRecord kNibQ5 = nib_record(4, 1, 32, true, kCodeMaxQ5_K);      // Q5_K: 1 high bit
inline constexpr NibRecord kNibQ6 = nib_record(4, 2, 16, false, kCodeMaxQ6_K);     // Q6_K: 2 high bits
inline constexpr NibRecord kNibQ2 =
    nib_record(2, 0, 16, true, kCodeMaxQ2_K, true);  // Q2_K: 2-bit codes in crumbs
inline constexpr NibRecord kNibQ3 =
    nib_record(4, 0, 16, false, kCodeMaxQ3_K, true);  // Q3_K: code + 4 (0..7) in nibbles

// The kinds of kq_nib_vnni16 record, one per type: the GEMV's dispatch key
// (vnni::raw::KqArgs::nib_kind) and, through nib_record_of(), the one place each kind's
// record is chosen (the packer's kqn::record_info() and the GEMV's Rec<KIND> both ask it).
enum NibKind : uint8_t {
  kNibQ4_K = 0,
  kNibIQ4_XS = 1,
  kNibQ5_K = 2,
  kNibQ6_K = 3,
  kNibQ2_K = 4,
  kNibQ3_K = 5
};
constexpr NibRecord nib_record_of(int kind) {
  switch (kind) {
    case kNibIQ4_XS: return kNibIQ4;
    case kNibQ5_K: return kNibQ5;
    case kNibQ6_K: return kNibQ6;
    case kNibQ2_K: return kNibQ2;
    case kNibQ3_K: return kNibQ3;
    default: return kNibQ4;
  }
}
// Strips of 16 columns per register tile of each kind's plain AVX2 GEMV (no VNNI:
// kernels/vnni/kqn_vec256.h tile_strips, which says what was measured): two where the
// int16 groups leave the registers for a second stream, one for Q2_K (four crumb fields)
// and Q6_K (groups of two rows). The one list: the registry lines' tile
// (vnni/kquant_kernels.h) follows it, and their names (kquant_names.h) are tested against
// that tile.
constexpr int avx2_gemv_strips(int kind) {
  return kind == kNibQ2_K || kind == kNibQ6_K ? 1 : 2;
}
static_assert(kNibQ4.record_bytes == 2368 && kNibIQ4.record_bytes == 2240 && kNibQ5.record_bytes == 2880 &&
              kNibQ6.record_bytes == 3392 && kNibQ2.record_bytes == 1600 && kNibQ3.record_bytes == 2368);
static_assert(kNibQ5.high_row(7) == 320 + 64 * 5 && kNibQ5.code_row(7) == 320 + 64 * 9 &&
              kNibQ6.high_row(3) == 320 + 64 * 3 && kNibQ6.code_row(3) == 320 + 64 * 5 &&
              kNibQ4.code_row(31) == 2304 && kNibQ2.code_row(15) == 576 + 64 * 15);
// The bit layouts of the planes before they were written as high_shift: Q5_K bit
// 2 * (kk % 4) + c, Q6_K bits 4 * (kk % 2) + 2c up.
static_assert(kNibQ5.high_shift(6, 1) == 5 && kNibQ6.high_shift(3, 1) == 6 && kNibQ6.high_shift(2, 0) == 0);

// The Q8_K activation block (blocks.h): fp32 d, 256 codes, 16 int16 bsums.
inline constexpr size_t kQ8KBlockBytes = sizeof(BlockQ8_K);
inline constexpr size_t kQ8KCodeOffset = offsetof(BlockQ8_K, qs);
inline constexpr size_t kQ8KBsumOffset = offsetof(BlockQ8_K, bsums);

}  // namespace amxlab::kq_records
