// The harness's thread placement applied to oneDNN: its OpenMP team pinned to the same
// CPUs, in the same order, that the harness's pool uses for the case (DESIGN.md "NUMA
// policies": the same thread counts and placement for both sides of a comparison).
//
// libgomp keeps one team of worker threads per calling thread and reuses it, in the
// same order, for every parallel region of the same size; so pinning thread i of a
// region of cpus.size() threads pins the threads oneDNN's primitives run on next (from
// the same calling thread, with set_threads(cpus.size())). observed() reads the CPUs
// back from a second region, so the record shows what held, not what was asked.
// This is in-process and undone by the destructor (every team thread gets its own
// original mask back, the caller its OpenMP thread count). OMP_PLACES / OMP_PROC_BIND
// would do the same only for a whole process, set before it starts; when they are set
// (runtime_binds_threads()), libgomp's own binding is in force as well and the record
// says so. One OmpPinning at a time per calling thread.
#pragma once

#include <memory>
#include <vector>

namespace amxlab::onednn {

class OmpPinning {
 public:
  // cpus non-empty; -1 entries are left unpinned. Sets the OpenMP thread count of the
  // calling thread to cpus.size(). Throws amxlab::Error naming a CPU that cannot be used.
  explicit OmpPinning(std::vector<int> cpus);
  ~OmpPinning();
  OmpPinning(const OmpPinning&) = delete;
  OmpPinning& operator=(const OmpPinning&) = delete;

  // The CPU each team thread runs on now (sched_getcpu), thread 0 = the caller.
  std::vector<int> observed() const;
  // True when OMP_PROC_BIND / OMP_PLACES make libgomp bind its threads itself.
  static bool runtime_binds_threads();

 private:
  struct Saved;
  void restore() noexcept;
  std::vector<int> cpus_;
  std::unique_ptr<Saved> saved_;
};

}  // namespace amxlab::onednn
