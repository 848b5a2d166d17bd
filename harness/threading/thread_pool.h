// The harness's thread pool: N persistent workers, each pinned to one CPU (the CPUs the
// NUMA planner chose for a placement — harness/numa/planner.h —, or round-robin over
// the CPUs this process may use) and running with the default MXCSR (DESIGN.md: part of the bitwise
// contract). parallel_for() is a low-overhead fork/join: the caller publishes a task, workers take indices
// from a shared counter; between tasks workers poll with sched_yield() for ~200 us (the caller up to 5 ms
// while it waits), then sleep on a futex. Yielding rather than PAUSE-spinning: on a 2-core machine the caller
// and 2 pinned workers share 2 CPUs (see thread_pool.cpp). Kernels are pure functions over output slices:
// run_gemm() cuts the output along the kernel's plan and runs each slice exactly once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"

namespace amxlab::threading {

// The CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> allowed_cpus();

class ThreadPool {
 public:
  // threads >= 1 workers; worker i is pinned to allowed_cpus()[i % count] unless pin is
  // false. Throws amxlab::Error when threads < 1 or pinning fails.
  explicit ThreadPool(int threads, bool pin = true);
  // One worker per entry, worker i pinned to cpus[i] (-1: not pinned). Several workers
  // may share a CPU (oversubscription: oversubscribed() then says so).
  explicit ThreadPool(std::vector<int> cpus);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()); }
  const std::vector<int>& cpus() const { return cpus_; }  // -1 where not pinned
  bool oversubscribed() const { return oversubscribed_; }

  // Calls fn(i) for every i in [0, count) exactly once, on the workers, and returns when
  // all calls are done. The first exception thrown stops further indices from starting
  // and is rethrown here. A call that returns with a changed MXCSR is an error (thrown
  // here, naming the index); the worker restores the default first. Not reentrant: one
  // parallel_for at a time per pool (a call from inside a task throws).
  void parallel_for(int64_t count, const std::function<void(int64_t)>& fn);
  // Calls fn(w) once on worker w, for every worker: static assignment, for work whose
  // placement matters (worker w reads the weights first-touched or replicated for its
  // node). Errors and MXCSR as parallel_for.
  void for_each_worker(const std::function<void(int64_t)>& fn);

 private:
  void start(std::vector<int> cpus);
  void worker_loop(int index, int cpu);
  void run_task(int64_t i);
  void dispatch(int64_t count, const std::function<void(int64_t)>& fn, bool per_worker);

  std::vector<std::thread> workers_;
  std::vector<int> cpus_;
  bool oversubscribed_ = false;
  std::chrono::microseconds caller_spin_{20};  // how long the caller polls (thread_pool.cpp)

  std::mutex call_mutex_;  // one parallel_for at a time
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t count_ = 0;
  bool per_worker_ = false;
  std::atomic<int64_t> next_{0};
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> busy_{0};  // workers still inside the current task
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

// y = W . A^T with a registered kernel on the pool: cuts the output with kernel.plan()
// into pool.size() slices and runs kernel.run() once on each.
void run_gemm(ThreadPool& pool, const KernelDesc& kernel, const PackedWeights& w, const ActivationView& a,
              const OutputView& y);

// The same with one PackedWeights per worker (replicate: each worker reads the copy on
// its own node; all copies hold the same packed bytes). Slice s runs on worker
// s % pool.size(), always: who reads which weights is fixed, as first touch needs.
void run_gemm(ThreadPool& pool, const KernelDesc& kernel,
              std::span<const PackedWeights* const> weights_of_worker, const ActivationView& a,
              const OutputView& y);

// F32 rows [m][k] -> the kernel's activation format with kernel.quantize, rows split over
// the pool. Every row is checked for Inf/NaN first: an Error names the first bad row and
// nothing is written.
void quantize_parallel(ThreadPool& pool, const KernelDesc& kernel, ActQuant variant, std::span<const float> a,
                       int64_t m, int64_t k, std::span<std::byte> out);

}  // namespace amxlab::threading
