// The harness's thread pool. A pool of P workers runs work on P CPUs: worker 0 is the
// calling thread itself (pinned to the pool's first CPU for the duration of the call, its
// own CPU mask restored after), workers 1..P-1 are persistent threads pinned to the
// others — the CPUs the NUMA planner chose for a placement (harness/numa/planner.h), or
// round-robin over the CPUs this process may use. So `threads=t` means t threads on t
// CPUs, as with OpenMP, oneDNN and ggml. Every participant runs with the default MXCSR
// (DESIGN.md: part of the bitwise contract; the caller's own MXCSR is restored after).
//
// parallel_for() is a low-overhead fork/join: the caller publishes a task, takes its own
// share, then waits for the rest. Between tasks the persistent workers spin with PAUSE for
// a bounded, measured budget (kDefaultSpin in thread_pool.cpp says how it was measured),
// then sleep on a futex; a pool whose workers share CPUs (oversubscribed) yields instead
// of spinning. Kernels are pure functions over output slices: run_gemm() cuts the output
// along the kernel's plan and runs each slice exactly once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "kernels/core/cpu_affinity.h"
#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"

namespace amxlab::threading {

// The CPUs this process may run on (kernels/core/cpu_affinity.h).
using amxlab::allowed_cpus;

// Pins the calling thread to one CPU for the binding's lifetime and restores the
// thread's own mask after (cpu < 0: does nothing). While it holds, a pool whose worker 0
// is that CPU skips its per-call pin: a timing loop binds once instead of paying two
// sched_setaffinity calls per call. Bindings nest; each restores what it found.
class CallerBinding {
 public:
  explicit CallerBinding(int cpu);  // throws amxlab::Error when the CPU cannot be used
  ~CallerBinding();
  CallerBinding(const CallerBinding&) = delete;
  CallerBinding& operator=(const CallerBinding&) = delete;

 private:
  struct Saved;
  int previous_bound_ = -1;
  std::unique_ptr<Saved> saved_;
};
// The CPU the calling thread is bound to by a CallerBinding, or -1.
int bound_cpu();

class ThreadPool {
 public:
  // How long a waiting participant spins before it sleeps (PAUSE on a CPU of its own,
  // sched_yield when the pool is oversubscribed). The default is a measurement
  // (thread_pool.cpp); bench_call_overhead's handoff/* measures it on the machine at hand.
  struct Options {
    std::chrono::nanoseconds spin{-1};  // negative: the default
  };

  // threads >= 1 workers; worker i is pinned to allowed_cpus()[i % count] unless pin is
  // false. Throws amxlab::Error when threads < 1 or pinning fails.
  explicit ThreadPool(int threads, bool pin = true);
  // One worker per entry, worker i pinned to cpus[i] (-1: not pinned); worker 0 is the
  // caller. Several workers may share a CPU (oversubscription: oversubscribed() says so).
  explicit ThreadPool(std::vector<int> cpus);
  ThreadPool(std::vector<int> cpus, Options options);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(cpus_.size()); }  // including the caller
  const std::vector<int>& cpus() const { return cpus_; }       // -1 where not pinned
  bool oversubscribed() const { return oversubscribed_; }

  // Calls fn(i) for every i in [0, count) exactly once, on the caller and the workers,
  // and returns when all calls are done. The first exception thrown stops further indices
  // from starting and is rethrown here. A call that returns with a changed MXCSR is an
  // error (thrown here, naming the index); the default is restored first. Not reentrant:
  // a call from inside one of this pool's tasks throws.
  void parallel_for(int64_t count, const std::function<void(int64_t)>& fn);
  // Calls fn(w) once on worker w, for every worker (w = 0 on the caller): static
  // assignment, for work whose placement matters (worker w reads the weights
  // first-touched or replicated for its node). Errors and MXCSR as parallel_for.
  void for_each_worker(const std::function<void(int64_t)>& fn);
  // The same for workers 0..workers-1 only (at most size()). for_first_workers(1, fn)
  // runs fn(0) on the caller without waking anyone (no hand-off at all); with more, every
  // worker joins the fork/join (those past `workers` with nothing to do), so that no
  // worker can still be reading this call's task when the next one is published.
  void for_first_workers(int workers, const std::function<void(int64_t)>& fn);

