#include "harness/threading/thread_pool.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

#include "kernels/core/error.h"
#include "kernels/core/fpenv.h"
#include "kernels/core/qtype.h"
#include "kernels/isa.h"

namespace amxlab::threading {
namespace {

// How long a waiting participant spins before it sleeps on the futex. Measured on this
// lab's 2-core Zen 5 VM (bench_call_overhead, handoff/*; kernels/README.md): an empty
// call handed to a PAUSE-spinning worker costs 0.27-0.49 us; to a sleeping one 24-60 us
// (futex wake, the VM's IPI, the worker's wake-up; the caller sleeps too without a
// spin). Spinning as long as a wake-up costs bounds the waste at 2x the better choice
// made with hindsight (the spin-then-block rule): 50 us, which covers calls that come
// up to ~50 us apart, as the matmuls of a decode step do; 20 us already missed a 30 us
// gap (15.6 us per hand-off), 100 us kept it at 1.0 us for a 100 us gap.
constexpr auto kDefaultSpin = std::chrono::microseconds(50);

thread_local const ThreadPool* t_current_pool = nullptr;
thread_local int t_bound_cpu = -1;

std::string hex32(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(v >> i) & 0xf];
  return s;
}

// Waits for v to differ from old: spins for `spin` (PAUSE when the waiter has a CPU of
// its own; sched_yield when it shares one, so that the thread it waits for can run),
// then sleeps on the futex (std::atomic::wait).
template <class T>
T wait_change(const std::atomic<T>& v, T old, std::chrono::nanoseconds spin, bool shared_cpu) {
  T cur = v.load(std::memory_order_acquire);
  if (cur != old) return cur;
  if (spin.count() > 0) {
    const auto deadline = std::chrono::steady_clock::now() + spin;
    do {
      for (int i = 0; i < 16; ++i) {
        if (shared_cpu) {
          sched_yield();
        } else {
          _mm_pause();
        }
        cur = v.load(std::memory_order_acquire);
        if (cur != old) return cur;
      }
    } while (std::chrono::steady_clock::now() < deadline);
  }
  while (cur == old) {
    v.wait(old, std::memory_order_acquire);
    cur = v.load(std::memory_order_acquire);
  }
  return cur;
}

// Worker 0's state for one call: pinned (unless a CallerBinding already holds that CPU),
// default MXCSR, marked as inside the pool; all restored on the way out, even on throw.
class CallerScope {
 public:
  CallerScope(const ThreadPool* pool, int cpu) : previous_pool_(t_current_pool), mxcsr_(read_mxcsr()) {
    if (cpu >= 0 && t_bound_cpu != cpu) pin_.emplace(cpu);
    set_default_mxcsr();
    t_current_pool = pool;
  }
  ~CallerScope() {
    t_current_pool = previous_pool_;
    _mm_setcsr(mxcsr_);
  }
  CallerScope(const CallerScope&) = delete;
  CallerScope& operator=(const CallerScope&) = delete;

 private:
  std::optional<CallerBinding> pin_;
  const ThreadPool* previous_pool_;
  uint32_t mxcsr_;
};

void pin_this_thread(int cpu, const std::string& who) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu < 0 || cpu >= CPU_SETSIZE)
    throw Error(who + " to CPU " + std::to_string(cpu) + " failed: no such CPU");
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    const int err = errno;
    throw Error(who + " to CPU " + std::to_string(cpu) + " failed: " + std::strerror(err));
  }
}

}  // namespace

struct CallerBinding::Saved {
  cpu_set_t mask;
};

CallerBinding::CallerBinding(int cpu) : previous_bound_(t_bound_cpu) {
  if (cpu < 0) return;
  auto saved = std::make_unique<Saved>();
  CPU_ZERO(&saved->mask);
  if (sched_getaffinity(0, sizeof saved->mask, &saved->mask) != 0) {
    const int err = errno;
    throw Error("CallerBinding: reading the calling thread's CPU mask failed: " +
                std::string(std::strerror(err)));
  }
  pin_this_thread(cpu, "CallerBinding: pinning the calling thread");
  saved_ = std::move(saved);
  t_bound_cpu = cpu;
}

CallerBinding::~CallerBinding() {
  if (!saved_) return;
  // Best effort: the mask was this thread's own a moment ago, so it is still valid.
  (void)sched_setaffinity(0, sizeof saved_->mask, &saved_->mask);
  t_bound_cpu = previous_bound_;
}

int bound_cpu() {
  return t_bound_cpu;
}

ThreadPool::ThreadPool(int threads, bool pin) {
  require(threads >= 1, "ThreadPool: threads=" + std::to_string(threads) + " must be at least 1");
  const std::vector<int> cpus = allowed_cpus();
  require(!pin || !cpus.empty(), "ThreadPool: sched_getaffinity gave no CPU to pin to");
  cpus_.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) cpus_.push_back(pin ? cpus[static_cast<size_t>(i) % cpus.size()] : -1);
  spin_ = kDefaultSpin;
  start();
}

