// The vector (non-tile) steps of the AMX GEMM kernels, built twice from one body
// (amx_vector_body.h): 512-bit (amx_vector_avx512.cpp: AVX-512 F/BW/VNNI, which every AMX
// CPU has; the native kernels always use it) and 256-bit (amx_vector_avx2.cpp: AVX2 +
// FMA + F16C). Every step is lane-wise integer arithmetic, exact conversions, and fp32
// multiplies and fused multiply-adds each rounded once, in the same order per output, so
// the two builds give the same bits (tests/kernels/test_amx_vector_steps.cpp compares
// them). The emulated kernels take the 512-bit build where the CPU (under the ISA cap)
// has it, the native kernels' code, and the 256-bit one elsewhere: the strict emulator
// then proves the AMX kernels on any AVX2 machine, not only on AVX-512 ones.
//
//   epilogue:          after the tiles' exact int32 block sums isum_b of a 32 x 32 output
//                      tile for `count` consecutive K blocks, per block in order
//                        acc = fmaf((float)isum_b, d_w * d_a, acc)   [Q4_1: acc = fmaf(m_w, s_a, acc)]
//   fold_subblock:     K-quants, per sub-block: S += dot * scale (int32)
//   finish_superblock: K-quants, per super-block: T = sum of coefficient pairs x bsum
//                      pairs (VPDPWSSD), then the golden fp32 steps (amx_kquant_gemm.h)
//
// Plain data only crosses into the ISA units (vnni_raw.h says why).
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::amx {

inline constexpr int kGroupBlocks = 4;  // K blocks per epilogue call (scratch: 4 x 4 KiB)

// The scales of one K block of a strip pair (pointers into the packed block records).
struct BlockScales {
  const float* dw0;  // strip s: 16 d_w
  const float* dw1;  // strip s+1 (valid when `two`)
  const float* mw0;  // Q4_1: 16 m_w
  const float* mw1;
};

struct VectorSteps {
  // acc: 32 x 32 fp32 (row stride 32); c: `count` (1..kGroupBlocks) consecutive 32 x 32
  // int32 block results (block g at c + g * 1024); rows 0..rows-1; columns 0..15 (strip
  // s) and, when `two`, 16..31. da[g * ld + r], sa[g * ld + r]: activation scale / Q8_1
  // sum of row r in block g (sa: Q4_1 only, `min`).
  void (*epilogue)(bool min, float* acc, const int32_t* c, const BlockScales* sc, int count, const float* da,
                   const float* sa, std::ptrdiff_t ld, int rows, bool two);
  // sum[r][0..31] += dot[r][0..31] * scale (int8 scales of strips s / s+1 at sc0 / sc1;
  // columns 16..31 only when `two`); row stride 32.
  void (*fold_subblock)(int32_t* sum, const int32_t* dot, const std::byte* sc0, const std::byte* sc1,
                        int rows, bool two);
  // The end of one super-block (sub: 16 or 32 codes per scale; min: T is Mn) into acc.
  // rec0 / rec1: the strips' kq_i8_vnni16 records (kernels/pack/kquant_records.h);
  // ab: row 0's Q8_K block, rows `stride` bytes apart.
  void (*finish_superblock)(int sub, bool min, float* acc, const int32_t* sum, const std::byte* rec0,
                            const std::byte* rec1, const std::byte* ab, size_t stride, int rows, bool two);
  const char* isa;  // "avx512" or "avx2"
};

// The two builds. Call one only where the CPU has its ISA.
const VectorSteps& vector_steps_avx512();
const VectorSteps& vector_steps_avx2();

// The emulated kernels' choice: the 512-bit build where isa_supported(AVX-512 F/BW/VL +
// VNNI) (the cap applies: AMXLAB_MAX_ISA=avx2 selects the 256-bit one), else the 256-bit
// build. The registry lines of the emulated kernels need kIsaAvx2.
const VectorSteps& emulation_vector_steps();

}  // namespace amxlab::amx
