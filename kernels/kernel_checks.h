// The argument checks every GEMM kernel makes on its activation, output and slice views
// (shared by the VNNI, portable and AMX families; each checks its own packed layout).
#pragma once

#include <string_view>

#include "kernels/gemm_kernel.h"

namespace amxlab {

// Throws Error naming `who` unless the activations are traits(wt).act_type with K=k and
// a full row stride, the output has N=n and the same M, and the slice lies inside it.
// Runs on every kernel call: messages are built only when a check fails.
void check_gemm_views(QType wt, std::string_view who, int64_t n, int64_t k, const ActivationView& a,
                      const OutputView& y, const Slice& s);

// Throws Error "<who>: <output> overlaps the activations" when the M rows of `a` (rows of
// `arow` bytes) and of `y` (N = `n` 4-byte outputs each) share a byte: the kernels read the
// one while they write the other. Nothing to check for M = 0 or a null view.
void require_apart(std::string_view who, std::string_view output, const ActivationView& a, size_t arow,
                   const OutputView& y, int64_t n);

}  // namespace amxlab
