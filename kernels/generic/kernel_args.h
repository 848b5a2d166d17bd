// Argument checks shared by the vnni16 kernels (portable, AVX-512 VNNI, AVX-VNNI): one
// place decides what a legal run() call is and words its errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "kernels/gemm_kernel.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::kernel_args {

// Checks weights (type, vnni16 layout, size), activations (type, K, M, stride, buffer),
// output (N, M, stride), slice bounds, and fills `g` (pointers at row m0; prep unset).
// Returns false for an empty slice (nothing to do). Throws Error naming `kernel`.
// `layout`: the kernel's vnni16 layout (the type's own, or iq4_nl_nib_vnni16 for IQ4_NL's
// GEMV); it decides the inner loop (GemmArgs::kind).
bool check_vnni16_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                      const OutputView& y, const Slice& s, vnni::raw::GemmArgs& g, Layout layout);

// The same for the K-quant kernels over kq_i8_vnni16 (kernels/pack/kquant_pack.h) or,
// with layout = kq_nib_vnni16, the Q4_K / IQ4_XS GEMV (kernels/pack/kquant_nibble_pack.h);
// fills `g` except partial.
bool check_kq16_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                    const OutputView& y, const Slice& s, vnni::raw::KqArgs& g,
                    Layout layout = Layout::kq_i8_vnni16);

// Throws Error("<kernel>: cannot run here: ...") unless isa_supported(isa). One cached
// CPUID lookup: it keeps a direct call of a RunFn (not through the dispatcher) from
// reaching an illegal instruction.
void require_isa(uint32_t isa, const char* kernel);

// A per-thread scratch buffer of at least `floats` floats (grows, never shrinks; its
// contents do not survive a growth). From 2 MiB up it is a mapping of its own, aligned to
// 2 MiB with transparent huge pages advised (kernel_args.cpp says why).
float* thread_scratch(size_t floats);

// Checks of a QuantizeFn call (act q8_0 / q8_1 / q8_K): sizes and buffers; throws Error.
void check_quantize(QType act, const char* who, std::span<const float> a, int64_t m, int64_t k,
                    std::span<std::byte> out);

}  // namespace amxlab::kernel_args
