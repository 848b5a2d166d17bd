// Cuts an output along a kernel's plan and runs the slices on `threads` workers.
#pragma once

#include <functional>

#include "kernels/gemm_kernel.h"

namespace amxlab::harness {

class SliceRunner {
 public:
  explicit SliceRunner(int threads);
  ~SliceRunner();
  SliceRunner(const SliceRunner&) = delete;
  SliceRunner& operator=(const SliceRunner&) = delete;
  // Every slice is run exactly once; returns when all are done. Rethrows the first
  // exception a slice threw.
  void run(int64_t m, int64_t n, const Plan& plan, const std::function<void(const Slice&)>& fn);

 private:
  struct Impl;
  Impl* impl_;
};

// Slices of M x N along the plan for `parts` workers: whole m_step/n_step blocks,
// split along N when M has too few blocks to go round.
std::vector<Slice> cut_output(int64_t m, int64_t n, const Plan& plan, int parts);

// The dispatcher's choice of a registered kernel for a type and M, with the reason.
const KernelDesc* choose_registered_kernel(QType type, int64_t m, std::string* why);

}  // namespace amxlab::harness
