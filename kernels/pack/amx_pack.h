// Packing GGUF Q8_0 / Q4_0 / Q4_1 / IQ4_NL weight rows into the AMX B-tile layout read by
// the kernels of kernels/amx (Layout::q8_0_amx_tile, q4_0_amx_tile, q4_1_amx_tile,
// iq4_nl_amx_tile). The K-quants have their own layout (kernels/pack/kquant_pack.h),
// whose code rows are B-tile rows too.
//
// Layout. The N weight rows are cut into strips of 16 rows (the 16 int32 columns of a
// C tile); the last strip is padded with zero codes, zero scales and zero mins. A strip
// holds its K/32 blocks one after the other; one block record is
//
//   bytes   0..511  codes: 8 rows x 64 bytes, the VNNI B operand of TDPBSSD with K = 32:
//                   byte 64*kk + 4*j + i = code of weight row (16*strip + j),
//                   element (32*b + 4*kk + i)        kk 0..7, j 0..15, i 0..3
//   bytes 512..575  16 fp32 scales d (row j at 512 + 4*j), fp16 -> fp32 exactly
//   bytes 576..639  Q4_1 only: 16 fp32 mins m
//
// so the record is 576 bytes (Q8_0, Q4_0) or 640 bytes (Q4_1), a multiple of 64, and
// the record of (strip s, block b) starts at (s * K/32 + b) * record bytes. Codes are
// signed bytes as TDPBSSD reads them: Q8_0 the GGUF code (all of -128..127), Q4_0 the
// nibble minus 8 (-8..7), Q4_1 the nibble (0..15), IQ4_NL the code book's value.
//
// The conversion is exact and invertible: unpack_amx_tile() gives back the GGUF bytes
// bit for bit (fp16 scales included, NaN payloads too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::amx {

inline constexpr int kStripRows = 16;        // weight rows per strip (C-tile columns)
inline constexpr int kBlockK = 32;           // K elements per block record
inline constexpr size_t kCodeBytes = 512;    // 8 rows x 64 bytes of VNNI codes
inline constexpr size_t kScaleOffset = 512;  // 16 fp32 scales
inline constexpr size_t kMinOffset = 576;    // 16 fp32 mins (Q4_1)
inline constexpr int64_t kBRowBytes = 64;    // stride of the B tile rows

// True for the four types this layout family holds.
bool amx_tile_packable(QType t);
// Layout::q8_0_amx_tile / q4_0_amx_tile / q4_1_amx_tile for Q8_0 / Q4_0 / Q4_1; throws otherwise.
Layout amx_tile_layout(QType t);
// 576 or 640 bytes (see above); throws for other types.
size_t amx_record_bytes(QType t);
// Total packed bytes for N rows of K elements: ceil(N/16) * K/32 * record bytes.
size_t amx_packed_bytes(QType t, int64_t n, int64_t k);

// Packs N GGUF rows of K elements (gguf_rows holds at least N * row_bytes(t, K) bytes;
// the checksum covers exactly those bytes). Throws Error for another type, K not a
// positive multiple of 32, N < 1 or a short buffer. A PackFn (kernels/gemm_kernel.h):
// the strips are spread over `parallel`.
PackedWeights pack_amx_tile(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                            MemoryResource& memory, const ParallelFor& parallel = serial_for());

// The exact inverse: the N GGUF rows the weights were packed from. Throws Error for a
// PackedWeights of another layout.
std::vector<std::byte> unpack_amx_tile(const PackedWeights& w);

// fp16 bits -> fp32 as fp16_to_f32(), and its exact inverse on every fp32 value that
// conversion can produce (fp16_bits_from_f32_exact(fp16_to_f32(h)) == h for all 65536 h,
// NaN payloads included). Used for the scales of the layout.
uint16_t fp16_bits_from_f32_exact(float f);

}  // namespace amxlab::amx
