// Packing GGUF Q8_0 / Q4_0 / Q4_1 weight rows into the layout read by the VNNI kernels
// (kernels/vnni) and the portable kernels (kernels/generic): Layout::q8_0_vnni16,
// q4_0_vnni16, q4_1_vnni16.
//
// Layout ("vnni16"). The N weight rows are cut into strips of 16 rows (the 16 lanes of a
// zmm register: one output column per lane); the last strip is padded with zero codes
// and zero scales. A strip holds its K/32 blocks in pairs ("groups" of 64 K elements),
// one group after the other; when K/32 is odd the last group's second block is padding
// (zero codes, zero scales) that no kernel reads. Group g of strip s starts at byte
// (s * groups + g) * group_bytes, groups = ceil(K/64). Inside a group, the scales first,
// then for h = 0, 1 (block b = 2g + h) the codes:
//
//   q8_0 (group 1088 bytes):
//     bytes 32*h + 2*j                    = fp16 d of (row 16s+j, block b)  (raw GGUF bits)
//     bytes 64 + 512*h + 64*kk + 4*j + i  (kk 0..7, j 0..15, i 0..3)
//           = code(row 16s+j, element 32b + 4kk + i) XOR 0x80   (u8 = code + 128)
//   q4_0 and iq4_nl_nib (576 bytes), q4_1 (640 bytes):
//     bytes 32*h + 2*j                    = fp16 d
//     bytes 64 + 32*h + 2*j               = fp16 m (q4_1 only)
//     bytes C + 256*h + 64*kk + 4*j + i   (kk 0..3; C = 64, q4_1: 128) = GGUF qs[4kk + i]
//           of (row 16s+j, block b): low nibble = element 4kk+i, high nibble = element
//           16+4kk+i (as GGUF pairs them)
//   iq4_nl (iq4_nl_vnni16, 1088 bytes): as q8_0, the code book's value of each index as
//           the code (the Q8_0 loops run it unchanged; the GEMMs read this one);
//   iq4_nl_nib (iq4_nl_nib_vnni16, 576 bytes): as q4_0, the GGUF index nibbles kept (the
//           GEMV reads this one: 18 bytes per 32 weights instead of 34, the value looked
//           up in the kernel by VPSHUFB)
//
// The scales lead the group so that a strip is read as one ascending stream of cache
// lines: a block's epilogue reads scales that lie behind its codes, never ahead of them.
// With the scales after the codes (until 2026-11-29) each epilogue reached ahead of the
// codes still to come, and the hardware prefetchers fell behind: on a Zen 4 VM the Q4_0
// GEMV at one thread took 1.38x the read roofline cold, 0.94x with the scales first
// (kernels/README.md "Record order").
//
// Why: every 64-byte row of codes is the unsigned VPDPBUSD operand for 16 output columns
// and 4 consecutive K (q4: after one AND / one shift+AND); the activation side is a
// broadcast dword straight from the Q8_0/Q8_1 row. Scales stay fp16 (vcvtph2ps is exact),
// so the packed tensor is exactly as large as the GGUF one (1088 = 32 x 34, 576 = 32 x 18,
// 640 = 32 x 20) and a memory-bound GEMV streams no byte more than the GGUF roofline
// counts; groups are multiples of 64 bytes, so every code load is cache-line aligned.
// Q8_0 codes are stored biased (u8 = q + 128, every code -128..127 accepted) because
// VPDPBUSD needs one unsigned operand: isum = dot(q + 128, a) - 128 * sum(a), exact in int32.
// Q4_0 keeps the nibble q (0..15): isum = dot(q, a) - 8 * sum(a). Q4_1: isum = dot(q, a).
//
// The conversion is exact and invertible: unpack_vnni16() returns the GGUF bytes bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::vnni16 {

inline constexpr int kStripRows = 16;   // weight rows per strip (zmm lanes)
inline constexpr int kBlockK = 32;      // elements per GGUF block
inline constexpr int kGroupBlocks = 2;  // blocks per group

// True for the three types this layout family holds.
bool packable(QType t);
// Layout::q8_0_vnni16 / q4_0_vnni16 / q4_1_vnni16; throws for another type.
Layout layout_of(QType t);

struct Geometry {
  QType type = QType::Q8_0;
  Layout layout = Layout::q8_0_vnni16;
  int64_t n = 0, k = 0;
  int64_t strips = 0;      // ceil(N / 16)
  int64_t blocks = 0;      // K / 32
  int64_t groups = 0;      // ceil(blocks / 2)
  size_t group_bytes = 0;  // 1088 (q8_0, iq4_nl), 576 (q4_0, iq4_nl_nib), 640 (q4_1)
  size_t code_bytes = 0;   // per block: 512 (byte codes) or 256 (nibbles)
  size_t d_offset = 0;     // in a group: 0 (the scales lead it)
  size_t m_offset = 0;     // q4_1: 64
  size_t code_offset = 0;  // the codes of block 2g: 64 (128 for q4_1)
  size_t strip_bytes = 0;  // groups * group_bytes
  size_t total_bytes = 0;  // strips * strip_bytes
};
// Throws Error for another type, K not a positive multiple of 32, or N < 1.
Geometry geometry(QType t, int64_t n, int64_t k);  // of layout_of(t)
Geometry geometry(Layout l, int64_t n, int64_t k);

// Packs N GGUF rows of K elements (gguf_rows holds at least N * row_bytes(t, K) bytes;
// the checksum covers exactly those bytes). A PackFn (kernels/gemm_kernel.h): strips are
// independent and spread over `parallel` (about 1 GB/s per thread: a 56 MiB tensor packs
// in ~50 ms on one).
PackedWeights pack(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                   MemoryResource& memory, const ParallelFor& parallel = serial_for());

// IQ4_NL rows into Layout::iq4_nl_nib_vnni16 (the GEMV's layout); throws for another type.
PackedWeights pack_iq4_nl_nibbles(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                                  MemoryResource& memory, const ParallelFor& parallel = serial_for());

// The exact inverse of pack() and pack_iq4_nl_nibbles(). Throws Error for another layout.
std::vector<std::byte> unpack(const PackedWeights& w);

}  // namespace amxlab::vnni16

namespace amxlab {

// The GGUF bytes any PackedWeights of this project was packed from (a copy for
// gguf_rows; every packed layout's own inverse otherwise). A layout without an inverse
// (plain_s8) throws Error naming it. The result's
// checksum_bytes() equals w.source_checksum().
std::vector<std::byte> unpack_to_gguf(const PackedWeights& w);

// Packs GGUF rows unchanged (Layout::gguf_rows), for kernels that read GGUF blocks.
PackedWeights pack_gguf_rows(QType t, std::span<const std::byte> gguf_rows, int64_t n, int64_t k,
                             MemoryResource& memory);

}  // namespace amxlab
