// Portable Q8_0 / Q4_0 / Q4_1 / IQ4_NL (and, below, K-quant) kernels: plain C++ (no intrinsics, no ISA
// flags), reading the same vnni16 layout as the VNNI kernels, so that every x86-64 CPU gets the golden bits
// from the same packed weights. One output at a time ("1x1"), blocks in ascending K: acc =
// fmaf((float)isum_b, d_w * d_a, acc) [q4_1: acc = fmaf(m_w, s_a, acc)].
#pragma once

#include <cstdint>
#include <span>

#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"
#include "kernels/isa.h"
#include "kernels/kquant_names.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/pack/vnni_pack.h"

namespace amxlab::generic {

// QuantizeFn: kernels/core quantize_activations to Q8_0 / Q8_1.
void quantize_q8_0(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out);
void quantize_q8_1(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out);
void quantize_q8_k(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                   std::span<std::byte> out);

// PlanFn: any cut works; 4 x 16 keeps slices whole strips.
Plan plan_portable(int64_t m, int64_t n, int64_t k);

void run_q8_0_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_0_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_q4_1_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
void run_iq4_nl_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s);
// K-quants over kq_i8_vnni16 (portable_kquant.cpp): per output, super-blocks in ascending
// K, S and T from the unpacked codes exactly as kernels/vnni/kquant_tile.h sums them.
template <QType T>
void run_kq_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);
template <QType T>
constexpr KernelDesc kq_portable_desc() {
  return {kq_kernel_name(T, KqKernel::portable),
          T,
          QType::Q8_K,
          KernelOp::gemm,
          1,
          1,
          kIsaNone,
          Engine::native,
          Layout::kq_i8_vnni16,
          &kq16::pack,
          &quantize_q8_k,
          &plan_portable,
          &run_kq_portable<T>};
}

inline constexpr KernelDesc kPortableKernels[] = {
    {"q8_0_gemm_1x1__portable", QType::Q8_0, QType::Q8_0, KernelOp::gemm, 1, 1, kIsaNone, Engine::native,
     Layout::q8_0_vnni16, &vnni16::pack, &quantize_q8_0, &plan_portable, &run_q8_0_portable},
    {"q4_0_gemm_1x1__portable", QType::Q4_0, QType::Q8_0, KernelOp::gemm, 1, 1, kIsaNone, Engine::native,
     Layout::q4_0_vnni16, &vnni16::pack, &quantize_q8_0, &plan_portable, &run_q4_0_portable},
    {"q4_1_gemm_1x1__portable", QType::Q4_1, QType::Q8_1, KernelOp::gemm, 1, 1, kIsaNone, Engine::native,
     Layout::q4_1_vnni16, &vnni16::pack, &quantize_q8_1, &plan_portable, &run_q4_1_portable},
    {"iq4_nl_gemm_1x1__portable", QType::IQ4_NL, QType::Q8_0, KernelOp::gemm, 1, 1, kIsaNone, Engine::native,
     Layout::iq4_nl_vnni16, &vnni16::pack, &quantize_q8_0, &plan_portable, &run_iq4_nl_portable},
    kq_portable_desc<QType::Q2_K>(),
    kq_portable_desc<QType::Q3_K>(),
    kq_portable_desc<QType::Q4_K>(),
    kq_portable_desc<QType::Q5_K>(),
    kq_portable_desc<QType::Q6_K>(),
    kq_portable_desc<QType::IQ4_XS>(),
};

}  // namespace amxlab::generic
