// The harness side of mixture-of-experts cases (Case::moe(), DESIGN.md "Mixture of
// experts"): the golden model per (token, slot), moe_gemm as a kernel under test on the
// case's pinned pool, its timing (hot, and over rotating routings so a decode step reads
// other experts' weights each call), and oneDNN's reference: a loop of per-expert
// matmuls over the same routed rows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "harness/runner/case_data.h"
#include "harness/runner/case_placement.h"
#include "harness/runner/kernel_under_test.h"
#include "harness/runner/runner.h"
#include "kernels/moe/moe_dispatch.h"

namespace amxlab::harness {

// y [T * top_k][N]: per route the single-expert golden GEMM (reference/golden/golden_moe.h);
// for s8 / u8 golden's exact int32 GEMM; for bf16 / f16 / f32 the case's kernels' exact
// model (reference/golden/kernel_models.h), which those kernels match bit for bit (its
// analytic bound against exact arithmetic is checked by the dense cases).
void run_golden_moe(const Case& c, const CaseData& d, void* y);

// The case's MoE kernels: the dispatcher's choice for kernel=auto over the case's routing
// `ids` (and for golden / test.*, which stand for it), else the named ones.
moe::MoeKernels moe_kernels_of(const Case& c, std::span<const int32_t> ids, std::string* why = nullptr);

// moe_gemm with the case's kernels ("auto", a registry kernel, or "<large>+<small>"); ids:
// the case's routing (the auto choice depends on its largest expert group).
std::unique_ptr<KernelUnderTest> make_moe_kernel(const Case& c, std::span<const int32_t> ids,
                                                 const PlacementOptions& placement);

// Hot timing (the case's routing) and rotating timing (kRotations routings of the same
// distribution, one per iteration: other experts each call), rates on the routed work.
nlohmann::json time_moe_kernel(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o);

// An emulated AMX kernel set is not timed (the emulator's speed says nothing about the
// hardware's): its groups on the AMX kernel get the Sapphire Rapids model's time
// (amx::model_gemm of each group's rows, one core), labelled engine=emulated,
// timing=model; groups on a non-AMX small kernel are counted, not modelled.
nlohmann::json model_moe_timing(const Case& c, const CaseData& d, const KernelUnderTest& k);

// oneDNN: per-expert matmuls over the routed rows (gathered before timing). s8 / u8:
// bitwise against golden; other types have no oneDNN equivalent to check (timing only).
nlohmann::json onednn_moe_check(const Case& c, const CaseData& d, const void* y_golden);
nlohmann::json onednn_moe_time(const Case& c, const CaseData& d, const RunOptions& o);

// RunOptions::paired_onednn_rounds rounds of `kernel` (the case's hot MoE call) and
// onednn_moe_time()'s per-expert loop over the same routed rows, back to back on the same
// CPUs (onednn_reference.h, paired_onednn_rounds, for the record).
nlohmann::json paired_onednn_moe(const Case& c, const CaseData& d, const RunOptions& o,
                                 const std::string& kernel_name, const std::function<void(int64_t)>& kernel);

}  // namespace amxlab::harness
