// Weight placement policies (DESIGN.md "NUMA policies"; case field numa=...):
//   local       first touch: the memory is mapped untouched and each worker touches the
//               share it reads, so each page lands on its reader's node;
//   bind.<n>    mbind(MPOL_BIND, node n): every page on node n;
//   remote      threads on node A, weights bound to a node B that runs no worker
//               (needs >= 2 nodes and a node without workers, e.g. place=node.0);
//   interleave  mbind(MPOL_INTERLEAVE) over every node with memory (needs >= 2 nodes);
//   replicate   one copy per node that runs workers, each bound to its node; every
//               worker reads its own node's copy. On one node: one copy, and the plan's
//               note says so.
// A policy the machine cannot realise (remote or interleave on one node, remote when
// the workers cover every node) is *skipped* with the reason — never run as another
// policy. A node that does not exist (bind.1 on a one-node machine) is an Error that
// names the node and the nodes that exist.
// Optional huge pages: madvise(MADV_HUGEPAGE) on the mapping, and whether the kernel
// accepted it is reported (describe()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/numa/planner.h"
#include "harness/numa/verify.h"
#include "harness/topology/topology.h"
#include "kernels/pack/packed_weights.h"

namespace amxlab::numa {

enum class PolicyKind : uint8_t { local, bind, remote, interleave, replicate };

struct Policy {
  PolicyKind kind = PolicyKind::local;
  int node = -1;  // bind: the node's OS index

  std::string name() const;  // "local", "bind.1", ... (the descriptor form)
  bool operator==(const Policy&) const = default;
};

// Parses "local", "bind.<n>" or "bind:<n>", "remote", "interleave", "replicate".
Policy parse_policy(std::string_view text);

struct AllocOptions {
  bool hugepages = false;  // madvise(MADV_HUGEPAGE); mappings then 2 MiB aligned
};

// Replicate's mapping, pure: copy i lives on nodes[i] (the nodes running workers,
// ascending); worker w reads copy worker_copy[w] (the copy on its own node).
struct ReplicaMap {
  std::vector<int> nodes;
  std::vector<int> worker_copy;
  std::string note;  // "1 copy on node 0 (one NUMA node: replicate is a single copy)" etc.
};
ReplicaMap replica_map(const std::vector<WorkerSlot>& workers, int topology_nodes);

// What a policy means on a given topology with given workers. Pure (no allocation).
struct PlacementPlan {
  Policy policy;
  bool skipped = false;
  std::string reason;             // why skipped; empty otherwise
  std::string note;               // e.g. replicate on one node
  std::vector<int> worker_nodes;  // nodes the workers run on, ascending
  std::vector<int> weight_nodes;  // nodes that will hold weights (local: worker_nodes;
                                  // bind/remote: {node}; interleave: all; replicate: one
                                  // copy per entry)
  std::string expected;           // in words: "100% on node 1", ...
  ReplicaMap replicas;            // replicate only
};

// Throws amxlab::Error for bind.<n> with a node that does not exist (naming the nodes
// that do) or that has no memory, and for an empty worker list.
PlacementPlan plan_placement(const Policy& policy, const topo::Topology& topology,
                             const std::vector<WorkerSlot>& workers);

// Memory nodes this process may allocate on (get_mempolicy(MPOL_F_MEMS_ALLOWED)).
std::vector<int> allowed_memory_nodes();

// Pins the calling thread to one CPU; throws amxlab::Error naming the CPU on failure.
void pin_current_thread(int cpu);

// Anonymous mmap memory with an optional NUMA policy set by mbind before any page is
// touched. allocate() never touches the memory: where a page lands is decided by the
// policy at its first touch. Usable as the MemoryResource of a PackedWeights.
class NumaMemoryResource final : public MemoryResource {
 public:
  enum class Mode : uint8_t { first_touch, bind, interleave };
  static std::unique_ptr<NumaMemoryResource> first_touch(AllocOptions options = {});
  static std::unique_ptr<NumaMemoryResource> bind(int node, AllocOptions options = {});
  static std::unique_ptr<NumaMemoryResource> interleave(std::vector<int> nodes, AllocOptions options = {});

  // Aligned to alignment(). Throws amxlab::Error when mmap or mbind fails
  // (the mbind message names the policy, the nodes and the allowed nodes).
  void* allocate(size_t bytes) override;
  void deallocate(void* p, size_t bytes) noexcept override;
  // "mmap, untouched (first touch)", "mmap + mbind(MPOL_BIND, node 1)", plus
  // "; MADV_HUGEPAGE accepted" / "; MADV_HUGEPAGE refused: <why>" once it was tried.
  std::string describe() const override;

  Mode mode() const { return mode_; }
  const std::vector<int>& nodes() const { return nodes_; }
  // first_touch_granule(hugepages): a huge page when huge pages were requested or THP is
  // "always" (so a huge page never straddles two workers' first-touch shares), else a
  // page. Mappings start on it and their length is a multiple of it.
  size_t alignment() const { return alignment_; }

