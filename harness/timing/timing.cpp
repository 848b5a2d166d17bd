#include "harness/timing/timing.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>

#include "kernels/core/error.h"

namespace amxlab::timing {
namespace {

std::mutex g_run_mutex;      // Google Benchmark's registry and runner are global
std::mutex g_context_mutex;  // guards g_context
std::map<std::string, std::string> g_context;

void initialize_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // A fixed, sane argv: no flags from our own command line reach Google Benchmark.
    static char arg0[] = "amxlab";
    char* argv[] = {arg0, nullptr};
    int argc = 1;
    benchmark::Initialize(&argc, argv);
  });
}

// Captures every repetition's real time; optionally forwards to the console reporter.
class CaptureReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CaptureReporter(bool print) {
    if (print) console_ = std::make_unique<benchmark::ConsoleReporter>();
  }

  bool ReportContext(const Context& context) override {
    return console_ ? console_->ReportContext(context) : true;
  }

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;  // Google Benchmark's own aggregates
      if (r.error_occurred) {
        if (error.empty()) error = r.error_message;
        continue;
      }
      if (r.iterations <= 0) continue;
      seconds.push_back(r.real_accumulated_time / static_cast<double>(r.iterations));
      iterations = r.iterations;
    }
    if (console_) console_->ReportRuns(runs);
  }

  void Finalize() override {
    if (console_) console_->Finalize();
  }

  std::vector<double> seconds;
  int64_t iterations = 0;
  std::string error;

 private:
  std::unique_ptr<benchmark::ConsoleReporter> console_;
};

}  // namespace

TimingResult summarize(const std::vector<double>& seconds_per_iter, int64_t iterations) {
  TimingResult r;
  r.seconds_per_iter = seconds_per_iter;
  r.iterations = iterations;
  const size_t n = seconds_per_iter.size();
  if (n == 0) return r;
  std::vector<double> sorted = seconds_per_iter;
  std::sort(sorted.begin(), sorted.end());
  r.min_s = sorted.front();
  r.median_s = (n % 2 == 1) ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  double sum = 0;
  for (double s : sorted) sum += s;
  r.mean_s = sum / static_cast<double>(n);
  if (n > 1 && r.mean_s > 0) {
    double ss = 0;
    for (double s : sorted) ss += (s - r.mean_s) * (s - r.mean_s);
    r.cv = std::sqrt(ss / static_cast<double>(n - 1)) / r.mean_s;
  }
  return r;
}

TimingResult time_function(const std::string& name, const std::function<void(int64_t)>& body,
                           const TimingOptions& o) {
  require(static_cast<bool>(body), "timing '" + name + "': no body to time");
  require(o.repetitions >= 1,
          "timing '" + name + "': repetitions must be >= 1, got " + std::to_string(o.repetitions));
  require(o.min_time_s > 0 && std::isfinite(o.min_time_s),
          "timing '" + name + "': min_time_s must be > 0, got " + std::to_string(o.min_time_s));
  require(o.warmup_s >= 0 && std::isfinite(o.warmup_s),
          "timing '" + name + "': warmup_s must be >= 0, got " + std::to_string(o.warmup_s));
  initialize_once();

  const std::lock_guard<std::mutex> lock(g_run_mutex);
  int64_t counter = 0;
  if (o.untimed_first_call) body(counter++);
  std::exception_ptr failure;
  auto fn = [&](benchmark::State& st) {
    if (failure) {
      st.SkipWithError("skipped: the body threw in an earlier run");
      return;
    }
    try {
      for (auto _ : st) body(counter++);
    } catch (...) {
      failure = std::current_exception();
      st.SkipWithError("the timed body threw an exception");
    }
  };

  benchmark::ClearRegisteredBenchmarks();  // run exactly one benchmark: ours
  const std::string bench_name = o.cold ? name + "/cold" : name;
  benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(bench_name.c_str(), fn);
  b->Repetitions(o.repetitions)->MinTime(o.min_time_s)->UseRealTime()->Unit(benchmark::kMicrosecond);
  if (o.warmup_s > 0) b->MinWarmUpTime(o.warmup_s);

  CaptureReporter reporter(o.print);
  benchmark::RunSpecifiedBenchmarks(&reporter, "all");
  benchmark::ClearRegisteredBenchmarks();

  if (failure) std::rethrow_exception(failure);
  if (!reporter.error.empty()) throw Error("timing '" + name + "': " + reporter.error);
  if (reporter.seconds.empty())
    throw Error("timing '" + name + "': Google Benchmark reported no measurement");
  return summarize(reporter.seconds, reporter.iterations);
}

void add_context(const std::string& key, const std::string& value) {
  const std::lock_guard<std::mutex> lock(g_context_mutex);
  const bool first = g_context.find(key) == g_context.end();
  g_context[key] = value;
  // Google Benchmark warns on stderr when a key is added twice; give it the first value only.
  if (first) benchmark::AddCustomContext(key, value);
}

std::map<std::string, std::string> context() {
  const std::lock_guard<std::mutex> lock(g_context_mutex);
  return g_context;
}

int64_t cold_buffer_copies(uint64_t working_set_bytes, uint64_t cold_bytes) {
  require(working_set_bytes > 0, "cold_buffer_copies: the working set must be > 0 bytes");
  const uint64_t q = cold_bytes / working_set_bytes + (cold_bytes % working_set_bytes != 0 ? 1 : 0);
  return static_cast<int64_t>(q) + 1;
}

}  // namespace amxlab::timing
