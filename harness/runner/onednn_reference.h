// oneDNN's part of a case, and the exact (double) model of the float cases.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "harness/runner/case_data.h"
#include "harness/runner/runner.h"
#include "reference/golden/error_bounds.h"
#include "reference/onednn/matmul.h"
#include "reference/onednn/omp_pinning.h"

namespace amxlab::harness {

// The oneDNN matmul a case of weight type t is compared with: the same kind for plain
// types (f16: f32 on widened weights; bf16 on a CPU where oneDNN has no bf16 matmul, as
// without AVX-512: f32 on widened weights and activations), u8s8s32 for quantised types
// (the int8 reference).
onednn::MatmulKind onednn_kind_of(QType t);
// Whether a bf16 case's oneDNN side is that f32 matmul on widened values.
bool bf16_widened_to_f32(const Case& c);
// The CPUs oneDNN's OpenMP team is pinned to: the case's placement, as the pool's.
std::vector<int> onednn_cpus(const Case& c);
// The pages oneDNN's reordered weights get for timing: huge pages when the kernels' are
// (RunOptions::placement.hugepages), so both sides stream from the same kind of page.
onednn::WeightPages weight_pages(const RunOptions& o);

// Timing data for oneDNN (values do not matter for speed): `count` elements of `elem`
// bytes, integers in [0, 64) (int32 sums stay in range), floats in [-2, 2) in steps of
// 1/16 (no denormals, no special values; bf16 when elem is 2).
std::vector<std::byte> filled_for_timing(int64_t count, size_t elem, std::mt19937& rng);

// What a timed oneDNN reference of a case starts from: its OpenMP team pinned to
// onednn_cpus(c) for its lifetime, the kind of matmul (onednn_kind_of), the bytes of an
// input element and a generator seeded by the case for filled_for_timing.
struct OnednnTiming {
  explicit OnednnTiming(const Case& c);

  std::vector<int> cpus;
  onednn::OmpPinning pinning;
  onednn::MatmulKind kind;
  size_t elem;
  std::mt19937 rng;
};

// The exact model a float case is checked against (bf16 with DAZ/FTZ slack).
golden::ExactModel exact_reference(const Case& c, const CaseData& d);

// oneDNN vs golden: raw int8 cases bitwise (s8s8s32 / u8s8s32); bf16 / f32 within the
// analytic bound of the exact model; quantised types as oneDNN's f32 matmul over the
// dequantised weights and the dequantised *quantised* activations, within
// 2 gamma(K) sum|w a| of golden (both are fp32 evaluations of the same exact sum).
// Returns {"pass", "impl", "detail", metrics...}.
nlohmann::json onednn_check(const Case& c, const CaseData& d, const void* y_golden);

// Times oneDNN on the case's shape and threads: the same kind for plain types, and
// u8s8s32 for quantised types (the int8 speed reference). Returns timing JSON.
nlohmann::json onednn_time(const Case& c, const RunOptions& o);

// RunOptions::paired_onednn_rounds rounds, each timing `kernel` (the case's hot call) and
// `onednn` (its reference, ready to run) back to back on the same CPUs, in alternating
// order: {impl, rounds [{kernel_s, onednn_s, speed_vs_onednn}], speed_vs_onednn_median,
// _min, _max} with speed_vs_onednn = onednn_s / kernel_s.
nlohmann::json paired_onednn_rounds(const Case& c, const RunOptions& o, const std::string& kernel_name,
                                    const std::function<void(int64_t)>& kernel,
                                    const std::function<void(int64_t)>& onednn, const std::string& impl);

// paired_onednn_rounds against onednn_time()'s matmul, or {skipped: why} where oneDNN has
// no matmul of the kind here. Dense cases only (an MoE case pairs with its per-expert
// loop: moe_case.h, paired_onednn_moe).
nlohmann::json paired_onednn(const Case& c, const RunOptions& o, const std::string& kernel_name,
                             const std::function<void(int64_t)>& kernel);

// onednn_time() in one subprocess per ISA cap of o.onednn_isas (`amxlab onednn-time`),
// merged as {"<isa>": {..., "effective_isa", "impl"}}.
nlohmann::json onednn_time_per_isa(const Case& c, const RunOptions& o);

// The subprocess side: caps oneDNN's ISA, times the case, prints the JSON to stdout.
int run_onednn_time_worker(const std::string& descriptor, const std::string& isa, int repetitions,
                           double min_time_s, bool hugepages);

}  // namespace amxlab::harness
