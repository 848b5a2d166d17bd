// What the runner times and checks: a registry kernel (through the thread pool), the
// dispatcher's choice ("auto"), the golden model itself ("golden"), or a test-only
// kernel ("test.*", planted faults that prove the harness catches them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/runner/case_data.h"
#include "harness/runner/case_placement.h"
#include "harness/sweep/case.h"

namespace amxlab::harness {

class KernelUnderTest {
 public:
  virtual ~KernelUnderTest() = default;
  virtual std::string name() const = 0;
  virtual std::string engine() const = 0;  // "native", "emulated" or "reference"
  // Packs the weights (not timed).
  virtual void prepare(const Case& c, const CaseData& d) = 0;
  // As prepare(), for another instance of the same kernel and case whose weights
  // `source` (prepared) already holds: kernels with placed weights copy source's packed
  // bytes into their own placement instead of packing again (the cold timing's rotating
  // copies: up to 32 packings of a 4096 x 14336 matrix otherwise, ~6 s per case here).
  virtual void prepare_copy(const Case& c, const CaseData& d, const KernelUnderTest& /*source*/) {
    prepare(c, d);
  }
  // The timed region: activation quantisation and the GEMM; writes y [M][N]
  // (float, or int32 for s8/u8 cases).
  virtual void run(const Case& c, const CaseData& d, void* y) = 0;
  // Facts recorded with the case (dispatch reason, layout, emulator counters, ...).
  virtual nlohmann::json info() const { return nlohmann::json::object(); }
  // The workers and the verified page placement (case_placement.h), after prepare();
  // null for kernels that run on the calling thread.
  virtual nlohmann::json placement() const { return nullptr; }
  // Non-empty when the observed placement differs from the policy: why.
  virtual std::string placement_flag() const { return {}; }
  // The CPU the calling thread works on during run() (worker 0 of the case's pool), or
  // -1: a timing loop binds the caller there once (threading::CallerBinding) instead of
  // paying the pin and restore on every call.
  virtual int caller_cpu() const { return -1; }
  // Calls fn(w) once on each worker of the case's pool (w = 0 on the caller) and returns
  // true; false (fn not called) for kernels that run on the calling thread. For work
  // timed on exactly the CPUs the kernel runs on (the paired format ceiling).
  virtual bool run_on_workers(const std::function<void(int64_t)>& /*fn*/) { return false; }
};

// A kernel under test that runs on the case's pinned pool with its weights placed by the
// case's NUMA policy (case_placement.h): the registry kernels and moe_gemm. Subclasses
// emplace placement_ in prepare().
class PlacedKernel : public KernelUnderTest {
 public:
  explicit PlacedKernel(PlacementOptions options) : placement_options_(std::move(options)) {}
  void prepare(const Case& c, const CaseData& d) final {
    CasePlacement& p = placement_.emplace(c, placement_options_);
    // Packed once, on the case's workers (strips in parallel), then placed.
    p.place(pack(c, d, p.parallel_for()));
    on_placed();
  }
  // The same placement steps (workers, policy, touch, verification) for a copy of the
  // packed bytes of `source`, which must be this kernel, prepared. Throws
  // std::logic_error otherwise (a harness bug).
  void prepare_copy(const Case& c, const CaseData& d, const KernelUnderTest& source) final;
  nlohmann::json placement() const override {
    return placement_ ? placement_->report() : nlohmann::json(nullptr);
  }
  int caller_cpu() const override { return placement_ ? placement_->pool().cpus()[0] : -1; }
  bool run_on_workers(const std::function<void(int64_t)>& fn) override {
    placed().pool().for_each_worker(fn);
    return true;
  }
  std::string placement_flag() const override {
    return placement_ && placement_->flagged() ? placement_->flag_reason() : std::string();
  }

 protected:
  // The placement prepare() made; a run before prepare() is a harness bug, reported as one.
  CasePlacement& placed() {
    if (!placement_) throw std::logic_error("PlacedKernel: run before prepare");
    return *placement_;
  }
  // The packed weights of the case (called by prepare on the calling thread, with the
  // case's pool to pack on).
  virtual PackedWeights pack(const Case& c, const CaseData& d, const ParallelFor& on_workers) = 0;
  // After the weights are placed (by prepare or prepare_copy).
  virtual void on_placed() {}

  PlacementOptions placement_options_;
  std::optional<CasePlacement> placement_;
};

// Throws amxlab::Error for an unknown kernel, or one that cannot run here (the message
// says why, e.g. "CPU lacks avx512_vnni"); CaseSkipped when the golden model or a test
// kernel (which run on the calling thread) is asked for a placement or NUMA policy.
// d: the case's data (an MoE case's auto choice depends on its routing).
std::unique_ptr<KernelUnderTest> make_kernel_under_test(const Case& c, const CaseData& d,
                                                        const PlacementOptions& placement = {});

// "golden" and the test kernels ("test.<fault>") are the reference itself, run on the
// calling thread, not registry kernels.
inline bool is_reference_kernel(const std::string& name) {
  return name == "golden" || name.rfind("test.", 0) == 0;
}

// Runs the golden model for the case into y (the reference every kernel must match).
void run_golden(const Case& c, const CaseData& d, void* y);

// BF16, F16, F32 cases: the exact model of the registry kernels' operation order
// (reference/golden/kernel_models.h) into y, resized to [M][N], which every such kernel
// matches bit for bit (BF16: the order of `kernel`'s instruction, VDPBF16PS or TDPBF16PS).
// False (y untouched) for other types.
bool run_kernel_model(const Case& c, const CaseData& d, const KernelDesc& kernel, std::vector<float>& y);

}  // namespace amxlab::harness
