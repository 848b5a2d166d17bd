// The dispatcher: which registered kernel runs a weight type at a given M on this CPU,
// under the ISA cap (AMXLAB_MAX_ISA / set_isa_cap), and why.
//
// Rules: only native kernels of that weight type whose ISA isa_supported() accepts are
// eligible. When M <= gemv_max_m() and a GEMV kernel is eligible, the one of the highest
// ISA level runs (a GEMV streams the weights once per row and wins at small M); otherwise
// the eligible GEMM of the highest ISA level (amx > avx512_vnni > avx2/avx-vnni > portable).
// Kernels of one type may read different layouts: pack with the chosen kernel's pack().
#pragma once

#include <cstdint>
#include <string>

#include "kernels/gemm_kernel.h"

namespace amxlab {

// Default GEMV threshold, from the measurement in kernels/README.md ("Dispatcher").
inline constexpr int64_t kDefaultGemvMaxM = 1;

// The measured default of one weight type (kernels/README.md "Dispatcher": GEMV against
// GEMM at M = 1..4 per type, N = K = 4096 and N = 4096 K = 14336, 1 and 2 threads).
// Every type measured so far has 1; a type whose GEMV and GEMM were not compared
// has kDefaultGemvMaxM.
int64_t default_gemv_max_m(QType type);
// The same for the GEMVs of one ISA level (isa_rank): at level 1, the 1x16 AVX2 / AVX-VNNI
// GEMVs against the 2x16 GEMMs, whose 2-row tile gains less from a second row than the
// AVX-512 4x32 one: Q4_K and IQ4_XS 3 (measured with the plain AVX2 pair, M = 1..6, N =
// 4096, K = 14336, hot and cold, 1 and 2 threads: the GEMV ahead at M = 2 and 3 in all
// four, the GEMM at M = 4 cold; kernels/README.md "Dispatcher"); Q2_K 4 (the AVX2 GEMM
// with int16 sums ahead from M = 6 or 8); every other (type, level) as
// default_gemv_max_m(type).
int64_t default_gemv_max_m(QType type, int level);

// The threshold in force: set_gemv_max_m() if called, else AMXLAB_GEMV_MAX_M from the
// environment (a non-negative integer; anything else is ignored), else the default
// (of `type`, or kDefaultGemvMaxM).
int64_t gemv_max_m();
int64_t gemv_max_m(QType type);
int64_t gemv_max_m(QType type, int level);
// n >= 0 sets the threshold; n < 0 returns to the environment / default.
void set_gemv_max_m(int64_t n);

// An integer setting from the environment: `var` when it holds an integer >= min, else
// `fallback`; `source` (if given) says which: "<var>", "default", or
// "default; <var>='<value>' ignored".
int64_t env_setting(const char* var, int64_t min, int64_t fallback, std::string* source = nullptr);

// The kernel to run; `why` (if given) receives its name and the reasons, including the
// kernels that were not eligible. Throws Error when no kernel of that type can run.
const KernelDesc& choose_kernel(QType type, int64_t m, std::string* why = nullptr);

// 0 portable, 1 avx2 / avx-vnni (the plain AVX2 kernels and the AVX-VNNI ones), 2 avx512
// (vnni), 3 amx: the ISA level of a kernel.
int isa_rank(uint32_t isa);
// The order kernels of one type and op are preferred in: the higher ISA level, then, within
// a level, the kernel needing more extensions (e.g. a GEMV that also uses GFNI over the
// plain AVX-512 VNNI one: it can run only where it is the faster choice, kernels/README.md).
int isa_preference(uint32_t isa);
// Whether a small M leaves the best GEMV for the best GEMM all the same: the two are of one
// ISA level and the GEMM needs every extension the GEMV needs and more: a plain AVX2 GEMV
// (measured only against the GEMMs of the same VPMADDUBSW dot, never against VPDPBUSD)
// never takes M = 1 from an AVX-VNNI GEMM. Every quantised type now has an AVX-VNNI GEMV,
// which is preferred anyway; the rule covers a type whose only GEMV lacks the extension.
// Across levels (an AVX-512 GEMV beside an AMX GEMM) the GEMV keeps the small M.
bool gemv_outranked(uint32_t gemv_isa, uint32_t gemm_isa);

}  // namespace amxlab
