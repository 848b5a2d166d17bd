// VNNI kernels for Q8_0, Q4_0 (x Q8_0 activations) and Q4_1 (x Q8_1) over the vnni16
// layout (kernels/pack/vnni_pack.h), bitwise equal to the golden model:
//   *_gemv_1x64__avx512vnni  AVX-512 VNNI, 1 row x 64 columns per register tile
//   *_gemm_4x32__avx512vnni  AVX-512 VNNI, 4 rows x 32 columns, 128-column chunks
//   *_gemm_2x16__avxvnni     AVX-VNNI (256-bit VEX), 2 rows x 16 columns
//   *_gemm_2x16__avxvnni_evex  the same body with EVEX VPDPBUSD (Engine::stand_in)
//   *_gemv_1x32__avxvnni     its blocks two strips per tile, rows one at a time (GEMV);
//                            *_gemv_1x32__avxvnni_evex its stand-in
//   *_gemm_2x16__avx2        the same body with the plain AVX2 dot (no VNNI; q4_0, q4_1 3x16)
//   *_gemv_1x32__avx2        its blocks two strips per tile, rows one at a time (GEMV)
// kVnniKernels is spliced into the registry table (kernels/registry.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"
#include "kernels/generic/portable_kernels.h"
#include "kernels/isa.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/vnni/vector_quantize.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni {

Plan plan_gemv_avx512(int64_t m, int64_t n, int64_t k);   // {1, 64}
Plan plan_gemm_avx512(int64_t m, int64_t n, int64_t k);   // {4, 32}
Plan plan_gemm_avxvnni(int64_t m, int64_t n, int64_t k);  // {2, 16}
Plan plan_gemv_avxvnni(int64_t m, int64_t n, int64_t k);  // {1, 16}

void run_q8_0_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q4_0_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q4_1_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q8_0_gemm_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q4_0_gemm_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q4_1_gemm_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_q8_0_gemm_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q4_0_gemm_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q4_1_gemm_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q8_0_gemv_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q4_0_gemv_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q4_1_gemv_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s);
void run_q8_0_gemv_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);
void run_q4_0_gemv_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);
void run_q4_1_gemv_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);
void run_q8_0_gemm_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_0_gemm_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_1_gemm_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q8_0_gemv_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_0_gemv_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_1_gemv_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q8_0_gemm_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);
void run_q4_0_gemm_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);
void run_q4_1_gemm_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                const Slice& s);

// AVX-512 F/BW/VL + VNNI; F16C and FMA come with the avx2 bit.
inline constexpr uint32_t kAvx512VnniIsa = kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2;
// The same AVX-512 level with VBMI and GFNI: the `__avx512icl` GEMVs (XNNPACK's name for
// Ice Lake's AVX-512; those three are all they need) that unpack nibbles in fewer
// instructions, alternatives to the `__avx512vnni` ones (kernels/README.md).
inline constexpr uint32_t kAvx512IclIsa = kAvx512VnniIsa | kIsaAvx512Vbmi | kIsaGfni;
inline constexpr uint32_t kAvxVnniIsa = kIsaAvx2 | kIsaAvxVnni;
// The `*__avx2` kernels: the 256-bit bodies with the plain AVX2 dot (avxvnni_dot.h).
inline constexpr uint32_t kAvx2Isa = kIsaAvx2;
// The `*__avxvnni_evex` stand-ins (Engine::stand_in): the AVX-VNNI bodies with EVEX
// VPDPBUSD, which needs AVX512-VL + VNNI.
inline constexpr uint32_t kAvxVnniEvexIsa = kAvx512VnniIsa;

