// Runs one case: builds its data, runs golden, the kernel and oneDNN, compares, times,
// and returns the case's JSON record (results/README.md describes its fields).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/runner/case_data.h"
#include "harness/runner/case_placement.h"
#include "harness/sweep/case.h"

namespace amxlab::harness {

struct RunOptions {
  bool check = true;   // golden vs kernel, oneDNN vs golden, zero trust
  bool bench = false;  // timing of the kernel and of oneDNN
  bool onednn = true;  // include oneDNN (check and/or timing)
  int repetitions = 5;
  double min_time_s = 0.05;
  bool cold = true;  // also time with rotating buffers (cold caches)
  // > 0: after the hot timing, this many rounds that each time the kernel (hot, one
  // repetition) and its block format's golden-mix loop on the same workers, back to back
  // in alternating order: a % of the format ceiling from one moment, not from a
  // calibration made minutes earlier on a shared machine (throughput.h).
  int paired_ceiling_rounds = 0;
  // > 0: the same for the read roofline: this many rounds of the kernel (hot, and cold
  // when timed) and the calibration's read loop over the same working set on the same
  // workers (time against GGUF bytes / that round's bandwidth).
  int paired_roofline_rounds = 0;
  // > 0 (with onednn): the same for oneDNN's matmul of the case (onednn_time's reference):
  // this many rounds of the kernel (hot) and oneDNN back to back, a speed ratio per round
  // (onednn_reference.h paired_onednn).
  int paired_onednn_rounds = 0;
  uint64_t cold_bytes = 0;  // rotate at least this many bytes in cold mode (0: 2x 512 MiB... see runner.cpp)
  DataSources sources;
  std::string output_npy;      // write the kernel's output here (F32 [M][N])
  nlohmann::json calibration;  // from `amxlab calibrate`, for roofline percentages (may be null)
  // oneDNN timed once per ISA cap, each in its own subprocess (the cap acts once per
  // process), e.g. {"avx512_core_vnni", "avx512_core_amx"}; empty: this process's oneDNN.
  std::vector<std::string> onednn_isas;
  std::string self_exe;        // the amxlab binary, for those subprocesses
  PlacementOptions placement;  // huge pages, page-query backend (case_placement.h)
};

// The one-line command that reruns exactly this case.
std::string reproducer(const Case& c, const RunOptions& o);

// The fields every case record opens with, whatever became of the case (run_case, and
// the sweep's records of a case that crashed or timed out): descriptor, kernel, type,
// shape, threads, reproducer, and the data sources when they are not seeded.
nlohmann::json case_record_head(const Case& c, const RunOptions& o);

// Never throws for a kernel's fault: an error is recorded as verdict ERROR with its text.
nlohmann::json run_case(const Case& c, const RunOptions& o);

}  // namespace amxlab::harness
