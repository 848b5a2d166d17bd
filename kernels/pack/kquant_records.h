// The byte geometry of the K-quant records (kquant_pack.h: kq_i8_vnni16;
// kquant_nibble_pack.h: kq_nib_vnni16) and of the Q8_K activation block, as plain
// constants: the packers and every kernel that reads them (including the ISA translation
// units, which may include nothing with inline library code; see kernels/vnni/vnni_raw.h)
// take them from here.
#pragma once

#include <cstddef>

#include "kernels/core/blocks.h"

namespace amxlab::kq_records {

// kq_i8_vnni16: one record per strip of 16 rows and super-block.
inline constexpr size_t kI8CodeBytes = 4096;                   // 64 rows x 64 bytes of u8 codes
inline constexpr size_t kI8ScaleOffset = kI8CodeBytes;         // int8 [16 sub][16 lanes]
inline constexpr size_t kI8CoefOffset = kI8ScaleOffset + 256;  // int16 pairs [8][16 lanes][2]
inline constexpr size_t kI8DOffset = kI8CoefOffset + 512;      // fp16 [16 lanes]
inline constexpr size_t kI8DminOffset = kI8DOffset + 32;       // fp16 [16 lanes]
inline constexpr size_t kI8RecordBytes = kI8DminOffset + 32;   // 4928 = 77 cache lines
static_assert(kI8RecordBytes == 4928 && kI8RecordBytes % 64 == 0);

// kq_nib_vnni16 of a type with `high_bytes` of high-bit plane and sub-blocks of `sub_len`;
// a type with mins (`min`: Q4_K, Q5_K) also stores the mins (the coefficients of its
// bsum term) and dmin. The biased types without mins (Q6_K, IQ4_XS) store neither: their
// GEMV starts each chain at -bias * bsum (kernels/vnni/kq_bias_starts.h), so the record
// ends at d, padded to `record_bytes` (at least the next cache line).
struct NibRecord {
  size_t high_offset = 0, high_bytes = 0;
  size_t scale_offset = 0, coef_offset = 0, d_offset = 0, dmin_offset = 0;  // coef, dmin: min only
  size_t record_bytes = 0;
  int sub_len = 32, n_sub = 8;
  bool min = false;
};
constexpr NibRecord nib_record(size_t high_bytes, int sub_len, bool min, size_t record_bytes = 0) {
  NibRecord r;
  r.sub_len = sub_len;
  r.n_sub = kQKK / sub_len;
  r.min = min;
  r.high_offset = 2048;  // after the 4-bit plane: 32 rows x 64 bytes
  r.high_bytes = high_bytes;
  r.scale_offset = r.high_offset + high_bytes;
  r.coef_offset = r.scale_offset + 16 * static_cast<size_t>(r.n_sub);
  r.d_offset = r.coef_offset + (min ? 16 * static_cast<size_t>(r.n_sub) : 0);
  r.dmin_offset = min ? r.d_offset + 32 : 0;
  const size_t used = (r.d_offset + (min ? 64 : 32) + 63) / 64 * 64;
  r.record_bytes = record_bytes > used ? record_bytes : used;
  return r;
}
inline constexpr NibRecord kNibQ4 = nib_record(0, 32, true);  // Q4_K
// IQ4_XS: 2240 bytes would do, but records of 2240 (and 2304) streamed from DRAM 10-25 %
// slower than 2368 in its GEMV (1 thread, N=4096, K=4096 cold and K=14336 hot, three
// interleaved rounds, 2026-11-29; in cache 2240 was 8 % faster), so it keeps the size it
// had with coefficients and dmin: its last 192 bytes are zero (prefetched with the record,
// never used).
inline constexpr NibRecord kNibIQ4 = nib_record(0, 32, false, 2368);
inline constexpr NibRecord kNibQ5 = nib_record(512, 32, true);    // Q5_K: 1 high bit
inline constexpr NibRecord kNibQ6 = nib_record(1024, 16, false);  // Q6_K: 2 high bits
static_assert(kNibQ4.record_bytes == 2368 && kNibIQ4.record_bytes == 2368 && kNibQ5.record_bytes == 2880 &&
              kNibQ6.record_bytes == 3392);

// The Q8_K activation block (blocks.h): fp32 d, 256 codes, 16 int16 bsums.
inline constexpr size_t kQ8KBlockBytes = sizeof(BlockQ8_K);
inline constexpr size_t kQ8KCodeOffset = offsetof(BlockQ8_K, qs);
inline constexpr size_t kQ8KBsumOffset = offsetof(BlockQ8_K, bsums);

}  // namespace amxlab::kq_records