ThreadPool::ThreadPool(std::vector<int> cpus) : ThreadPool(std::move(cpus), Options{}) {}

ThreadPool::ThreadPool(std::vector<int> cpus, Options options) : cpus_(std::move(cpus)) {
  require(!cpus_.empty(), "ThreadPool: no worker CPUs given");
  spin_ = options.spin.count() >= 0 ? options.spin : std::chrono::nanoseconds(kDefaultSpin);
  start();
}

void ThreadPool::start() {
  std::vector<int> pinned;
  for (int c : cpus_) {
    if (c >= 0) pinned.push_back(c);
  }
  std::sort(pinned.begin(), pinned.end());
  // Workers that are not pinned may share CPUs too: only pinned, distinct CPUs give
  // every participant a CPU of its own to spin on.
  oversubscribed_ = std::adjacent_find(pinned.begin(), pinned.end()) != pinned.end() ||
                    (pinned.size() != cpus_.size() && size() > static_cast<int>(allowed_cpus().size()));
  if (cpus_[0] >= 0) {
    // Worker 0 is whichever thread calls; check now that its CPU can be used at all.
    try {
      const CallerBinding probe(cpus_[0]);
    } catch (const Error& e) {
      throw Error("ThreadPool: pinning worker 0 (the caller) to CPU " + std::to_string(cpus_[0]) +
                  " failed: " + e.what());
    }
  }
  const int helpers = size() - 1;
  threads_.reserve(static_cast<size_t>(helpers));
  try {
    for (int i = 1; i <= helpers; ++i) threads_.emplace_back([this, i] { worker_loop(i); });
  } catch (...) {
    stop_threads();  // a thread could not be created: stop and join the ones that were
    throw;
  }
  // Wait until every worker has pinned itself (or failed to).
  int started = started_.load();
  while (started < helpers) {
    started_.wait(started);
    started = started_.load();
  }
  if (!start_error_.empty()) {
    const std::string msg = start_error_;
    stop_threads();
    throw Error(msg);
  }
}