// An AVX-VNNI line's body built for another ISA: the same line with that build's name,
// ISA and run function (a native kernel: the plain AVX2 builds, avxvnni_dot.h).
constexpr KernelDesc rebuilt_for(KernelDesc line, std::string_view name, uint32_t isa, RunFn run,
                                 int tile_m = 0, int tile_n = 0) {
  line.name = name;
  line.isa = isa;
  line.run = run;
  if (tile_m > 0) line.tile_m = tile_m;  // a build that blocks rows otherwise
  if (tile_n > 0) line.tile_n = tile_n;  // or columns
  return line;
}
// A GEMM line's GEMV over the same layout, activations and quantiser, the GEMM's blocks
// over two staggered strips per tile (avxvnni_gemm_tile.h drive_gemv): the
// `<t>_gemv_1x32__avx2` lines (isa kAvx2Isa, the plain AVX2 dot) and the
// `<t>_gemv_1x32__avxvnni` ones (kAvxVnniIsa, avxvnni_gemv_body).
constexpr KernelDesc gemv_of(KernelDesc gemm, std::string_view name, uint32_t isa, RunFn run) {
  KernelDesc d = rebuilt_for(gemm, name, isa, run, 1, 16 * raw::kAvx2GemvTileStrips);
  d.op = KernelOp::gemv;
  d.plan = &plan_gemv_avxvnni;
  return d;
}
// The stand-in of an AVX-VNNI line (Engine::stand_in; vnni/avxvnni_dot.h): its EVEX build.
constexpr KernelDesc avxvnni_stand_in(KernelDesc production, std::string_view name, RunFn run) {
  KernelDesc d = rebuilt_for(production, name, kAvxVnniEvexIsa, run);
  d.engine = Engine::stand_in;
  return d;
}

inline constexpr KernelDesc kQ8_0GemmAvxVnni = {"q8_0_gemm_2x16__avxvnni",
                                                QType::Q8_0,
                                                QType::Q8_0,
                                                KernelOp::gemm,
                                                2,
                                                16,
                                                kAvxVnniIsa,
                                                Engine::native,
                                                Layout::q8_0_vnni16,
                                                &vnni16::pack,
                                                &quantize_q8_0_avx2,
                                                &plan_gemm_avxvnni,
                                                &run_q8_0_gemm_avxvnni};
inline constexpr KernelDesc kQ4_0GemmAvxVnni = {"q4_0_gemm_2x16__avxvnni",
                                                QType::Q4_0,
                                                QType::Q8_0,
                                                KernelOp::gemm,
                                                2,
                                                16,
                                                kAvxVnniIsa,
                                                Engine::native,
                                                Layout::q4_0_vnni16,
                                                &vnni16::pack,
                                                &quantize_q8_0_avx2,
                                                &plan_gemm_avxvnni,
                                                &run_q4_0_gemm_avxvnni};
inline constexpr KernelDesc kQ4_1GemmAvxVnni = {"q4_1_gemm_2x16__avxvnni",
                                                QType::Q4_1,
                                                QType::Q8_1,
                                                KernelOp::gemm,
                                                2,
                                                16,
                                                kAvxVnniIsa,
                                                Engine::native,
                                                Layout::q4_1_vnni16,
                                                &vnni16::pack,
                                                &quantize_q8_1_avx2,
                                                &plan_gemm_avxvnni,
                                                &run_q4_1_gemm_avxvnni};

inline constexpr KernelDesc kQ8_0GemvAvxVnni =
    gemv_of(kQ8_0GemmAvxVnni, "q8_0_gemv_1x32__avxvnni", kAvxVnniIsa, &run_q8_0_gemv_avxvnni);
inline constexpr KernelDesc kQ4_0GemvAvxVnni =
    gemv_of(kQ4_0GemmAvxVnni, "q4_0_gemv_1x32__avxvnni", kAvxVnniIsa, &run_q4_0_gemv_avxvnni);
inline constexpr KernelDesc kQ4_1GemvAvxVnni =
    gemv_of(kQ4_1GemmAvxVnni, "q4_1_gemv_1x32__avxvnni", kAvxVnniIsa, &run_q4_1_gemv_avxvnni);

