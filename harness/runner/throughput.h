// Timing of a case through the Google Benchmark library (harness/timing) and the rates
// derived from it: GOPS, GB/s of GGUF weight bytes, % of the measured roofline.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/runner/kernel_under_test.h"
#include "harness/runner/runner.h"
#include "harness/timing/timing.h"

namespace amxlab::harness {

timing::TimingResult time_body(const std::string& name, const std::function<void(int64_t)>& body,
                               const RunOptions& o, bool cold);
nlohmann::json timing_json(const timing::TimingResult& t);

// Adds gops, weight_gbps and, when a calibration is present, roofline_pct with the
// roofline it used: read bandwidth at the working-set size for small M (memory bound),
// peak int8 (or bf16 / fp32) throughput otherwise.
void add_rates(nlohmann::json& j, const Case& c, double seconds, double weight_bytes, const RunOptions& o);
// With a calibration: memory_roofline_gbps (read bandwidth at `working_set_bytes`) and
// time_vs_memory_roofline = seconds / (weight_bytes / that bandwidth) into j.
void add_memory_roofline(nlohmann::json& j, const Case& c, double seconds, double weight_bytes,
                         double working_set_bytes, const RunOptions& o);

// Bytes a cold timing rotates at least: RunOptions::cold_bytes, else the calibration's
// last cache knee for the case's threads, else 256 MiB.
uint64_t cold_bytes_for(const Case& c, const RunOptions& o);

// Per round: `a` and `b` timed back to back (one repetition each of RunOptions::min_time_s),
// the order alternating between rounds; seconds per call of each.
struct PairTimes {
  std::vector<double> a_s, b_s;
};
PairTimes time_pairs(int rounds, const std::string& a_name, const std::function<void(int64_t)>& a,
                     const std::string& b_name, const std::function<void(int64_t)>& b, const RunOptions& o);
// {rounds, <key>_median, <key>_min, <key>_max} of per-round values v (rounds: the records).
nlohmann::json spread(const std::string& key, const std::vector<double>& v, nlohmann::json rounds);

// RunOptions::paired_ceiling_rounds rounds, each timing the kernel (hot, one repetition)
// and its block format's golden-mix loop (harness/calibrate/loops.h) on the case's own
// workers back to back, in alternating order: {mix, rounds [{kernel_gops, ceiling_gops,
// pct}], pct_median, pct_min, pct_max}, or {skipped: why} (no mix for the type, a CPU
// without the loops' ISA, a kernel that runs on the calling thread). y: the output buffer.
nlohmann::json paired_ceiling(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o,
                              void* y);
// RunOptions::paired_roofline_rounds rounds, each timing `kernel` (one repetition: the hot
// call, or the cold rotation) and the calibration's read loop over a buffer of
// `working_set_bytes` (one copy of the weights hot, the rotation cold) on the case's own
// workers, back to back in alternating order: {rounds [{kernel_s, read_gbps,
// time_vs_roofline}], time_vs_roofline_median, _min, _max, working_set_bytes}, or
// {skipped: why}. time_vs_roofline = kernel_s / (weight_bytes / that round's GB/s), with
// weight_bytes the GGUF bytes one call reads (an MoE call: its routed experts').
// The read buffer is first-touched by each worker (its local node), as the calibration's
// is, whatever the case's NUMA policy.
nlohmann::json paired_roofline(const Case& c, KernelUnderTest& k, const RunOptions& o,
                               const std::function<void(int64_t)>& kernel, double weight_bytes,
                               double working_set_bytes, const std::string& label);

// The hot pairs the options ask for, into j: format_ceiling_paired,
// hot.roofline_paired (weight_bytes: the GGUF bytes one hot call reads, also the working
// set) and onednn_paired (onednn_reference.h; an MoE case's with its per-expert loop,
// moe_case.h). The cold pair needs the caller's rotation: paired_roofline directly.
void add_paired_hot(nlohmann::json& j, const Case& c, const CaseData& d, KernelUnderTest& k,
                    const RunOptions& o, void* y, double weight_bytes);

// Hot (same buffers) and cold (rotating copies of the weights totalling more than the
// last measured cache knee) timings of the kernel.
nlohmann::json time_kernel(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o);

}  // namespace amxlab::harness
