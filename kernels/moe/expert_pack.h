// Expert-stacked weights for mixture-of-experts layers (DESIGN.md "Mixture of experts").
//
// A GGUF 3-D expert tensor (e.g. `ffn_gate_exps`, dims [K, N, E]) holds E experts of
// N rows of K elements, expert after expert: E * N GGUF rows. pack_experts() packs each
// expert with a registry kernel's pack function, as if it were a tensor of its own, into
// one PackedWeights (PackedWeights::stacked): expert e at e * expert_stride(), every
// expert cache-line aligned. Any kernel's layout works, since the packer of that layout
// does the work; the stack is packed once, on `parallel` (experts in parallel), and never
// moved. A GEMM kernel refuses stacked weights (PackedWeights::require); moe_gemm
// (kernels/moe/moe_gemm.h) refuses weights that are not stacked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/gemm_kernel.h"

namespace amxlab::moe {

// Packs E experts of [N][K] (gguf holds at least E * N * row_bytes(type, K) bytes) with
// kernel.pack(). The checksum covers exactly those bytes. Throws Error for E < 1, a type
// the kernel does not read, a short buffer, or anything the kernel's packer refuses.
PackedWeights pack_experts(const KernelDesc& kernel, QType type, std::span<const std::byte> gguf,
                           int64_t experts, int64_t n, int64_t k,
                           MemoryResource& memory = default_memory_resource(),
                           const ParallelFor& parallel = serial_for());

// The exact inverse: E * N GGUF rows, bit for bit, through unpack_to_gguf() of each
// expert's layout. Throws Error for weights that are not expert-stacked.
std::vector<std::byte> unpack_experts(const PackedWeights& w);

}  // namespace amxlab::moe
