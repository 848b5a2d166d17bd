#include "harness/calibrate/pinned_workers.h"

#include <sched.h>

#include <cerrno>
#include <cstring>

#include "kernels/core/error.h"

namespace amxlab::calibrate {

PinnedWorkers::PinnedWorkers(int n) {
  require(n >= 1, "PinnedWorkers: need at least one worker, got " + std::to_string(n));
  const std::vector<int> allowed = allowed_cpus();
  require(!allowed.empty(), "PinnedWorkers: sched_getaffinity reports no usable CPU");
  oversubscribed_ = n > static_cast<int>(allowed.size());
  for (int i = 0; i < n; ++i) cpus_.push_back(allowed[static_cast<size_t>(i) % allowed.size()]);
  // The workers pin themselves; the constructor waits until all have tried.
  remaining_.store(n);
  threads_.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { loop(i); });
  for (int r = remaining_.load(); r != 0; r = remaining_.load()) remaining_.wait(r);
  if (!pin_error_.empty()) {
    stop_.store(true);
    generation_.fetch_add(1);
    generation_.notify_all();
    for (auto& t : threads_) t.join();
    throw Error(pin_error_);
  }
}

PinnedWorkers::~PinnedWorkers() {
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void PinnedWorkers::loop(int index) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus_[static_cast<size_t>(index)], &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    const std::lock_guard<std::mutex> lock(error_mutex_);
    if (pin_error_.empty())
      pin_error_ = "PinnedWorkers: sched_setaffinity to CPU " +
                   std::to_string(cpus_[static_cast<size_t>(index)]) + " failed: " + std::strerror(errno);
  }
  uint32_t seen = generation_.load();
  if (remaining_.fetch_sub(1) == 1) remaining_.notify_all();
  for (;;) {
    generation_.wait(seen);
    seen = generation_.load();
    if (stop_.load()) return;
    try {
      (*task_)(index);
    } catch (...) {
      const std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (remaining_.fetch_sub(1) == 1) remaining_.notify_all();
  }
}

void PinnedWorkers::run(const std::function<void(int)>& f) {
  task_ = &f;
  error_ = nullptr;
  remaining_.store(size());
  generation_.fetch_add(1);
  generation_.notify_all();
  for (int r = remaining_.load(); r != 0; r = remaining_.load()) remaining_.wait(r);
  task_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace amxlab::calibrate
