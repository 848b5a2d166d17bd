// Timing through the Google Benchmark library (DESIGN.md "Measuring speed"): no
// hand-rolled timers. time_function() registers one benchmark at run time, runs it
// with a private reporter that captures every repetition's real time, and returns
// the per-repetition figures with median, mean, CV and min.
//
// How Google Benchmark runs it: the first repetition grows the iteration count
// (1, then up to x10 per try) until a run lasts at least min_time_s; that run is the
// first repetition's measurement and every later repetition reuses its iteration
// count. Timing is wall clock (UseRealTime). The body is called once per iteration
// with a counter that increases by one on every call, across the estimation runs
// and all repetitions (0, 1, 2, ...), so a cold-cache caller can rotate buffers with
// `iteration % copies`.
//
// Google Benchmark keeps global state: calls are serialised by a process-wide
// mutex, and the body must not call time_function() itself. An exception thrown by
// the body stops the measurement and is rethrown (other benchmarks registered by
// anyone else are cleared before and after each call).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace amxlab::timing {

struct TimingOptions {
  int repetitions = 5;      // >= 1
  double min_time_s = 0.1;  // > 0: minimum duration of each repetition
  bool cold = false;        // label only: the caller rotates buffers (see cold_buffer_copies)
  double warmup_s = 0.0;    // >= 0: Google Benchmark MinWarmUpTime before measuring
  // One call of the body before any timing. A first call's one-time costs (oneDNN's first
  // execution of a primitive, first writes to an output's pages) otherwise land in the
  // measurement whenever one call outlasts min_time_s - at one repetition, in the whole
  // result (a bf16 MoE oneDNN loop read 15 ms against its 20 us, 2026-12-01).
  bool untimed_first_call = false;
  bool print = false;  // also print Google Benchmark's console report (stdout)
};

struct TimingResult {
  std::vector<double> seconds_per_iter;                // one per repetition, wall clock
  double median_s = 0, mean_s = 0, cv = 0, min_s = 0;  // cv = sample stddev / mean
  int64_t iterations = 0;                              // iterations per repetition
};

// Times `body`. `name` labels the benchmark (and the console report when printing);
// "/cold" is appended in cold mode. Throws amxlab::Error on bad options or when the
// benchmark reports an error, and rethrows what the body threw.
TimingResult time_function(const std::string& name, const std::function<void(int64_t iteration)>& body,
                           const TimingOptions& options);

// Median / mean / CV / min of per-iteration times (the statistics time_function uses).
// Median of an even count is the mean of the two middle values; CV uses the sample
// standard deviation (n - 1), 0 for a single value.
TimingResult summarize(const std::vector<double>& seconds_per_iter, int64_t iterations);

// Adds a key/value fact (ISA cap, NUMA binding, thread placement, ...) to Google
// Benchmark's context (benchmark::AddCustomContext), shown with a printed report, and to
// context(), which results files record. Google Benchmark keeps the first value given
// for a key; context() keeps the latest.
void add_context(const std::string& key, const std::string& value);
std::map<std::string, std::string> context();

// Rotating copies needed for a cold-cache timing: buffers totalling more than the
// last measured cache knee (Calibration::cold_bytes()), so that an iteration finds no
// data of its own left in any cache: copies = ceil(cold_bytes / working_set_bytes) + 1.
// working_set_bytes > 0; cold_bytes == 0 (no knee measured) gives 1.
int64_t cold_buffer_copies(uint64_t working_set_bytes, uint64_t cold_bytes);

}  // namespace amxlab::timing
