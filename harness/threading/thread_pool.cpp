#include "harness/threading/thread_pool.h"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

#include "kernels/core/error.h"
#include "kernels/core/fpenv.h"
#include "kernels/core/qtype.h"

namespace amxlab::threading {
namespace {

// Waiting for a change of an atomic: spin with sched_yield() for `spin`, then sleep on
// the futex (std::atomic::wait). Spinning with PAUSE instead is much worse here: on a
// 2-core machine the caller and 2 pinned workers share 2 CPUs, and a PAUSE-spinning
// worker keeps the woken caller off its CPU (measured: fork/join 30 us with no spin,
// 235 us with 50 us of PAUSE, 8-25 us with yield-spinning). A yield costs ~2 us in
// these VMs. The caller, which has nothing else to do while a task runs, polls for up
// to 5 ms: once asleep, being woken by the last worker costs ~45 us in these VMs
// (measured on a Q4_0 GEMV 1x4096x4096, 1 thread: 181 us with a 20 us caller spin, 138
// us with 5 ms — the kernel alone takes 135 us). When the workers occupy every CPU the
// process may use, the caller polls only briefly, not to take time from them.
constexpr auto kWorkerSpin = std::chrono::microseconds(200);
constexpr auto kCallerSpin = std::chrono::microseconds(5000);
constexpr auto kCallerSpinShared = std::chrono::microseconds(20);

thread_local const ThreadPool* t_current_pool = nullptr;

std::string hex32(uint32_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int i = 28; i >= 0; i -= 4) s += digits[(v >> i) & 0xf];
  return s;
}

template <class T>
T wait_change(const std::atomic<T>& v, T old, std::chrono::microseconds spin) {
  T cur = v.load(std::memory_order_acquire);
  if (cur != old) return cur;
  if (spin.count() > 0) {
    const auto start = std::chrono::steady_clock::now();
    do {
      sched_yield();
      cur = v.load(std::memory_order_acquire);
      if (cur != old) return cur;
    } while (std::chrono::steady_clock::now() - start < spin);
  }
  while (cur == old) {
    v.wait(old, std::memory_order_acquire);
    cur = v.load(std::memory_order_acquire);
  }
  return cur;
}

}  // namespace

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) out.push_back(c);
  }
  return out;
}

ThreadPool::ThreadPool(int threads, bool pin) {
  require(threads >= 1, "ThreadPool: threads=" + std::to_string(threads) + " must be at least 1");
  const std::vector<int> cpus = allowed_cpus();
  require(!pin || !cpus.empty(), "ThreadPool: sched_getaffinity gave no CPU to pin to");
  std::vector<int> chosen;
  chosen.reserve(static_cast<size_t>(threads));
  for (int i = 0; i < threads; ++i) chosen.push_back(pin ? cpus[static_cast<size_t>(i) % cpus.size()] : -1);
  start(std::move(chosen));
}

ThreadPool::ThreadPool(std::vector<int> cpus) {
  require(!cpus.empty(), "ThreadPool: no worker CPUs given");
  start(std::move(cpus));
}

