// A minimal group of worker threads, each pinned to one CPU with sched_setaffinity,
// for calibration loops (the harness's real thread pool comes later). run(f) calls
// f(worker_index) on every worker and returns when all are done; the caller sleeps
// while waiting (it does not compete with the workers for a core).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kernels/core/cpu_affinity.h"

namespace amxlab::calibrate {

// The CPUs this process may run on (kernels/core/cpu_affinity.h).
using amxlab::allowed_cpus;

class PinnedWorkers {
 public:
  // n >= 1 workers; worker i is pinned to allowed_cpus()[i % count]. Throws
  // amxlab::Error when pinning fails.
  explicit PinnedWorkers(int n);
  ~PinnedWorkers();
  PinnedWorkers(const PinnedWorkers&) = delete;
  PinnedWorkers& operator=(const PinnedWorkers&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }
  // The CPU each worker is pinned to.
  const std::vector<int>& cpus() const { return cpus_; }
  // True when there are more workers than allowed CPUs (two share a CPU).
  bool oversubscribed() const { return oversubscribed_; }

  // Runs f(i) on worker i for every i, waits for all; rethrows the first exception.
  void run(const std::function<void(int worker)>& f);

 private:
  void loop(int index);

  std::vector<std::thread> threads_;
  std::vector<int> cpus_;
  bool oversubscribed_ = false;
  const std::function<void(int)>* task_ = nullptr;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> remaining_{0};
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  std::string pin_error_;
};

}  // namespace amxlab::calibrate
