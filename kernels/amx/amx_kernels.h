// AMX tile GEMM kernels for Q8_0, Q4_0 (x Q8_0 activations) and Q4_1 (x Q8_1), bitwise
// equal to the golden model. Written once (amx_gemm.h) over the tile backend and
// instantiated twice: natively (amx_gemm_native.cpp, -mamx-*) and on the strict tile
// emulator (amx_gemm_emulated.cpp, registered with Engine::emulated). See README.md.
//
// kAmxKernels below is spliced into the one registry table (kernels/registry.cpp).
#pragma once

#include <cstdint>

#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"
#include "kernels/generic/portable_kernels.h"
#include "kernels/isa.h"
#include "kernels/kquant_names.h"
#include "kernels/pack/amx_pack.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/pack/panel_pack.h"
#include "kernels/tile/counters.h"
#include "kernels/tile/sapphire_rapids_model.h"
#include "kernels/vnni/vector_quantize.h"

namespace amxlab::tile {
class EmulatedTiles;
}

namespace amxlab::amx {

// Blocking of the inner loop: a 32 x 32 output tile (2 x 2 C tiles).
inline constexpr int kTileM = 32;
inline constexpr int kTileN = 32;

// ---- shared (portable) pieces: amx_common.cpp ----
// Activations are quantised by the vector quantisers (kernels/vnni/vector_quantize.h,
// bit-identical to kernels/core quantize_activations): AVX-512 for the native kernels,
// AVX2 for the emulated ones (the ISA their registry lines already require).
// m_step = 32, n_step = 32 (the 2 x 2 tile blocking).
Plan plan_gemm(int64_t m, int64_t n, int64_t k);

// ---- run functions (RunFn): native on AMX hardware, emulated everywhere ----
void run_q8_0_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_0_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_1_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q8_0_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_0_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_1_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_iq4_nl_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_iq4_nl_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s);
// K-quants (amx_kquant_gemm.h), instantiated for the six types in the backend files.
template <QType T>
void run_kq_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
template <QType T>
void run_kq_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
// NOLINTBEGIN(bugprone-macro-parentheses): fn names a function template
#define AMXLAB_AMX_KQ_INSTANTIATE(fn)                                                             \
  template void fn<QType::Q2_K>(const PackedWeights&, const ActivationView&, const OutputView&,   \
                                const Slice&);                                                    \
  template void fn<QType::Q3_K>(const PackedWeights&, const ActivationView&, const OutputView&,   \
                                const Slice&);                                                    \
  template void fn<QType::Q4_K>(const PackedWeights&, const ActivationView&, const OutputView&,   \
                                const Slice&);                                                    \
  template void fn<QType::Q5_K>(const PackedWeights&, const ActivationView&, const OutputView&,   \
                                const Slice&);                                                    \
  template void fn<QType::Q6_K>(const PackedWeights&, const ActivationView&, const OutputView&,   \
                                const Slice&);                                                    \
  template void fn<QType::IQ4_XS>(const PackedWeights&, const ActivationView&, const OutputView&, \
                                  const Slice&);
// NOLINTEND(bugprone-macro-parentheses)

// Plain types on oneDNN's terms (amx_plain_gemm.h): s8 x s8, u8 x s8 -> s32, bf16 -> f32.
void run_s8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_u8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_bf16_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_s8s8_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_u8s8_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_bf16_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);

// The emulated kernel on a caller-supplied emulator (options such as count_only, and
// its counters, stay with the caller). In count-only mode the epilogue and the writes
// to y are skipped (the emulator reads and writes no memory): counters only.
void run_emulated_on(tile::EmulatedTiles& t, QType weight_type, const PackedWeights& w,
                     const ActivationView& a, const OutputView& y, const Slice& s);

// ---- the Sapphire Rapids model of these kernels (README.md "Modeled utilisation") ----
// Epilogue cost per output element per K block, in SPR core cycles: per 16 outputs and
// block, VCVTDQ2PS (with its int32 load), VMULPS d_w * d_a, VFMADD (Q4_1: a second
// VFMADD); the accumulators stay in registers across a group of 4 blocks. 512-bit FP
// uops issue on p0 and p5 only: 3 uops / 16 lanes / 2 ports = 3/32. Derivation and the
// llvm-mca cross-check in README.md.
inline constexpr double kEpilogueCyclesPerElementBlock = 3.0 / 32.0;      // q8_0, q4_0
inline constexpr double kEpilogueCyclesPerElementBlockQ4_1 = 4.0 / 32.0;  // q4_1
// K-quants: per 16 outputs, per sub-block, VPMULLD (2 uops on SPR) + VPADDD.
inline constexpr double kKqFoldUops = 3.0;
double epilogue_cycles_per_element_block(QType weight_type);

