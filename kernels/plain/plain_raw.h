// The boundary between the portable wrappers of the plain GEMMs (plain_kernels.cpp:
// checks, errors, scratch; no ISA flags) and the translation units built with ISA flags.
// Only plain data and declarations cross it (see kernels/vnni/vnni_raw.h for why).
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::plain::raw {

// What one multiply-accumulate step of a unit (4 bytes of a row) computes.
enum Op : uint8_t {
  kS8S8 = 0,  // int32 += s8 x s8 (activations stored + 128 as u8, compensation at the end)
  kU8S8 = 1,  // int32 += u8 x s8
  kBf16 = 2,  // fp32 = VDPBF16PS rules: odd pair then even pair, fused, DAZ/FTZ
  kF16 = 3,   // fp32 = fma(a, (float)w_f16, acc)
  kF32 = 4,   // fp32 = fma(a, w, acc)
};

// One run() call after its checks: rows m0..m1 (a and y point at row m0), columns
// n0..n1, all of K. The packed weights are Layout::*_panel32 (kernels/pack/panel_pack.h).
struct PanelArgs {
  int op = kF32;
  const std::byte* w = nullptr;  // panel 0
  size_t panel_bytes = 0;
  size_t unit_row_bytes = 0;  // 128, or 64 for f16
  // int8 (the s8_panel32 layout): 128 * sum_k W per column (padded N). The AVX-512
  // kernel's s8 x s8 subtracts it (its activations + 128); the AVX2 kernel's u8 x s8 adds
  // it back (its activations - 128).
  const int32_t* w_sum128 = nullptr;
  int64_t k = 0;                 // K in elements
  int64_t units = 0;             // K units of 4 activation bytes (ceil)
  const std::byte* a = nullptr;  // activation row m0: s8 / u8 / bf16 / f32 elements; for
                                 // the AVX-512 and AMX kernels whole 4-byte units (see
                                 // plain::whole_unit_rows, plain_kernels.h)
  size_t a_stride = 0;           // bytes between activation rows
  size_t a_row_bytes = 0;        // bytes of K values in a row (k * element size)
  int64_t rows = 0;              // m1 - m0 >= 1
  void* y = nullptr;             // output row m0, column 0 (int32 or fp32)
  size_t y_stride = 0;           // in elements
  int64_t n0 = 0, n1 = 0;        // any; the plan keeps n0 at panel boundaries
  std::byte* c_part = nullptr;   // scratch: partial_bytes(rows, n0, n1) when K spans blocks
  int32_t* row_neg = nullptr;    // int8 scratch of `rows` int32: the AVX2 kernel's neg(a) per
                                 // row of the K block it runs (avx2_panel_gemm.cpp)
};

// Units per K block (4096 int8, 2048 bf16, 1024 f32 / f16 values): the weights of a
// panel pair and block (256 KiB with 128-byte unit rows) stay in L2 while every row tile
// of the slice runs over them, and the accumulators leave the registers once per block.
// Measured (M=512..1024, N=4096/11008, K=4096/11008, this VM, 1 thread, ratio to oneDNN):
// 256 units 0.94-0.96, 512 units 0.98-1.00, 1024 units 0.97-1.04; M=16/64 likewise.
inline constexpr int64_t kBlockUnits = 1024;
// Rows of the register tile (x 64 columns).
inline constexpr int64_t kGemmRows = 6;
// The K block of a slice: kBlockUnits, or all of K when the slice is one row tile.
// static: both sides of the boundary call it, each gets its own copy (no shared inline
// definition that the linker could take from the AVX-512 translation unit).
static constexpr int64_t block_units(int64_t rows, int64_t units) {
  return rows <= kGemmRows ? units : kBlockUnits;
}
// Scratch of one run() call: the partial sums of the tiles between K blocks (6 x 64 x 4
// bytes per tile).
constexpr size_t partial_bytes(int64_t rows, int64_t n0, int64_t n1) {
  const int64_t pairs = ((n1 + 31) / 32 - n0 / 32 + 1) / 2;
  return static_cast<size_t>((rows + kGemmRows - 1) / kGemmRows * pairs) * kGemmRows * 256u;
}

// gcc's noclone on the register-tile functions: a constant-propagated clone lost the
// register allocation of the accumulators and spilled them (gcc 12). clang has no such
// attribute (and no such clones), so clang-tidy sees nothing.
#if defined(__clang__)
#define AMXLAB_NOCLONE
#else
#define AMXLAB_NOCLONE __attribute__((noclone))
#endif

// AVX-512: 6 x 64 register tile (a slice of one row: 1 x 128) over K blocks of
// kBlockUnits (kernels/plain/avx512_panel_gemm.h). One translation unit per ISA set, so
// that no instruction of a richer set leaks into a kernel of a poorer one:
void avx512_panel_gemm_f32(const PanelArgs& g);   // kF32, kF16: AVX-512F + FMA + F16C
void avx512_panel_gemm_int8(const PanelArgs& g);  // kS8S8, kU8S8: + AVX512-VNNI
void avx512_panel_gemm_bf16(const PanelArgs& g);  // kBf16: + AVX512-BF16
// AVX2 + FMA + F16C: kF32, kF16 over a 3 x 32 register tile (kernels/plain/avx2_panel_gemm.cpp),
// the same K blocks and the scratch of partial_bytes().
void avx2_panel_gemm_f32(const PanelArgs& g);
// kS8S8 and kU8S8 on a 2 x 32 tile and the same blocks, through the plain AVX2 signed dot (s8: the
// u8 copy of the activations as for AVX-512, no compensation: the dot is signed; u8: the
// activations - 128, w_sum128 added back).
void avx2_panel_gemm_int8(const PanelArgs& g);
// kBf16 on a 2 x 32 tile (one row: 1 x 64), the same K blocks: VFMADD231PS under DAZ + FTZ
// in the VDPBF16PS order (the wrapper recomputes NaN outputs, as for every float kernel).
void avx2_panel_gemm_bf16(const PanelArgs& g);

}  // namespace amxlab::plain::raw