 private:
  NumaMemoryResource(Mode mode, std::vector<int> nodes, AllocOptions options);
  size_t mapped_length(size_t bytes) const;
  Mode mode_;
  std::vector<int> nodes_;
  AllocOptions options_;
  size_t alignment_;
  std::string hugepage_status_;
};

// The resource for a single-copy plan (local, bind, remote, interleave). Throws for a
// skipped plan and for replicate (use ReplicatedWeights).
std::unique_ptr<NumaMemoryResource> make_resource(const PlacementPlan& plan, AllocOptions options = {});

// Worker i's share of a buffer: pages [first_page, end_page).
struct TouchShare {
  int worker = 0;
  int node = 0;  // the worker's node
  size_t first_page = 0, end_page = 0;
};

// The unit in which first touch places memory: a transparent huge page (2 MiB) when huge
// pages were requested or the kernel uses them for every mapping (THP "always"), since
// one touch then places the whole huge page; else the base page.
size_t first_touch_granule(bool hugepages_requested);

// Splits `pages` pages into contiguous shares, one per worker in order, in whole
// granules of `granule_pages` pages whose boundaries fall where (page + offset_pages) is
// a multiple of granule_pages (i.e. on huge-page boundaries of the address space); the
// granule counts differ by at most one (a worker may get nothing when there are fewer
// granules than workers). Pure.
std::vector<TouchShare> split_pages(size_t pages, const std::vector<WorkerSlot>& workers,
                                    size_t granule_pages = 1, size_t offset_pages = 0);

// Touches every page of [ptr, ptr + bytes) (ptr page-aligned) from one thread per worker,
// each pinned to its slot's CPU and touching its share (split_pages in units of
// `granule_bytes`; 0: first_touch_granule(false)) — the first touch that `local`
// placement relies on. Non-destructive (each page's first byte is read and written
// back). Returns the shares. Throws amxlab::Error when a thread cannot be pinned.
std::vector<TouchShare> first_touch_parallel(void* ptr, size_t bytes, const std::vector<WorkerSlot>& workers,
                                             size_t granule_bytes = 0);

// The expected node of every page after first_touch_parallel: its toucher's node.
std::vector<int> expected_first_touch_nodes(const std::vector<TouchShare>& shares);

// One copy of the weights per node that runs workers, each bound to its node.
class ReplicatedWeights {
 public:
  ReplicatedWeights(ReplicaMap map, size_t bytes, AllocOptions options = {});
  ReplicatedWeights(const std::vector<WorkerSlot>& workers, int topology_nodes, size_t bytes,
                    AllocOptions options = {})
      : ReplicatedWeights(replica_map(workers, topology_nodes), bytes, options) {}
  ~ReplicatedWeights();
  ReplicatedWeights(const ReplicatedWeights&) = delete;
  ReplicatedWeights& operator=(const ReplicatedWeights&) = delete;

  int copies() const { return static_cast<int>(map_.nodes.size()); }
  const ReplicaMap& map() const { return map_; }
  int copy_node(int index) const { return map_.nodes.at(static_cast<size_t>(index)); }
  std::span<std::byte> copy(int index);
  std::span<std::byte> copy_on_node(int node);              // throws when no copy is there
  std::span<const std::byte> for_worker(int worker) const;  // the worker's node's copy
  // The resource that placed copy `index` (to build a PackedWeights on the same node).
  NumaMemoryResource& resource(int index);
  // Copies `source` into every copy (each copy's pages land on its bound node).
  void fill(std::span<const std::byte> source);
  std::string note() const { return map_.note; }

 private:
  ReplicaMap map_;
  size_t bytes_;
  std::vector<std::unique_ptr<NumaMemoryResource>> resources_;
  std::vector<std::byte*> data_;
};

// A buffer of `bytes` weights placed per a plan: allocation, the first touch by the
// plan's workers, and the verification. Single copy for local/bind/remote/interleave,
// one per worker node for replicate (copy n touched by node n's workers).
class PlacedWeights {
 public:
  PlacedWeights(const PlacementPlan& plan, std::vector<WorkerSlot> workers, size_t bytes,
                AllocOptions options = {});
  ~PlacedWeights();
  PlacedWeights(const PlacedWeights&) = delete;
  PlacedWeights& operator=(const PlacedWeights&) = delete;

  int copies() const;
  std::span<std::byte> copy(int i);
  std::span<const std::byte> for_worker(int worker) const;
  // Touches every page of every copy from the pinned workers.
  void touch();
  // Where every page is, against the plan's promise. Call after touch().
  PlacementReport verify(PageQuery& query) const;
  std::string memory_description() const;

 private:
  PlacementPlan plan_;
  std::vector<WorkerSlot> workers_;
  size_t bytes_;
  size_t granule_;  // first_touch_granule(): the unit of first touch and of interleave
  std::unique_ptr<NumaMemoryResource> single_resource_;
  std::byte* single_ = nullptr;
  std::unique_ptr<ReplicatedWeights> replicated_;
  std::vector<TouchShare> local_shares_;  // local: who touched which pages
  bool touched_ = false;
};

// Everything for one policy: plan the workers and the placement, place `bytes`, touch,
// verify. A plan the machine cannot realise gives a "skipped" report; errors (a node
// that does not exist) propagate as amxlab::Error.
PlacementReport place_and_verify(const topo::Topology& topology, const Policy& policy,
                                 const Placement& placement, int threads, size_t bytes, PageQuery& query,
                                 AllocOptions options = {});

}  // namespace amxlab::numa
