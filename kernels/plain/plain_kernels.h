// GEMMs of the plain element types on oneDNN's own terms (issue #12): raw int8
// (s8 x s8 -> s32, u8 x s8 -> s32, exact with int32 wrap-around), bf16 x bf16 -> f32,
// f16 weights x f32 activations -> f32 (GGUF F16 tensors) and f32 x f32 -> f32, over the
// panel32 layout (kernels/pack/panel_pack.h):
//   <t>_gemm_6x64__avx512*  AVX-512: 6 x 64 register tile, K blocks of 1024 units; a
//                            slice of one row runs 1 x 128 (kernels/plain/avx512_panel_gemm.h)
//   <t>_gemm_3x32__avx2      f32 and f16 on AVX2 + FMA + F16C: 3 x 32 register tile, the
//                            same K blocks; one row runs 1 x 64 (kernels/plain/avx2_panel_gemm.cpp)
//   <t>_gemm_2x32__avx2      s8 x s8, u8 x s8 and bf16 there: 2 x 32 (their per-row operands
//                            take two registers), one row 1 x 64
//   <t>_gemm_1x32__portable  plain C++, one output at a time, the same operation order
// Integer kernels equal golden::gemm_s8s8 / gemm_u8s8 bit for bit; float kernels equal
// their exact model (reference/golden/kernel_models.h) bit for bit and golden within the
// analytic bound. Any M, N, K >= 1: K tails are zero-padded inside the packing (the last
// unit of 4 int8 / 2 bf16 values), N tails by zero columns of the last panel (never
// stored). kPlainKernels is spliced into the registry table (kernels/registry.cpp).
#pragma once

#include "kernels/gemm_kernel.h"
#include "kernels/isa.h"
#include "kernels/pack/panel_pack.h"

namespace amxlab::plain {

namespace raw {
struct PanelArgs;
}
// The checks of every panel32 kernel (these and the AMX ones): weights of type wt in its
// panel32 layout, activations, output and slice; throws Error naming `kernel` before
// anything is written. Fills g except the scratch pointers; false for an empty slice.
bool check_panel_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                     const OutputView& y, const Slice& s, raw::PanelArgs& g);

// Rows of whole 4-byte units for the kernels that read a unit per broadcast or tile row
// (AVX-512, AMX): the caller's rows when K fills its last unit and `to_u8` is false;
// otherwise a copy of whole_unit_copy_bytes() bytes (0 when none is needed), zero-padded
// to whole units, each s8 byte stored + 128 as u8 when `to_u8` (VPDPBUSD's unsigned
// operand). whole_unit_rows() makes the copy in `scratch` and points g.a / g.a_stride at it.
size_t whole_unit_copy_bytes(const raw::PanelArgs& g, bool to_u8);
void whole_unit_rows(raw::PanelArgs& g, bool to_u8, std::byte* scratch);

Plan plan_panel(int64_t m, int64_t n, int64_t k);  // {6, 64}

void run_s8s8_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_u8s8_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_bf16_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_f16_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_f32_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
// The AVX2 + FMA + F16C ones (kernels/plain/avx2_panel_gemm.cpp).
void run_f16_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_f32_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_s8s8_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_bf16_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_u8s8_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_s8s8_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_u8s8_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_bf16_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_f16_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_f32_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);

// F16C and FMA come with the avx2 bit.
inline constexpr uint32_t kAvx512FmaIsa = kIsaAvx512 | kIsaAvx2;
inline constexpr uint32_t kAvx512VnniIsa = kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx2;
inline constexpr uint32_t kAvx512Bf16Isa = kIsaAvx512 | kIsaAvx512Bf16 | kIsaAvx2;

// The "u8" case type is the u8 x s8 GEMM (qtype.h): its weights are s8.
inline constexpr KernelDesc kPlainKernels[] = {
    {"s8s8_gemm_6x64__avx512vnni", QType::S8, QType::S8, KernelOp::gemm, 6, 64, kAvx512VnniIsa,
     Engine::native, Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_s8s8_avx512},
    {"u8s8_gemm_6x64__avx512vnni", QType::U8, QType::U8, KernelOp::gemm, 6, 64, kAvx512VnniIsa,
     Engine::native, Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_u8s8_avx512},
    {"bf16_gemm_6x64__avx512bf16", QType::BF16, QType::BF16, KernelOp::gemm, 6, 64, kAvx512Bf16Isa,
     Engine::native, Layout::bf16_panel32, &panel32::pack, nullptr, &plan_panel, &run_bf16_avx512},
    {"f16_gemm_6x64__avx512", QType::F16, QType::F32, KernelOp::gemm, 6, 64, kAvx512FmaIsa, Engine::native,
     Layout::f16_panel32, &panel32::pack, nullptr, &plan_panel, &run_f16_avx512},
    {"f32_gemm_6x64__avx512", QType::F32, QType::F32, KernelOp::gemm, 6, 64, kAvx512FmaIsa, Engine::native,
     Layout::f32_panel32, &panel32::pack, nullptr, &plan_panel, &run_f32_avx512},
    {"f16_gemm_3x32__avx2", QType::F16, QType::F32, KernelOp::gemm, 3, 32, kIsaAvx2, Engine::native,
     Layout::f16_panel32, &panel32::pack, nullptr, &plan_panel, &run_f16_avx2},
    {"f32_gemm_3x32__avx2", QType::F32, QType::F32, KernelOp::gemm, 3, 32, kIsaAvx2, Engine::native,
     Layout::f32_panel32, &panel32::pack, nullptr, &plan_panel, &run_f32_avx2},
    {"s8s8_gemm_2x32__avx2", QType::S8, QType::S8, KernelOp::gemm, 2, 32, kIsaAvx2, Engine::native,
     Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_s8s8_avx2},
    {"u8s8_gemm_2x32__avx2", QType::U8, QType::U8, KernelOp::gemm, 2, 32, kIsaAvx2, Engine::native,
     Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_u8s8_avx2},
    {"bf16_gemm_2x32__avx2", QType::BF16, QType::BF16, KernelOp::gemm, 2, 32, kIsaAvx2, Engine::native,
     Layout::bf16_panel32, &panel32::pack, nullptr, &plan_panel, &run_bf16_avx2},
    {"s8s8_gemm_1x32__portable", QType::S8, QType::S8, KernelOp::gemm, 1, 32, kIsaNone, Engine::native,
     Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_s8s8_portable},
    {"u8s8_gemm_1x32__portable", QType::U8, QType::U8, KernelOp::gemm, 1, 32, kIsaNone, Engine::native,
     Layout::s8_panel32, &panel32::pack, nullptr, &plan_panel, &run_u8s8_portable},
    {"bf16_gemm_1x32__portable", QType::BF16, QType::BF16, KernelOp::gemm, 1, 32, kIsaNone, Engine::native,
     Layout::bf16_panel32, &panel32::pack, nullptr, &plan_panel, &run_bf16_portable},
    {"f16_gemm_1x32__portable", QType::F16, QType::F32, KernelOp::gemm, 1, 32, kIsaNone, Engine::native,
     Layout::f16_panel32, &panel32::pack, nullptr, &plan_panel, &run_f16_portable},
    {"f32_gemm_1x32__portable", QType::F32, QType::F32, KernelOp::gemm, 1, 32, kIsaNone, Engine::native,
     Layout::f32_panel32, &panel32::pack, nullptr, &plan_panel, &run_f32_portable},
};

}  // namespace amxlab::plain