inline constexpr KernelDesc kVnniKernels[] = {
    {"q8_0_gemv_1x64__avx512vnni", QType::Q8_0, QType::Q8_0, KernelOp::gemv, 1, 64, kAvx512VnniIsa,
     Engine::native, Layout::q8_0_vnni16, &vnni16::pack, &quantize_q8_0_avx512, &plan_gemv_avx512,
     &run_q8_0_gemv_avx512},
    {"q4_0_gemv_1x64__avx512vnni", QType::Q4_0, QType::Q8_0, KernelOp::gemv, 1, 64, kAvx512VnniIsa,
     Engine::native, Layout::q4_0_vnni16, &vnni16::pack, &quantize_q8_0_avx512, &plan_gemv_avx512,
     &run_q4_0_gemv_avx512},
    {"q4_1_gemv_1x64__avx512vnni", QType::Q4_1, QType::Q8_1, KernelOp::gemv, 1, 64, kAvx512VnniIsa,
     Engine::native, Layout::q4_1_vnni16, &vnni16::pack, &quantize_q8_1_avx512, &plan_gemv_avx512,
     &run_q4_1_gemv_avx512},
    {"q8_0_gemm_4x32__avx512vnni", QType::Q8_0, QType::Q8_0, KernelOp::gemm, 4, 32, kAvx512VnniIsa,
     Engine::native, Layout::q8_0_vnni16, &vnni16::pack, &quantize_q8_0_avx512, &plan_gemm_avx512,
     &run_q8_0_gemm_avx512},
    {"q4_0_gemm_4x32__avx512vnni", QType::Q4_0, QType::Q8_0, KernelOp::gemm, 4, 32, kAvx512VnniIsa,
     Engine::native, Layout::q4_0_vnni16, &vnni16::pack, &quantize_q8_0_avx512, &plan_gemm_avx512,
     &run_q4_0_gemm_avx512},
    {"q4_1_gemm_4x32__avx512vnni", QType::Q4_1, QType::Q8_1, KernelOp::gemm, 4, 32, kAvx512VnniIsa,
     Engine::native, Layout::q4_1_vnni16, &vnni16::pack, &quantize_q8_1_avx512, &plan_gemm_avx512,
     &run_q4_1_gemm_avx512},
    kQ8_0GemmAvxVnni,
    kQ4_0GemmAvxVnni,
    kQ4_1GemmAvxVnni,
    avxvnni_stand_in(kQ8_0GemmAvxVnni, "q8_0_gemm_2x16__avxvnni_evex", &run_q8_0_gemm_avxvnni_evex),
    avxvnni_stand_in(kQ4_0GemmAvxVnni, "q4_0_gemm_2x16__avxvnni_evex", &run_q4_0_gemm_avxvnni_evex),
    avxvnni_stand_in(kQ4_1GemmAvxVnni, "q4_1_gemm_2x16__avxvnni_evex", &run_q4_1_gemm_avxvnni_evex),
    // Their GEMVs: two staggered strips per tile (avxvnni_gemv_body).
    kQ8_0GemvAvxVnni,
    kQ4_0GemvAvxVnni,
    kQ4_1GemvAvxVnni,
    avxvnni_stand_in(kQ8_0GemvAvxVnni, "q8_0_gemv_1x32__avxvnni_evex", &run_q8_0_gemv_avxvnni_evex),
    avxvnni_stand_in(kQ4_0GemvAvxVnni, "q4_0_gemv_1x32__avxvnni_evex", &run_q4_0_gemv_avxvnni_evex),
    avxvnni_stand_in(kQ4_1GemvAvxVnni, "q4_1_gemv_1x32__avxvnni_evex", &run_q4_1_gemv_avxvnni_evex),
    // No VNNI: the AVX-VNNI bodies with the plain AVX2 dot (avxvnni_dot.h).
    rebuilt_for(kQ8_0GemmAvxVnni, "q8_0_gemm_2x16__avx2", kAvx2Isa, &run_q8_0_gemm_avx2),
    // Q4_0 / Q4_1 in 3-row tiles there (avxvnni_gemm_tile.h kNibbleMR).
    rebuilt_for(kQ4_0GemmAvxVnni, "q4_0_gemm_3x16__avx2", kAvx2Isa, &run_q4_0_gemm_avx2,
                raw::kAvx2NibbleTileRows),
    rebuilt_for(kQ4_1GemmAvxVnni, "q4_1_gemm_3x16__avx2", kAvx2Isa, &run_q4_1_gemm_avx2,
                raw::kAvx2NibbleTileRows),
    // Their GEMVs: the same blocks in 1 x 32 tiles (avxvnni_gemm_tile.h drive_gemv).
    gemv_of(kQ8_0GemmAvxVnni, "q8_0_gemv_1x32__avx2", kAvx2Isa, &run_q8_0_gemv_avx2),
    gemv_of(kQ4_0GemmAvxVnni, "q4_0_gemv_1x32__avx2", kAvx2Isa, &run_q4_0_gemv_avx2),
    gemv_of(kQ4_1GemmAvxVnni, "q4_1_gemv_1x32__avx2", kAvx2Isa, &run_q4_1_gemv_avx2),
};

}  // namespace amxlab::vnni