void ThreadPool::stop_threads() {
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

ThreadPool::~ThreadPool() {
  stop_threads();
}

void ThreadPool::worker_loop(int index) {
  const int cpu = cpus_[static_cast<size_t>(index)];
  if (cpu >= 0) {
    try {
      pin_this_thread(cpu, "ThreadPool: pinning worker " + std::to_string(index));
    } catch (const Error& e) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (start_error_.empty()) start_error_ = e.what();
    }
  }
  set_default_mxcsr();
  t_current_pool = this;
  uint32_t seen = 0;
  started_.fetch_add(1);
  started_.notify_all();
  for (;;) {
    // Wait for the next task: spin (fork/join latency), then sleep.
    seen = wait_change(generation_, seen, spin_, oversubscribed_);
    if (stop_.load(std::memory_order_acquire)) return;
    run_share(index);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void ThreadPool::run_share(int index) {
  if (per_worker_) {
    if (index < count_ && !failed_.load(std::memory_order_relaxed)) run_task(index);
    return;
  }
  const int64_t count = count_;
  for (;;) {
    if (failed_.load(std::memory_order_relaxed)) break;
    const int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= count) break;
    run_task(i);
  }
}

void ThreadPool::run_task(int64_t i) {
  try {
    (*fn_)(i);
    if (!mxcsr_is_default()) {
      const uint32_t changed = read_mxcsr();
      set_default_mxcsr();
      throw Error("ThreadPool: task " + std::to_string(i) + " left MXCSR at " + hex32(changed) +
                  " (default " + hex32(kDefaultMxcsr) + "); restored");
    }
  } catch (...) {
    if (!mxcsr_is_default()) set_default_mxcsr();
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
    failed_.store(true, std::memory_order_relaxed);
  }
}

void ThreadPool::parallel_for(int64_t count, const std::function<void(int64_t)>& fn) {
  dispatch(count, fn, false);
}

void ThreadPool::for_each_worker(const std::function<void(int64_t)>& fn) {
  dispatch(size(), fn, true);
}

void ThreadPool::for_first_workers(int workers, const std::function<void(int64_t)>& fn) {
  require(workers <= size(), [&] {
    return "ThreadPool::for_first_workers: " + std::to_string(workers) + " workers asked of a pool of " +
           std::to_string(size());
  });
  dispatch(workers, fn, true);
}

void ThreadPool::dispatch(int64_t count, const std::function<void(int64_t)>& fn, bool per_worker) {
  require(t_current_pool != this, "ThreadPool::parallel_for called from inside one of its own tasks");
  if (count <= 0) return;
  std::lock_guard<std::mutex> call(call_mutex_);
  const CallerScope caller(this, cpus_[0]);
  fn_ = &fn;
  count_ = count;
  per_worker_ = per_worker;
  next_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  const int helpers = size() - 1;
  // Workers are woken only when there can be work for them beyond the caller's share;
  // then all of them take part, so all are done with this task before the next.
  const bool wake = helpers > 0 && count > 1;
  if (wake) {
    pending_.store(helpers, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
  }
  run_share(0);
  if (wake) {
    int pending = pending_.load(std::memory_order_acquire);
    while (pending != 0) pending = wait_change(pending_, pending, spin_, oversubscribed_);
  }
  fn_ = nullptr;
  std::exception_ptr e;
  {
    std::lock_guard<std::mutex> lock(error_mutex_);
    e = error_;
    error_ = nullptr;
  }
  if (e) std::rethrow_exception(e);
}

std::vector<Slice> cut_output(int64_t m, int64_t n, const Plan& plan, int parts) {
  std::vector<Slice> out;
  cut_output(m, n, plan, parts, out);
  return out;
}

void cut_output(int64_t m, int64_t n, const Plan& plan, int parts, std::vector<Slice>& out) {
  require(m >= 0 && n >= 0, "cut_output: negative shape");
  require(parts >= 1, [&] { return "cut_output: parts=" + std::to_string(parts) + " must be at least 1"; });
  require(plan.m_step >= 1 && plan.n_step >= 1, "cut_output: plan steps must be at least 1");
  out.clear();
  if (m == 0 || n == 0) return;
  const int64_t mu = (m + plan.m_step - 1) / plan.m_step;  // row units
  const int64_t nu = (n + plan.n_step - 1) / plan.n_step;  // column units
  // Columns first; rows too when there are fewer column units than parts.
  int64_t pn = std::min<int64_t>(parts, nu);
  int64_t pm = std::min<int64_t>((parts + pn - 1) / pn, mu);
  for (int64_t i = 0; i < pm; ++i) {
    const int64_t m0 = std::min(m, (mu * i / pm) * plan.m_step);
    const int64_t m1 = std::min(m, (mu * (i + 1) / pm) * plan.m_step);
    for (int64_t j = 0; j < pn; ++j) {
      const int64_t n0 = std::min(n, (nu * j / pn) * plan.n_step);
      const int64_t n1 = std::min(n, (nu * (j + 1) / pn) * plan.n_step);
      if (m0 < m1 && n0 < n1) out.push_back(Slice{m0, m1, n0, n1});
    }
  }
}

int64_t min_macs_per_worker(const KernelDesc& kernel) {
  if ((kernel.isa & (kIsaAvx512 | kIsaAmxInt8 | kIsaAmxBf16)) != 0) return int64_t{1} << 18;
  if (kernel.isa != kIsaNone) return int64_t{1} << 17;
  return int64_t{1} << 13;
}

int workers_for(const KernelDesc& kernel, int64_t m, int64_t n, int64_t k, int pool_size) {
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  const double wanted = std::floor(macs / static_cast<double>(min_macs_per_worker(kernel)));
  return static_cast<int>(std::clamp(wanted, 1.0, static_cast<double>(std::max(pool_size, 1))));
}

namespace {

// Slices of the last call, kept per calling thread: a small call allocates nothing.
std::vector<Slice>& slice_buffer() {
  thread_local std::vector<Slice> slices;
  return slices;
}

template <class WeightsOf>
void run_gemm_on(ThreadPool& pool, const KernelDesc& kernel, const PackedWeights& first,
                 const WeightsOf& weights_of, const ActivationView& a, const OutputView& y) {
  require(kernel.run != nullptr && kernel.plan != nullptr,
          [&] { return "run_gemm: kernel " + std::string(kernel.name) + " has no run/plan function"; });
  const Plan plan = kernel.plan(y.m, y.n, first.k());
  std::vector<Slice>& slices = slice_buffer();
  cut_output(y.m, y.n, plan, workers_for(kernel, y.m, y.n, first.k(), pool.size()), slices);
  if (slices.empty()) {
    // Nothing to compute, but the kernel still checks its arguments.
    kernel.run(first, a, y, Slice{0, 0, 0, 0});
    return;
  }
  const auto parts = static_cast<size_t>(pool.size());
  const size_t count = slices.size();
  const Slice* s = slices.data();
  // Slice i on worker i mod P; a call of one slice runs on the caller alone, without a
  // fork/join.
  pool.for_first_workers(static_cast<int>(std::min(parts, count)), [&](int64_t wk) {
    const PackedWeights& w = weights_of(static_cast<size_t>(wk));
    for (auto i = static_cast<size_t>(wk); i < count; i += parts) kernel.run(w, a, y, s[i]);
  });
}

}  // namespace

void run_gemm(ThreadPool& pool, const KernelDesc& kernel, const PackedWeights& w, const ActivationView& a,
              const OutputView& y) {
  // w outlives the call; every worker reads the same weights.
  run_gemm_on(
      pool, kernel, w,
      [&w](size_t) -> const PackedWeights& { return w; },  // NOLINT(bugprone-return-const-ref-from-parameter)
      a, y);
}

void run_gemm(ThreadPool& pool, const KernelDesc& kernel,
              std::span<const PackedWeights* const> weights_of_worker, const ActivationView& a,
              const OutputView& y) {
  require(
      weights_of_worker.size() == static_cast<size_t>(pool.size()) &&
          std::find(weights_of_worker.begin(), weights_of_worker.end(), nullptr) == weights_of_worker.end(),
      "run_gemm: need one PackedWeights per worker (" + std::to_string(pool.size()) + "), got " +
          std::to_string(weights_of_worker.size()));
  run_gemm_on(
      pool, kernel, *weights_of_worker[0],
      [weights_of_worker](size_t wk) -> const PackedWeights& { return *weights_of_worker[wk]; }, a, y);
}

namespace {

// Index of the first Inf or NaN in x[0..count), or -1. An exponent of all ones is Inf
// or NaN; the flag is OR-reduced over chunks (no early exit inside one), which the
// compiler vectorises without any floating-point reassociation.
int64_t first_nonfinite(const float* x, int64_t count) {
  constexpr int64_t kChunk = 256;
  for (int64_t c0 = 0; c0 < count; c0 += kChunk) {
    const int64_t c1 = std::min(count, c0 + kChunk);
    uint32_t any = 0;
    for (int64_t i = c0; i < c1; ++i) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      any |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    if (any != 0) {
      for (int64_t i = c0; i < c1; ++i) {
        if (!std::isfinite(x[i])) return i;
      }
    }
  }
  return -1;
}

}  // namespace

void quantize_parallel(ThreadPool& pool, const KernelDesc& kernel, ActQuant variant, std::span<const float> a,
                       int64_t m, int64_t k, std::span<std::byte> out) {
  const auto who = [&] { return "quantize_parallel (" + std::string(kernel.name) + ")"; };
  require(kernel.quantize != nullptr,
          [&] { return who() + ": the kernel reads plain " + name(kernel.act_type) + " activations"; });
  require(m >= 0, [&] { return who() + ": negative row count M=" + std::to_string(m); });
  const size_t rb = row_bytes(kernel.act_type, k);
  if (m == 0) return;
  const auto um = static_cast<size_t>(m), uk = static_cast<size_t>(k);
  require_buffer(a.data(), a.size() * sizeof(float), um * uk * sizeof(float),
                 [&] { return who() + " source"; });
  require_buffer(out.data(), out.size(), um * rb, [&] { return who() + " destination"; });
  const int64_t parts = std::min<int64_t>(m, pool.size());
  if (parts == 1) {
    // One range: the kernel's quantiser checks every row before it writes, so one call
    // on the caller (worker 0, where the row stays in its cache) is the whole job.
    kernel.quantize(variant, a.subspan(0, um * uk), m, k, out.subspan(0, um * rb));
    return;
  }
  // Pass 1: find the first row holding Inf/NaN (nothing written yet).
  std::vector<int64_t> first_bad(static_cast<size_t>(parts), -1);
  pool.parallel_for(parts, [&](int64_t p) {
    const int64_t r0 = m * p / parts, r1 = m * (p + 1) / parts;
    const int64_t at = first_nonfinite(a.data() + static_cast<size_t>(r0) * uk, (r1 - r0) * k);
    if (at >= 0) first_bad[static_cast<size_t>(p)] = r0 * k + at;
  });
  for (int64_t bad : first_bad) {
    if (bad >= 0) {
      const float v = a[static_cast<size_t>(bad)];
      throw Error(who() + ": row " + std::to_string(bad / k) + " holds " + (std::isnan(v) ? "NaN" : "Inf") +
                  " at column " + std::to_string(bad % k));
    }
  }
  // Pass 2: quantise contiguous row ranges.
  pool.parallel_for(parts, [&](int64_t p) {
    const int64_t r0 = m * p / parts, r1 = m * (p + 1) / parts;
    if (r0 == r1) return;
    kernel.quantize(variant, a.subspan(static_cast<size_t>(r0) * uk, static_cast<size_t>(r1 - r0) * uk),
                    r1 - r0, k, out.subspan(static_cast<size_t>(r0) * rb, static_cast<size_t>(r1 - r0) * rb));
  });
}

}  // namespace amxlab::threading