struct AmxModelReport {
  tile::TileCounters counters;             // of the whole problem, from the count-only emulator
  tile::ModelResult model;                 // model v1: epilogue serial after the tile work
  uint64_t epilogue_elements = 0;          // output elements x K blocks, padded N included
  double epilogue_cycles_per_element = 0;  // the figure used
  double format_ceiling = 0.5;             // K = 32 per TDPBSSD: <= 50 % of int8 peak
                                           // (K-quants: their sub-block length / 64)
  double overlapped_cycles = 0;            // max(tmul, load/store, epilogue) + config: if the
  double overlapped_utilisation = 0;       // vector epilogue overlapped TMUL (NOT model v1)
};
// Runs the kernel for an M x N x K problem (zero data) on the count-only emulator in one
// slice and feeds model_sapphire_rapids(). Labelled engine=emulated, timing=model.
AmxModelReport model_gemm(QType weight_type, int64_t m, int64_t n, int64_t k, double ghz = 2.0);

// ---- the registry lines ----
inline constexpr uint32_t kAmxNativeIsa = kIsaAmxInt8 | kIsaAvx512;  // tiles + AVX-512 vector steps
// The emulator's vector steps have a 256-bit build (amx_vector_steps.h): AVX2 is enough.
inline constexpr uint32_t kAmxEmulatedIsa = kIsaAvx2;
// The K-quant kernels fold their bsum term with VPDPWSSD (every AMX CPU has AVX512-VNNI;
// the 256-bit steps use VPMADDWD + VPADDD, the same sum).
inline constexpr uint32_t kAmxKqNativeIsa = kAmxNativeIsa | kIsaAvx512Vnni;
inline constexpr uint32_t kAmxKqEmulatedIsa = kAmxEmulatedIsa;

template <QType T>
constexpr KernelDesc kq_amx_desc() {
  return {kq_kernel_name(T, KqKernel::amx),
          T,
          QType::Q8_K,
          KernelOp::gemm,
          kTileM,
          kTileN,
          kAmxKqNativeIsa,
          Engine::native,
          Layout::kq_i8_vnni16,
          &kq16::pack,
          &vnni::quantize_q8_k_avx512,
          &plan_gemm,
          &run_kq_native<T>};
}
template <QType T>
constexpr KernelDesc kq_amx_emulated_desc() {
  return {kq_kernel_name(T, KqKernel::amx_emulated),
          T,
          QType::Q8_K,
          KernelOp::gemm,
          kTileM,
          kTileN,
          kAmxKqEmulatedIsa,
          Engine::emulated,
          Layout::kq_i8_vnni16,
          &kq16::pack,
          &vnni::quantize_q8_k_avx2,
          &plan_gemm,
          &run_kq_emulated<T>};
}

// The plain GEMMs need the tiles only (no vector epilogue).
inline constexpr uint32_t kAmxPlainInt8Isa = kIsaAmxInt8;
inline constexpr uint32_t kAmxPlainBf16Isa = kIsaAmxBf16;

