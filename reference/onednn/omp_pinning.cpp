// Compiled with -fopenmp (this file only): it opens parallel regions itself.
#include "reference/onednn/omp_pinning.h"

#include <omp.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "kernels/core/error.h"

namespace amxlab::onednn {

struct OmpPinning::Saved {
  int max_threads = 1;
  std::vector<cpu_set_t> masks;  // per team thread, before pinning
};

OmpPinning::OmpPinning(std::vector<int> cpus) : cpus_(std::move(cpus)), saved_(std::make_unique<Saved>()) {
  require(!cpus_.empty(), "OmpPinning: no CPUs given");
  saved_->max_threads = omp_get_max_threads();
  const int n = static_cast<int>(cpus_.size());
  omp_set_num_threads(n);
  saved_->masks.resize(cpus_.size());
  std::vector<int> failed(cpus_.size(), 0);
#pragma omp parallel num_threads(n)
  {
    const auto i = static_cast<size_t>(omp_get_thread_num());
    CPU_ZERO(&saved_->masks[i]);
    sched_getaffinity(0, sizeof(cpu_set_t), &saved_->masks[i]);
    if (cpus_[i] >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpus_[i], &set);
      if (sched_setaffinity(0, sizeof set, &set) != 0) failed[i] = errno;
    }
  }
  for (size_t i = 0; i < failed.size(); ++i) {
    if (failed[i] != 0) {
      const std::string why = std::strerror(failed[i]);
      restore();
      throw Error("oneDNN threads: pinning OpenMP thread " + std::to_string(i) + " to CPU " +
                  std::to_string(cpus_[i]) + " failed: " + why);
    }
  }
}

OmpPinning::~OmpPinning() {
  restore();
}

// Every team thread gets its own mask back (libgomp reuses the team, in the same order,
// for regions of the same size), and the caller its thread count.
void OmpPinning::restore() noexcept {
  const int n = static_cast<int>(cpus_.size());
#pragma omp parallel num_threads(n)
  {
    const auto i = static_cast<size_t>(omp_get_thread_num());
    sched_setaffinity(0, sizeof(cpu_set_t), &saved_->masks[i]);
  }
  omp_set_num_threads(saved_->max_threads);
}

std::vector<int> OmpPinning::observed() const {
  const int n = static_cast<int>(cpus_.size());
  std::vector<int> out(cpus_.size(), -1);
#pragma omp parallel num_threads(n)
  {
    out[static_cast<size_t>(omp_get_thread_num())] = sched_getcpu();
  }
  return out;
}

bool OmpPinning::runtime_binds_threads() {
  return omp_get_proc_bind() != omp_proc_bind_false;
}

}  // namespace amxlab::onednn
