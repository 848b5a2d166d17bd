// Packing plain-element weights (raw int8, BF16, F16, F32: [N][K] row-major, the GGUF
// layout of these types) into column panels for the plain GEMMs (kernels/plain) and the
// AMX raw GEMMs: Layout::s8_panel32, bf16_panel32, f16_panel32, f32_panel32.
//
// Layout ("panel32"). The N weight rows (= output columns) are cut into panels of 32;
// the last panel is padded with zero columns. K is cut into "units": 4 int8, 2 bf16, 1
// f16 or 1 f32 values, so that a unit of one column is 4 bytes (2 for f16). A panel
// holds its K units one after the other; unit u of panel p starts at byte
//   p * panel_bytes + u * unit_row_bytes,   unit_row_bytes = 32 * unit bytes (128; f16 64)
// and holds, for the 32 columns j in order, the unit's values of weight row 32p + j in K
// order: bytes 4j..4j+3 = W[32p+j][4u..4u+3] (s8), W[32p+j][2u..2u+1] (bf16),
// W[32p+j][u] (f32); f16: bytes 2j..2j+1 = W[32p+j][u]. Values past K (the last unit
// when K is not a multiple of the unit) and columns past N are zero.
// s8_panel32 then holds, after the last panel, one int32 per padded column:
// 128 * sum_k W[n][k] (wrapping), the compensation of the unsigned-activation trick
// (sum (a + 128) w - 128 sum w = sum a w, exact in int32).
//
// Why: every unit row is one broadcast-and-multiply step for 32 output columns (two zmm
// registers: VPDPBUSD, VDPBF16PS, or VFMADD231PS after VCVTPH2PS), and is also an AMX
// B-tile row pair: 16 unit rows of one panel, 64 bytes each at stride 128, are the B
// tile of 16 columns and 64 K bytes (TDPBSSD / TDPBUSD / TDPBF16PS). The weights are
// streamed in the order the kernels read them; the packed tensor is the raw tensor plus
// the padding of the last panel and unit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/core/qtype.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::panel32 {

inline constexpr int64_t kPanelCols = 32;

// True for the weight types of this family: S8, U8 (u8 x s8: the weights are s8), BF16,
// F16, F32.
bool packable(QType t);
// Layout::s8_panel32 (S8 and U8), bf16_panel32, f16_panel32, f32_panel32.
Layout layout_of(QType t);

struct Geometry {
  QType type = QType::F32;
  int64_t n = 0, k = 0;
  int64_t panels = 0;         // ceil(N / 32)
  int64_t unit_elems = 1;     // values of one column per unit: 4 (int8), 2 (bf16), 1
  int64_t units = 0;          // ceil(K / unit_elems)
  size_t unit_row_bytes = 0;  // 128 (f16: 64)
  size_t panel_bytes = 0;     // units * unit_row_bytes
  size_t comp_offset = 0;     // s8: start of the int32 compensation; else 0
  size_t total_bytes = 0;
};
// Throws Error for a type outside the family or N, K < 1.
Geometry geometry(QType t, int64_t n, int64_t k);

// Packs [N][K] raw rows (row_bytes(t, K) each) into the panels, panels in parallel.
PackedWeights pack(QType t, std::span<const std::byte> rows, int64_t n, int64_t k, MemoryResource& memory,
                   const ParallelFor& parallel = serial_for());

// The exact inverse: the raw [N][K] rows, bit for bit. Throws for another layout.
std::vector<std::byte> unpack(const PackedWeights& w);

}  // namespace amxlab::panel32
