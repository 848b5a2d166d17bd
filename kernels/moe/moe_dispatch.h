// Which registry kernels run a moe_gemm (kernels/moe/moe_gemm.h) of a weight type here,
// and the row threshold between them.
//
// Rule (auto): `large` is the dispatcher's GEMM for a large M (choose_kernel: the GEMM of
// the highest ISA level that can run, AMX where usable); `small` is the dispatcher's
// kernel for M = 1 when it reads the same layout (on this lab's AVX-512 machines: the
// VNNI GEMV beside the VNNI GEMM; on AMX: the K-quant, IQ4_XS and raw int8 / bf16 VNNI
// kernels share the AMX kernels' layouts), else the best runnable kernel of large's
// layout at M = 1, else large itself (Q8_0 / Q4_0 / Q4_1 / IQ4_NL on AMX: their AMX
// B-tile layout is read by the AMX kernels only, so one-row groups run there too).
// The threshold, kDefaultMoeLargeMinRows, is measured (kernels/README.md "MoE"): an
// expert's group is cold (its weights come from DRAM once per call), and up to 3 rows the
// GEMV, which prefetches its weight streams, beats the GEMM although it reads the weights
// once per row (the second read hits L2); from 4 rows the GEMM wins. AMXLAB_MOE_MIN_ROWS
// (an integer >= 1) overrides it. Where large is the native AMX GEMM the threshold is
// kDefaultMoeLargeMinRowsAmx = 1, measured on Emerald Rapids (16 threads, Qwen3-30B-A3B's
// expert shape e128top8t64n768k2048, uniform routing: Q4_K 1861 / 2266 / 2167 us and Q6_K
// 2979 / 3172 / 3099 us with thresholds 1 / 4 / 16 - the AMX GEMM beats the VNNI GEMV and
// GEMM even for one-row groups; results/intel-xeon-emerald-rapids-16core-vm/).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/moe/moe_gemm.h"

namespace amxlab::moe {

// Groups of at least this many rows run on the large kernel (see above).
inline constexpr int64_t kDefaultMoeLargeMinRows = 4;
inline constexpr int64_t kDefaultMoeLargeMinRowsAmx = 1;  // large = the native AMX GEMM
// The measured default for groups on `large`: kDefaultMoeLargeMinRowsAmx for a native AMX
// GEMM, else kDefaultMoeLargeMinRows.
int64_t default_moe_large_min_rows(const KernelDesc& large);
// AMXLAB_MOE_MIN_ROWS when set to an integer >= 1, else the default for `large`; `source`
// as env_setting (kernels/dispatch.h) says. The auto choice and named kernels alike.
int64_t moe_large_min_rows(const KernelDesc& large, std::string* source = nullptr);

// The auto choice; `why` receives the kernels and the reasons. Throws Error when no
// kernel of the type can run here.
MoeKernels choose_moe_kernels(QType type, std::string* why = nullptr);

// The auto choice for a known routing (ids [T][top_k] over `experts`): as above, except
// when every expert group has fewer rows than the threshold (a decode step: T = 1 and
// top-k distinct experts) and the dispatcher's M = 1 kernel reads another layout than
// large: then every group runs on that kernel and the experts are packed for it, as a
// dense M = 1 case packs for the GEMV. For the K-quants and IQ4_XS that is the nibble
// GEMV (140-212 bytes per 256 weights streamed instead of the GEMM layout's 308:
// Qwen3-30B-A3B's expert shape at T = 1, Q4_K, Zen 4, cold: 737 -> 358 us at one
// thread, 547 -> 200 us at two; kernels/README.md "MoE"). Quantised and raw integer
// types only, where every kernel is bitwise golden (a float kernel's exact model is
// its own). Ids are not checked here (moe_gemm does): an id out of range counts as no
// group.
MoeKernels choose_moe_kernels(QType type, std::span<const int32_t> ids, int64_t experts,
                              std::string* why = nullptr);

// Kernels named "<large>+<small>" or "<kernel>" (every group on it), registry names, for
// weights of `type`, with the auto threshold. Throws Error for an unknown name, a kernel
// of another type, a pair that reads different layouts, or one that cannot run here.
MoeKernels moe_kernels_named(std::string_view spec, QType type);

}  // namespace amxlab::moe
