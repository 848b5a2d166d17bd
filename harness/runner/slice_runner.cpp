#include "harness/runner/slice_runner.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/core/fpenv.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::harness {

struct SliceRunner::Impl {
  int threads;
};

SliceRunner::SliceRunner(int threads) : impl_(new Impl{std::max(1, threads)}) {}
SliceRunner::~SliceRunner() {
  delete impl_;
}

std::vector<Slice> cut_output(int64_t m, int64_t n, const Plan& plan, int parts) {
  const int64_t mb = (m + plan.m_step - 1) / plan.m_step, nb = (n + plan.n_step - 1) / plan.n_step;
  // Cut M first (activations stay shared), N when M alone cannot feed every worker.
  const int64_t pm = std::min<int64_t>(parts, mb);
  const int64_t pn = std::min<int64_t>(std::max<int64_t>(1, parts / pm), nb);
  std::vector<Slice> out;
  for (int64_t i = 0; i < pm; ++i) {
    const int64_t m0 = std::min(m, mb * i / pm * plan.m_step),
                  m1 = std::min(m, mb * (i + 1) / pm * plan.m_step);
    for (int64_t j = 0; j < pn; ++j) {
      const int64_t n0 = std::min(n, nb * j / pn * plan.n_step),
                    n1 = std::min(n, nb * (j + 1) / pn * plan.n_step);
      if (m1 > m0 && n1 > n0) out.push_back({m0, m1, n0, n1});
    }
  }
  return out;
}

void SliceRunner::run(int64_t m, int64_t n, const Plan& plan, const std::function<void(const Slice&)>& fn) {
  const auto slices = cut_output(m, n, plan, impl_->threads);
  if (slices.size() == 1) {
    fn(slices[0]);
    return;
  }
  std::exception_ptr error;
  std::mutex mu;
  std::vector<std::thread> workers;
  workers.reserve(slices.size());
  for (const Slice& s : slices) {
    workers.emplace_back([&, s] {
      set_default_mxcsr();  // the bitwise contract's floating-point environment
      try {
        fn(s);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& w : workers) w.join();
  if (error) std::rethrow_exception(error);
}

const KernelDesc* choose_registered_kernel(QType type, int64_t m, std::string* why) {
  const KernelDesc* best = nullptr;
  for (const KernelDesc* k : runnable_kernels()) {
    if (k->weight_type != type || k->engine != Engine::native) continue;
    const bool want_gemv = m <= 4;
    const bool fits = (k->op == KernelOp::gemv) == want_gemv;
    // Prefer the op that fits M, then the widest ISA.
    if (best == nullptr || (fits && (best->op == KernelOp::gemv) != want_gemv) ||
        (fits == ((best->op == KernelOp::gemv) == want_gemv) && k->isa > best->isa)) {
      best = k;
    }
  }
  if (best == nullptr) throw Error(std::string("no registered kernel for ") + name(type) + " can run here");
  if (why != nullptr)
    *why = "dispatcher: widest ISA available for " + std::string(name(type)) + " at M=" + std::to_string(m);
  return best;
}

}  // namespace amxlab::harness