inline constexpr KernelDesc kAmxKernels[] = {
    {"q8_0_gemm_32x32__amx", QType::Q8_0, QType::Q8_0, KernelOp::gemm, kTileM, kTileN, kAmxNativeIsa,
     Engine::native, Layout::q8_0_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx512, &plan_gemm,
     &run_q8_0_native},
    {"q4_0_gemm_32x32__amx", QType::Q4_0, QType::Q8_0, KernelOp::gemm, kTileM, kTileN, kAmxNativeIsa,
     Engine::native, Layout::q4_0_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx512, &plan_gemm,
     &run_q4_0_native},
    {"q4_1_gemm_32x32__amx", QType::Q4_1, QType::Q8_1, KernelOp::gemm, kTileM, kTileN, kAmxNativeIsa,
     Engine::native, Layout::q4_1_amx_tile, &pack_amx_tile, &vnni::quantize_q8_1_avx512, &plan_gemm,
     &run_q4_1_native},
    {"q8_0_gemm_32x32__amx_emulated", QType::Q8_0, QType::Q8_0, KernelOp::gemm, kTileM, kTileN,
     kAmxEmulatedIsa, Engine::emulated, Layout::q8_0_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx2,
     &plan_gemm, &run_q8_0_emulated},
    {"q4_0_gemm_32x32__amx_emulated", QType::Q4_0, QType::Q8_0, KernelOp::gemm, kTileM, kTileN,
     kAmxEmulatedIsa, Engine::emulated, Layout::q4_0_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx2,
     &plan_gemm, &run_q4_0_emulated},
    {"q4_1_gemm_32x32__amx_emulated", QType::Q4_1, QType::Q8_1, KernelOp::gemm, kTileM, kTileN,
     kAmxEmulatedIsa, Engine::emulated, Layout::q4_1_amx_tile, &pack_amx_tile, &vnni::quantize_q8_1_avx2,
     &plan_gemm, &run_q4_1_emulated},
    {"iq4_nl_gemm_32x32__amx", QType::IQ4_NL, QType::Q8_0, KernelOp::gemm, kTileM, kTileN, kAmxNativeIsa,
     Engine::native, Layout::iq4_nl_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx512, &plan_gemm,
     &run_iq4_nl_native},
    {"iq4_nl_gemm_32x32__amx_emulated", QType::IQ4_NL, QType::Q8_0, KernelOp::gemm, kTileM, kTileN,
     kAmxEmulatedIsa, Engine::emulated, Layout::iq4_nl_amx_tile, &pack_amx_tile, &vnni::quantize_q8_0_avx2,
     &plan_gemm, &run_iq4_nl_emulated},
    kq_amx_desc<QType::Q2_K>(),
    kq_amx_desc<QType::Q3_K>(),
    kq_amx_desc<QType::Q4_K>(),
    kq_amx_desc<QType::Q5_K>(),
    kq_amx_desc<QType::Q6_K>(),
    kq_amx_desc<QType::IQ4_XS>(),
    kq_amx_emulated_desc<QType::Q2_K>(),
    kq_amx_emulated_desc<QType::Q3_K>(),
    kq_amx_emulated_desc<QType::Q4_K>(),
    kq_amx_emulated_desc<QType::Q5_K>(),
    kq_amx_emulated_desc<QType::Q6_K>(),
    {"s8s8_gemm_32x32__amx", QType::S8, QType::S8, KernelOp::gemm, kTileM, kTileN, kAmxPlainInt8Isa,
     Engine::native, Layout::s8_panel32, &panel32::pack, nullptr, &plan_gemm, &run_s8s8_native},
    {"u8s8_gemm_32x32__amx", QType::U8, QType::U8, KernelOp::gemm, kTileM, kTileN, kAmxPlainInt8Isa,
     Engine::native, Layout::s8_panel32, &panel32::pack, nullptr, &plan_gemm, &run_u8s8_native},
    {"bf16_gemm_32x32__amx", QType::BF16, QType::BF16, KernelOp::gemm, kTileM, kTileN, kAmxPlainBf16Isa,
     Engine::native, Layout::bf16_panel32, &panel32::pack, nullptr, &plan_gemm, &run_bf16_native},
    {"s8s8_gemm_32x32__amx_emulated", QType::S8, QType::S8, KernelOp::gemm, kTileM, kTileN, kAmxPlainInt8Isa,
     Engine::emulated, Layout::s8_panel32, &panel32::pack, nullptr, &plan_gemm, &run_s8s8_emulated},
    {"u8s8_gemm_32x32__amx_emulated", QType::U8, QType::U8, KernelOp::gemm, kTileM, kTileN, kAmxPlainInt8Isa,
     Engine::emulated, Layout::s8_panel32, &panel32::pack, nullptr, &plan_gemm, &run_u8s8_emulated},
    {"bf16_gemm_32x32__amx_emulated", QType::BF16, QType::BF16, KernelOp::gemm, kTileM, kTileN,
     kAmxPlainBf16Isa, Engine::emulated, Layout::bf16_panel32, &panel32::pack, nullptr, &plan_gemm,
     &run_bf16_emulated},
    kq_amx_emulated_desc<QType::IQ4_XS>(),
};

}  // namespace amxlab::amx