 private:
  void start();
  void stop_threads();  // tells every persistent worker to exit and joins it
  void worker_loop(int index);
  void run_share(int index);
  void run_task(int64_t i);
  void dispatch(int64_t count, const std::function<void(int64_t)>& fn, bool per_worker);

  std::vector<int> cpus_;
  std::vector<std::thread> threads_;  // workers 1..size()-1
  bool oversubscribed_ = false;
  std::chrono::nanoseconds spin_{0};

  std::mutex call_mutex_;  // one parallel_for at a time
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t count_ = 0;
  bool per_worker_ = false;
  std::atomic<int64_t> next_{0};
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> pending_{0};  // persistent workers still inside the current task
  std::atomic<bool> failed_{false};
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::atomic<int> started_{0};
  std::string start_error_;
};

// Slices of an M x N output cut along `plan` for `parts` workers: bounds on multiples of
// plan.m_step / plan.n_step (except at the ends), every output element in exactly one
// slice, as even as the steps allow. Columns are split first (each worker then streams
// its own weights) into min(parts, column steps) ranges; rows too, into
// ceil(parts / column ranges) ranges, when N has fewer steps than parts. So there are at
// least `parts` slices whenever the steps allow that many.
std::vector<Slice> cut_output(int64_t m, int64_t n, const Plan& plan, int parts);
// The same into `out` (cleared first), reusing its storage.
void cut_output(int64_t m, int64_t n, const Plan& plan, int parts, std::vector<Slice>& out);

// How many of a pool's workers a GEMM of M x N x K with this kernel gets: one per
// min_macs_per_worker(kernel) multiply-adds, at least 1, at most the pool. A second
// worker costs ~1 us per call on this lab's VMs (the hand-off, ~0.3 us, and the
// activations and output crossing between cores; bench_call_overhead, kernels/README.md
// "Per-call overhead"): a slice must hold more work than that. Measured rates: the
// AVX-512 GEMV does ~130 k MACs/us (2^18 per worker), the 256-bit AVX-VNNI kernels half
// that (2^17), the portable kernels ~3 k MACs/us (2^13).
int64_t min_macs_per_worker(const KernelDesc& kernel);
int workers_for(const KernelDesc& kernel, int64_t m, int64_t n, int64_t k, int pool_size);

// y = W . A^T with a registered kernel on the pool: cuts the output with kernel.plan()
// into workers_for(kernel, M, N, K, pool.size()) slices and runs kernel.run() once on each;
// slice s on worker s (worker 0 is the caller: a call of one slice forks nothing).
void run_gemm(ThreadPool& pool, const KernelDesc& kernel, const PackedWeights& w, const ActivationView& a,
              const OutputView& y);

// The same with one PackedWeights per worker (replicate: each worker reads the copy on
// its own node; all copies hold the same packed bytes). Slice s runs on worker
// s % pool.size(), always: who reads which weights is fixed, as first touch needs.
void run_gemm(ThreadPool& pool, const KernelDesc& kernel,
              std::span<const PackedWeights* const> weights_of_worker, const ActivationView& a,
              const OutputView& y);

// F32 rows [m][k] -> the kernel's activation format with kernel.quantize. Every row is
// checked for Inf/NaN first: an Error names the first bad row and nothing is written.
// One row range (M = 1, or a pool of one) runs on the caller, in one pass (the kernel's
// quantiser checks its rows before it writes); more rows are split over the pool.
void quantize_parallel(ThreadPool& pool, const KernelDesc& kernel, ActQuant variant, std::span<const float> a,
                       int64_t m, int64_t k, std::span<std::byte> out);

}  // namespace amxlab::threading
