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

}  // namespace amxlab
