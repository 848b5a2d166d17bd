// Compiled with -fopenmp (this file only): it opens parallel regions itself.
#include "reference/onednn/omp_pinning.h"

#include <omp.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "kernels/core/error.h"

namespace amxlab::onednn {
namespace {

cpu_set_t g_original;  // the caller's mask before pinning (one OmpPinning at a time)

}  // namespace

OmpPinning::OmpPinning(std::vector<int> cpus) : cpus_(std::move(cpus)) {
  require(!cpus_.empty(), "OmpPinning: no CPUs given");
  CPU_ZERO(&g_original);
  require(sched_getaffinity(0, sizeof g_original, &g_original) == 0, "OmpPinning: sched_getaffinity failed");
  const int n = static_cast<int>(cpus_.size());
  omp_set_num_threads(n);
  std::vector<int> failed(cpus_.size(), 0);
#pragma omp parallel num_threads(n)
  {
    const auto i = static_cast<size_t>(omp_get_thread_num());
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

void OmpPinning::restore() noexcept {
  const int n = static_cast<int>(cpus_.size());
#pragma omp parallel num_threads(n)
  { sched_setaffinity(0, sizeof g_original, &g_original); }
}

std::vector<int> OmpPinning::observed() const {
  const int n = static_cast<int>(cpus_.size());
  std::vector<int> out(cpus_.size(), -1);
#pragma omp parallel num_threads(n)
  { out[static_cast<size_t>(omp_get_thread_num())] = sched_getcpu(); }
  return out;
}

}  // namespace amxlab::onednn
