// Where a registry kernel's case runs and where its weights live (the case's place= and
// numa= fields, DESIGN.md "NUMA policies"): the NUMA planner's worker slots become a
// pinned thread pool, the packed weights move once into memory placed by the policy
// (one copy per worker node for replicate), every page is touched by the workers and
// its node read back (move_pages) before anything is timed. The observed placement goes
// into the case's record; a placement that differs from the policy fails the case.
// Where page nodes cannot be read at all (no move_pages), numa=local runs "unverified"
// (its placement needs no system call); every other policy is an ERROR.
// First touch splits the pages in worker order, in the proportion of the columns each
// worker reads when the output is cut by columns only (M small: GEMV, small-M GEMM);
// when rows are cut too, or page / huge-page bounds fall inside a strip, some pages are
// read by a worker other than their toucher — the verification is of the policy (each
// page on its toucher's node), not of every read being local.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/numa/placement.h"
#include "harness/sweep/case.h"
#include "harness/threading/thread_pool.h"
#include "kernels/core/error.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab::harness {

// A case this machine cannot realise as described (remote or interleave on one node,
// ...): recorded as SKIPPED with the reason, never run as something else.
class CaseSkipped : public Error {
 public:
  using Error::Error;
};

struct PlacementOptions {
  // madvise(MADV_HUGEPAGE) on the weights (on unless --no-hugepages). The calibrated read
  // roofline streams a huge-page buffer (run_calibration.cpp), so the weights measured
  // against it sit on the same pages: on 4 KiB pages a cold GEMV pays a page walk every
  // 4 KiB per stream, which the roofline never did (1x4096x14336 Q8_0, Zen 4 VM, 1
  // thread, cold: 2835 us on 4 KiB pages, 2389 on huge pages; kernels/README.md). oneDNN's
  // reordered weights follow the same option (onednn::Matmul).
  bool hugepages = true;
  // Where pages are read from: "move_pages" (the real one), or "lie:<node>" — a backend
  // that claims every page is on <node>, to prove a mismatch fails the case.
  std::string page_query = "move_pages";
};

// The pinned workers and the placed weights of one case.
class CasePlacement {
 public:
  // Plans the workers and the policy and starts the pool. Throws CaseSkipped when the
  // policy cannot be realised here, Error for a node that does not exist or a malformed
  // place=/numa= field.
  CasePlacement(const Case& c, const PlacementOptions& options);
  // The pool as a ParallelFor (for packing on the case's workers).
  ParallelFor parallel_for();
  // Copies `packed` (freshly packed, or another placement's copy: the cold timing's
  // rotating copies) into memory placed by the policy (one copy per worker node for
  // replicate), touched by the workers, and verifies every page. Once.
  void place(const PackedWeights& packed);
  ~CasePlacement();
  CasePlacement(const CasePlacement&) = delete;
  CasePlacement& operator=(const CasePlacement&) = delete;

  threading::ThreadPool& pool() { return *pool_; }
  const threading::ThreadPool& pool() const { return *pool_; }
  // Worker w's weights (its node's copy under replicate; otherwise the one copy).
  const std::vector<const PackedWeights*>& weights_of_worker() const { return of_worker_; }
  const PackedWeights& first_copy() const { return copies_.front(); }
  // {policy, place, workers, oversubscribed, status, expected, observed, ...}: the
  // planner's slots and the verification report (harness/numa/verify.h to_json).
  const nlohmann::json& report() const { return report_; }
  bool flagged() const { return flagged_; }
  std::string flag_reason() const { return flag_reason_; }

 private:
  class Borrowed;
  std::vector<numa::WorkerSlot> slots_;
  numa::PlacementPlan plan_;
  PlacementOptions options_;
  std::shared_ptr<threading::ThreadPool> pool_;
  std::unique_ptr<numa::PlacedWeights> placed_;
  std::vector<std::unique_ptr<Borrowed>> borrowed_;
  std::vector<PackedWeights> copies_;  // destroyed before the memory they borrow
  std::vector<const PackedWeights*> of_worker_;
  nlohmann::json report_;
  bool flagged_ = false;
  std::string flag_reason_;
};

// Checks a --page-query value: -1 for "move_pages", -2 for "unavailable", n for
// "lie:<n>"; throws Error naming the value otherwise.
int parse_page_query(const std::string& spec);

// The machine's topology, discovered once per process (hwloc).
const topo::Topology& machine_topology();

// A pool whose worker i is pinned to cpus[i]: the live one with exactly these CPUs if
// there is one (a case's rotating cold copies then share one pool, whose workers are
// still polling between iterations instead of being woken from a futex each time:
// ~45 us per call here), else a new one.
std::shared_ptr<threading::ThreadPool> pool_on(const std::vector<int>& cpus);

}  // namespace amxlab::harness