void ThreadPool::start(std::vector<int> cpus) {
  cpus_ = std::move(cpus);
  std::vector<int> pinned;
  for (int c : cpus_) {
    if (c >= 0) pinned.push_back(c);
  }
  std::sort(pinned.begin(), pinned.end());
  oversubscribed_ = std::adjacent_find(pinned.begin(), pinned.end()) != pinned.end();
  const int threads = static_cast<int>(cpus_.size());
  // Poll long for the workers only when the caller has a CPU of its own to poll on.
  caller_spin_ = static_cast<int>(allowed_cpus().size()) > threads ? kCallerSpin : kCallerSpinShared;
  workers_.reserve(cpus_.size());
  try {
    for (int i = 0; i < threads; ++i)
      workers_.emplace_back([this, i] { worker_loop(i, cpus_[static_cast<size_t>(i)]); });
  } catch (...) {
    // A thread could not be created: stop and join the ones that were.
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    throw;
  }
  // Wait until every worker has pinned itself (or failed to).
  int started = started_.load();
  while (started < threads) {
    started_.wait(started);
    started = started_.load();
  }
  if (!start_error_.empty()) {
    const std::string msg = start_error_;
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    throw Error(msg);
  }
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

void ThreadPool::worker_loop(int index, int cpu) {
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
      const int err = errno;
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (start_error_.empty()) {
        start_error_ = "ThreadPool: pinning worker " + std::to_string(index) + " to CPU " +
                       std::to_string(cpu) + " failed: " + std::strerror(err);
      }
    }
  }
  set_default_mxcsr();
  t_current_pool = this;
  uint32_t seen = 0;
  started_.fetch_add(1);
  started_.notify_all();
  for (;;) {
    // Wait for the next task: spin a little (fork/join latency), then sleep.
    seen = wait_change(generation_, seen, kWorkerSpin);
    if (stop_.load(std::memory_order_acquire)) return;
    if (per_worker_) {
      if (index < count_ && !failed_.load(std::memory_order_relaxed)) run_task(index);
    } else {
      const int64_t count = count_;
      for (;;) {
        if (failed_.load(std::memory_order_relaxed)) break;
        const int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
        if (i >= count) break;
        run_task(i);
      }
    }
    if (busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) busy_.notify_all();
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

void ThreadPool::dispatch(int64_t count, const std::function<void(int64_t)>& fn, bool per_worker) {
  require(t_current_pool != this, "ThreadPool::parallel_for called from inside one of its own tasks");
  if (count <= 0) return;
  std::lock_guard<std::mutex> call(call_mutex_);
  fn_ = &fn;
  count_ = count;
  per_worker_ = per_worker;
  next_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  busy_.store(size(), std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  int busy = busy_.load(std::memory_order_acquire);
  while (busy != 0) busy = wait_change(busy_, busy, caller_spin_);
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
  require(m >= 0 && n >= 0, "cut_output: negative shape");
  require(parts >= 1, "cut_output: parts=" + std::to_string(parts) + " must be at least 1");
  require(plan.m_step >= 1 && plan.n_step >= 1, "cut_output: plan steps must be at least 1");
  std::vector<Slice> out;
  if (m == 0 || n == 0) return out;
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
  return out;
}

void run_gemm(ThreadPool& pool, const KernelDesc& kernel, const PackedWeights& w, const ActivationView& a,
              const OutputView& y) {
  const std::vector<const PackedWeights*> same(static_cast<size_t>(pool.size()), &w);
  run_gemm(pool, kernel, same, a, y);
}

void run_gemm(ThreadPool& pool, const KernelDesc& kernel,
              std::span<const PackedWeights* const> weights_of_worker, const ActivationView& a,
              const OutputView& y) {
  require(kernel.run != nullptr && kernel.plan != nullptr,
          std::string("run_gemm: kernel ") + std::string(kernel.name) + " has no run/plan function");
  require(
      weights_of_worker.size() == static_cast<size_t>(pool.size()) &&
          std::find(weights_of_worker.begin(), weights_of_worker.end(), nullptr) == weights_of_worker.end(),
      "run_gemm: need one PackedWeights per worker (" + std::to_string(pool.size()) + "), got " +
          std::to_string(weights_of_worker.size()));
  const PackedWeights& first = *weights_of_worker[0];
  const Plan plan = kernel.plan(y.m, y.n, first.k());
  const std::vector<Slice> slices = cut_output(y.m, y.n, plan, pool.size());
  if (slices.empty()) {
    // Nothing to compute, but the kernel still checks its arguments.
    kernel.run(first, a, y, Slice{0, 0, 0, 0});
    return;
  }
  const auto parts = static_cast<int64_t>(pool.size());
  pool.for_each_worker([&](int64_t wk) {
    const PackedWeights& w = *weights_of_worker[static_cast<size_t>(wk)];
    for (auto i = static_cast<size_t>(wk); i < slices.size(); i += static_cast<size_t>(parts))
      kernel.run(w, a, y, slices[i]);
  });
}

void quantize_parallel(ThreadPool& pool, const KernelDesc& kernel, ActQuant variant, std::span<const float> a,
                       int64_t m, int64_t k, std::span<std::byte> out) {
  const std::string who = "quantize_parallel (" + std::string(kernel.name) + ")";
  require(kernel.quantize != nullptr,
          who + ": the kernel reads plain " + name(kernel.act_type) + " activations");
  require(m >= 0, who + ": negative row count M=" + std::to_string(m));
  const size_t rb = row_bytes(kernel.act_type, k);
  if (m == 0) return;
  const auto um = static_cast<size_t>(m), uk = static_cast<size_t>(k);
  require_buffer(a.data(), a.size() * sizeof(float), um * uk * sizeof(float), who + " source");
  require_buffer(out.data(), out.size(), um * rb, who + " destination");
  const int64_t parts = std::min<int64_t>(m, pool.size());
  // Pass 1: find the first row holding Inf/NaN (nothing written yet).
  std::vector<int64_t> first_bad(static_cast<size_t>(parts), -1);
  pool.parallel_for(parts, [&](int64_t p) {
    const int64_t r0 = m * p / parts, r1 = m * (p + 1) / parts;
    for (int64_t r = r0; r < r1; ++r) {
      const float* row = a.data() + static_cast<size_t>(r) * uk;
      for (size_t c = 0; c < uk; ++c) {
        if (!std::isfinite(row[c])) {
          first_bad[static_cast<size_t>(p)] = r * k + static_cast<int64_t>(c);
          return;
        }
      }
    }
  });
  for (int64_t bad : first_bad) {
    if (bad >= 0) {
      const float v = a[static_cast<size_t>(bad)];
      throw Error(who + ": row " + std::to_string(bad / k) + " holds " + (std::isnan(v) ? "NaN" : "Inf") +
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
