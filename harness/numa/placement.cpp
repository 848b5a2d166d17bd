#include "harness/numa/placement.h"

#include <numaif.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <fstream>
#include <thread>

#include "kernels/core/aligned_mapping.h"
#include "kernels/core/cpu_affinity.h"
#include "kernels/core/error.h"

namespace amxlab::numa {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

std::string join(const std::vector<int>& v) {
  std::string s;
  for (const int x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s.empty() ? "none" : s;
}

std::string nodes_word(const std::vector<int>& v) {
  return (v.size() == 1 ? "node " : "nodes ") + join(v);
}

// Nodes that can hold memory: those with memory; all of them when no size is known.
std::vector<int> memory_nodes(const topo::Topology& t) {
  std::vector<int> with, all;
  for (const auto& n : t.numa_nodes) {
    all.push_back(n.os_index);
    if (n.memory_bytes > 0) with.push_back(n.os_index);
  }
  return with.empty() ? all : with;
}

// A nodemask for mbind: bits for every node, maxnode one past the highest bit.
struct NodeMask {
  std::vector<unsigned long> words;
  unsigned long maxnode = 0;
};
NodeMask make_mask(const std::vector<int>& nodes) {
  constexpr int kBits = static_cast<int>(sizeof(unsigned long) * 8);
  int highest = 0;
  for (const int n : nodes) highest = std::max(highest, n);
  NodeMask m;
  m.words.assign(static_cast<size_t>(highest / kBits) + 1, 0UL);
  for (const int n : nodes) m.words[static_cast<size_t>(n / kBits)] |= 1UL << (n % kBits);
  // The kernel reads maxnode - 1 bits.
  m.maxnode = static_cast<unsigned long>(m.words.size()) * kBits + 1;
  return m;
}

std::string allowed_cpus_text() {
  const std::vector<int> cpus = allowed_cpus();
  return cpus.empty() ? "unknown" : join(cpus);
}

}  // namespace

std::string Policy::name() const {
  switch (kind) {
    case PolicyKind::local: return "local";
    case PolicyKind::bind: return "bind." + std::to_string(node);
    case PolicyKind::remote: return "remote";
    case PolicyKind::interleave: return "interleave";
    case PolicyKind::replicate: return "replicate";
  }
  return "unknown";
}

Policy parse_policy(std::string_view text) {
  if (text == "local") return {PolicyKind::local, -1};
  if (text == "remote") return {PolicyKind::remote, -1};
  if (text == "interleave") return {PolicyKind::interleave, -1};
  if (text == "replicate") return {PolicyKind::replicate, -1};
  int node = 0;
  if (parse_indexed(text, "bind", node)) return {PolicyKind::bind, node};
  throw Error("unknown NUMA policy '" + std::string(text) +
              "' (expected local, bind.<node>, remote, interleave or replicate)");
}

ReplicaMap replica_map(const std::vector<WorkerSlot>& workers, int topology_nodes) {
  require(!workers.empty(), "replicate: no workers");
  ReplicaMap m;
  m.nodes = worker_nodes(workers);
  for (const auto& w : workers) {
    const auto it = std::find(m.nodes.begin(), m.nodes.end(), w.node);
    m.worker_copy.push_back(static_cast<int>(it - m.nodes.begin()));
  }
  if (m.nodes.size() == 1) {
    m.note = "1 copy on node " + std::to_string(m.nodes[0]) +
             (topology_nodes <= 1
                  ? " (one NUMA node: replicate is a single copy, the same as bind." +
                        std::to_string(m.nodes[0]) + ")"
                  : " (all workers run on node " + std::to_string(m.nodes[0]) + ": one copy is enough)");
  } else {
    m.note = std::to_string(m.nodes.size()) + " copies, one per node running workers: " + nodes_word(m.nodes);
  }
  return m;
}

PlacementPlan plan_placement(const Policy& policy, const topo::Topology& topology,
                             const std::vector<WorkerSlot>& workers) {
  require(!workers.empty(), "numa=" + policy.name() + ": no workers planned");
  PlacementPlan p;
  p.policy = policy;
  p.worker_nodes = worker_nodes(workers);
  const std::vector<int> mem = memory_nodes(topology);
  const std::string where = "numa=" + policy.name();
  switch (policy.kind) {
    case PolicyKind::local:
      p.weight_nodes = p.worker_nodes;
      p.expected =
          "each page on the node of the worker that touched it first (" + nodes_word(p.worker_nodes) + ")";
      break;
    case PolicyKind::bind: {
      const auto it = std::find_if(topology.numa_nodes.begin(), topology.numa_nodes.end(),
                                   [&](const topo::NumaNode& n) { return n.os_index == policy.node; });
      require(it != topology.numa_nodes.end(), where + ": NUMA node " + std::to_string(policy.node) +
                                                   " does not exist (nodes: " + node_list(topology) + ")");
      require(std::find(mem.begin(), mem.end(), policy.node) != mem.end(),
              where + ": NUMA node " + std::to_string(policy.node) +
                  " has no memory (nodes with memory: " + join(mem) + ")");
      p.weight_nodes = {policy.node};
      p.expected = "100% on node " + std::to_string(policy.node);
      break;
    }
    case PolicyKind::remote: {
      if (mem.size() < 2) {
        p.skipped = true;
        p.reason = "remote needs two NUMA nodes with memory; this machine has one (node " + join(mem) +
                   "), so no memory is remote to the workers (not run as another policy)";
        break;
      }
      std::vector<int> candidates;
      for (const int n : mem) {
        if (std::find(p.worker_nodes.begin(), p.worker_nodes.end(), n) == p.worker_nodes.end()) {
          candidates.push_back(n);
        }
      }
      if (candidates.empty()) {
        p.skipped = true;
        p.reason = "the workers run on every NUMA node with memory (" + nodes_word(mem) +
                   "): no node is remote to all of them; use a placement on one node (place=node.<i>)";
        break;
      }
      p.weight_nodes = {candidates.front()};
      p.expected = "100% on node " + std::to_string(candidates.front()) + " (workers on " +
                   nodes_word(p.worker_nodes) + ")";
      break;
    }
    case PolicyKind::interleave:
      if (mem.size() < 2) {
        p.skipped = true;
        p.reason = "interleave needs two NUMA nodes with memory; this machine has one (node " + join(mem) +
                   "), where it would be bind." + join(mem) + " (not run as another policy)";
        break;
      }
      p.weight_nodes = mem;
      p.expected = "even across " + nodes_word(mem);
      break;
    case PolicyKind::replicate:
      p.replicas = replica_map(workers, static_cast<int>(topology.numa_nodes.size()));
      p.weight_nodes = p.replicas.nodes;
      p.note = p.replicas.note;
      p.expected = "copy on node n: 100% on node n, for " + nodes_word(p.replicas.nodes);
      break;
  }
  return p;
}

std::vector<int> allowed_memory_nodes() {
  // get_mempolicy needs a mask large enough for the kernel's node count; grow until it fits.
  for (unsigned long bits = 1024; bits <= (1UL << 16); bits *= 4) {
    std::vector<unsigned long> mask(bits / (sizeof(unsigned long) * 8), 0UL);
    if (get_mempolicy(nullptr, mask.data(), bits, nullptr, MPOL_F_MEMS_ALLOWED) == 0) {
      std::vector<int> nodes;
      for (unsigned long b = 0; b < bits; ++b) {
        if (mask[b / (sizeof(unsigned long) * 8)] & (1UL << (b % (sizeof(unsigned long) * 8)))) {
          nodes.push_back(static_cast<int>(b));
        }
      }
      return nodes;
    }
    if (errno != EINVAL) break;
  }
  throw Error(std::string("get_mempolicy(MPOL_F_MEMS_ALLOWED) failed: ") + std::strerror(errno));
}

void pin_current_thread(int cpu) {
  require(cpu >= 0 && cpu < CPU_SETSIZE,
          "cannot pin a worker to CPU " + std::to_string(cpu) + ": out of range");
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) {
    const int e = errno;
    throw Error("cannot pin a worker to CPU " + std::to_string(cpu) + ": " + std::strerror(e) +
                " (CPUs this process may use: " + allowed_cpus_text() + ")");
  }
}

// ---- NumaMemoryResource ----

NumaMemoryResource::NumaMemoryResource(Mode mode, std::vector<int> nodes, AllocOptions options)
    : mode_(mode),
      nodes_(std::move(nodes)),
      options_(options),
      alignment_(first_touch_granule(options.hugepages)) {}

std::unique_ptr<NumaMemoryResource> NumaMemoryResource::first_touch(AllocOptions options) {
  return std::unique_ptr<NumaMemoryResource>(new NumaMemoryResource(Mode::first_touch, {}, options));
}

std::unique_ptr<NumaMemoryResource> NumaMemoryResource::bind(int node, AllocOptions options) {
  require(node >= 0, "bind: node must be >= 0, got " + std::to_string(node));
  return std::unique_ptr<NumaMemoryResource>(new NumaMemoryResource(Mode::bind, {node}, options));
}

std::unique_ptr<NumaMemoryResource> NumaMemoryResource::interleave(std::vector<int> nodes,
                                                                   AllocOptions options) {
  require(!nodes.empty(), "interleave: no nodes");
  for (const int n : nodes) require(n >= 0, "interleave: node must be >= 0, got " + std::to_string(n));
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  return std::unique_ptr<NumaMemoryResource>(
      new NumaMemoryResource(Mode::interleave, std::move(nodes), options));
}

size_t NumaMemoryResource::mapped_length(size_t bytes) const {
  const size_t a = alignment();
  return std::max<size_t>(1, (bytes + a - 1) / a) * a;
}

void* NumaMemoryResource::allocate(size_t bytes) {
  const size_t len = mapped_length(bytes);
  std::byte* p = map_aligned(len, alignment(), MAP_NORESERVE, "NumaMemoryResource");
  if (mode_ != Mode::first_touch) {
    const NodeMask mask = make_mask(nodes_);
    const int mpol = mode_ == Mode::bind ? MPOL_BIND : MPOL_INTERLEAVE;
    if (mbind(p, len, mpol, mask.words.data(), mask.maxnode, 0) != 0) {
      const int e = errno;
      munmap(p, len);
      std::string allowed;
      try {
        allowed = join(allowed_memory_nodes());
      } catch (const Error&) {
        allowed = "unknown";
      }
      throw Error(std::string("mbind(") + (mode_ == Mode::bind ? "MPOL_BIND" : "MPOL_INTERLEAVE") + ", " +
                  nodes_word(nodes_) + ") failed: " + std::strerror(e) +
                  " (memory nodes this process may use: " + allowed + ")");
    }
  }
  if (options_.hugepages) {
    if (madvise(p, len, MADV_HUGEPAGE) == 0) {
      hugepage_status_ = "MADV_HUGEPAGE accepted";
    } else {
      hugepage_status_ = std::string("MADV_HUGEPAGE refused: ") + std::strerror(errno);
    }
  }
  return p;
}

void NumaMemoryResource::deallocate(void* p, size_t bytes) noexcept {
  if (p != nullptr) munmap(p, mapped_length(bytes));
}

std::string NumaMemoryResource::describe() const {
  std::string s;
  switch (mode_) {
    case Mode::first_touch: s = "mmap, untouched (first touch places each page)"; break;
    case Mode::bind: s = "mmap + mbind(MPOL_BIND, node " + join(nodes_) + ")"; break;
    case Mode::interleave: s = "mmap + mbind(MPOL_INTERLEAVE, " + nodes_word(nodes_) + ")"; break;
  }
  if (options_.hugepages)
    s += "; " + (hugepage_status_.empty() ? std::string("MADV_HUGEPAGE requested") : hugepage_status_);
  return s;
}

std::unique_ptr<NumaMemoryResource> make_resource(const PlacementPlan& plan, AllocOptions options) {
  require(!plan.skipped, "numa=" + plan.policy.name() + " is skipped: " + plan.reason);
  switch (plan.policy.kind) {
    case PolicyKind::local: return NumaMemoryResource::first_touch(options);
    case PolicyKind::bind:
    case PolicyKind::remote: return NumaMemoryResource::bind(plan.weight_nodes.at(0), options);
    case PolicyKind::interleave: return NumaMemoryResource::interleave(plan.weight_nodes, options);
    case PolicyKind::replicate: break;
  }
  throw Error("numa=replicate holds one copy per node: use ReplicatedWeights, not one resource");
}

// ---- first touch ----

size_t first_touch_granule(bool hugepages_requested) {
  const size_t page = system_page_size();
  std::string enabled;
  {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::getline(in, enabled);
  }
  if (!hugepages_requested && enabled.find("[always]") == std::string::npos) return page;
  size_t huge = kHugePage;
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
  unsigned long long v = 0;
  if (in >> v && v >= page && v % page == 0) huge = static_cast<size_t>(v);
  return huge;
}

std::vector<TouchShare> split_pages(size_t pages, const std::vector<WorkerSlot>& workers,
                                    size_t granule_pages, size_t offset_pages) {
  require(!workers.empty(), "split_pages: no workers");
  require(granule_pages >= 1, "split_pages: granule must be >= 1 page");
  offset_pages %= granule_pages;
  // Granule u covers pages [u * g - offset, (u + 1) * g - offset), clipped to [0, pages).
  const size_t units = pages == 0 ? 0 : (pages + offset_pages + granule_pages - 1) / granule_pages;
  const auto boundary = [&](size_t unit) {
    return std::min(pages, unit == 0 ? 0 : unit * granule_pages - offset_pages);
  };
  std::vector<TouchShare> shares;
  const size_t n = workers.size();
  shares.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    shares.push_back(
        {workers[i].worker, workers[i].node, boundary(units * i / n), boundary(units * (i + 1) / n)});
  }
  return shares;
}

std::vector<TouchShare> first_touch_parallel(void* ptr, size_t bytes, const std::vector<WorkerSlot>& workers,
                                             size_t granule_bytes) {
  const size_t page = system_page_size();
  const auto addr = reinterpret_cast<uintptr_t>(ptr);
  require(addr % page == 0, "first_touch_parallel: buffer is not page-aligned");
  if (granule_bytes == 0) granule_bytes = first_touch_granule(false);
  require(granule_bytes % page == 0, "first_touch_parallel: granule is not a multiple of the page size");
  const size_t pages = (bytes + page - 1) / page;
  std::vector<TouchShare> shares =
      split_pages(pages, workers, granule_bytes / page, (addr % granule_bytes) / page);
  std::vector<std::exception_ptr> errors(workers.size());
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  auto* base = static_cast<unsigned char*>(ptr);
  for (size_t i = 0; i < workers.size(); ++i) {
    if (shares[i].first_page == shares[i].end_page) continue;
    threads.emplace_back([&, i] {
      try {
        pin_current_thread(workers[i].cpu);
        for (size_t pg = shares[i].first_page; pg < shares[i].end_page; ++pg) {
          // One locked add of zero: a write fault (never a read fault, which would map the
          // shared zero page first) that allocates the page under the mapping's policy —
          // on this CPU's node for first touch — and leaves its content unchanged.
          __atomic_fetch_add(static_cast<volatile unsigned char*>(base + pg * page), 0, __ATOMIC_RELAXED);
        }
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return shares;
}

std::vector<int> expected_first_touch_nodes(const std::vector<TouchShare>& shares) {
  std::vector<int> nodes;
  for (const auto& s : shares) nodes.insert(nodes.end(), s.end_page - s.first_page, s.node);
  return nodes;
}

// ---- ReplicatedWeights ----

ReplicatedWeights::ReplicatedWeights(ReplicaMap map, size_t bytes, AllocOptions options)
    : map_(std::move(map)), bytes_(bytes) {
  require(!map_.nodes.empty(), "ReplicatedWeights: no nodes");
  try {
    for (const int node : map_.nodes) {
      resources_.push_back(NumaMemoryResource::bind(node, options));
      data_.push_back(static_cast<std::byte*>(resources_.back()->allocate(bytes_)));
    }
  } catch (...) {
    for (size_t i = 0; i < data_.size(); ++i) resources_[i]->deallocate(data_[i], bytes_);
    throw;
  }
}

ReplicatedWeights::~ReplicatedWeights() {
  for (size_t i = 0; i < data_.size(); ++i) resources_[i]->deallocate(data_[i], bytes_);
}

std::span<std::byte> ReplicatedWeights::copy(int index) {
  require(index >= 0 && index < copies(), "ReplicatedWeights: no copy " + std::to_string(index));
  return {data_[static_cast<size_t>(index)], bytes_};
}

std::span<std::byte> ReplicatedWeights::copy_on_node(int node) {
  const auto it = std::find(map_.nodes.begin(), map_.nodes.end(), node);
  require(it != map_.nodes.end(), "ReplicatedWeights: no copy on node " + std::to_string(node) +
                                      " (copies on " + nodes_word(map_.nodes) + ")");
  return copy(static_cast<int>(it - map_.nodes.begin()));
}

std::span<const std::byte> ReplicatedWeights::for_worker(int worker) const {
  require(worker >= 0 && static_cast<size_t>(worker) < map_.worker_copy.size(),
          "ReplicatedWeights: no worker " + std::to_string(worker));
  return {data_[static_cast<size_t>(map_.worker_copy[static_cast<size_t>(worker)])], bytes_};
}

NumaMemoryResource& ReplicatedWeights::resource(int index) {
  require(index >= 0 && index < copies(), "ReplicatedWeights: no copy " + std::to_string(index));
  return *resources_[static_cast<size_t>(index)];
}

void ReplicatedWeights::fill(std::span<const std::byte> source) {
  require(source.size() == bytes_, "ReplicatedWeights::fill: source has " + std::to_string(source.size()) +
                                       " bytes, copies have " + std::to_string(bytes_));
  for (std::byte* d : data_) {
    if (bytes_ > 0) std::memcpy(d, source.data(), bytes_);
  }
}

// ---- PlacedWeights ----

PlacedWeights::PlacedWeights(const PlacementPlan& plan, std::vector<WorkerSlot> workers, size_t bytes,
                             AllocOptions options)
    : plan_(plan),
      workers_(std::move(workers)),
      bytes_(bytes),
      granule_(first_touch_granule(options.hugepages)) {
  require(!plan_.skipped, "numa=" + plan_.policy.name() + " is skipped: " + plan_.reason);
  require(!workers_.empty(), "PlacedWeights: no workers");
  if (plan_.policy.kind == PolicyKind::replicate) {
    replicated_ = std::make_unique<ReplicatedWeights>(plan_.replicas, bytes_, options);
  } else {
    single_resource_ = make_resource(plan_, options);
    single_ = static_cast<std::byte*>(single_resource_->allocate(bytes_));
  }
}

PlacedWeights::~PlacedWeights() {
  if (single_ != nullptr) single_resource_->deallocate(single_, bytes_);
}

int PlacedWeights::copies() const {
  return replicated_ ? replicated_->copies() : 1;
}

std::span<std::byte> PlacedWeights::copy(int i) {
  if (replicated_) return replicated_->copy(i);
  require(i == 0, "PlacedWeights: one copy only, asked for copy " + std::to_string(i));
  return {single_, bytes_};
}

std::span<const std::byte> PlacedWeights::for_worker(int worker) const {
  if (replicated_) return replicated_->for_worker(worker);
  return {single_, bytes_};
}

void PlacedWeights::touch() {
  if (replicated_) {
    // Copy n is touched by the workers of node n (the memory is bound: only the policy
    // decides where it lands, but this is also how a real run would first use it).
    for (int c = 0; c < replicated_->copies(); ++c) {
      std::vector<WorkerSlot> readers;
      for (const auto& w : workers_) {
        if (w.node == replicated_->copy_node(c)) readers.push_back(w);
      }
      first_touch_parallel(replicated_->copy(c).data(), bytes_, readers, granule_);
    }
  } else {
    local_shares_ = first_touch_parallel(single_, bytes_, workers_, granule_);
  }
  touched_ = true;
}

PlacementReport PlacedWeights::verify(PageQuery& query) const {
  const size_t page = system_page_size();
  std::vector<RegionReport> regions;
  switch (plan_.policy.kind) {
    case PolicyKind::local: {
      const size_t pages = (bytes_ + page - 1) / page;
      const auto shares = touched_ ? local_shares_
                                   : split_pages(pages, workers_, granule_ / page,
                                                 (reinterpret_cast<uintptr_t>(single_) % granule_) / page);
      regions.push_back(
          verify_region(single_, bytes_, Expectation::per_page(expected_first_touch_nodes(shares)), query));
      break;
    }
    case PolicyKind::bind:
    case PolicyKind::remote:
      regions.push_back(verify_region(single_, bytes_, Expectation::on(plan_.weight_nodes.at(0)), query));
      break;
    case PolicyKind::interleave: {
      regions.push_back(verify_region(
          single_, bytes_, Expectation::interleaved_over(plan_.weight_nodes, granule_ / page), query));
      break;
    }
    case PolicyKind::replicate:
      for (int c = 0; c < replicated_->copies(); ++c) {
        const int node = replicated_->copy_node(c);
        regions.push_back(verify_region(replicated_->copy(c).data(), bytes_, Expectation::on(node), query,
                                        "copy for node " + std::to_string(node)));
      }
      break;
  }
  PlacementReport r = summarize(plan_.policy.name(), plan_.expected, std::move(regions), query.name(), page);
  r.note = plan_.note;
  r.memory = memory_description();
  return r;
}

std::string PlacedWeights::memory_description() const {
  if (!replicated_) return single_resource_->describe();
  std::string s;
  for (int c = 0; c < replicated_->copies(); ++c) {
    s += (s.empty() ? "" : " | ") + replicated_->resource(c).describe();
  }
  return s;
}

PlacementReport place_and_verify(const topo::Topology& topology, const Policy& policy,
                                 const Placement& placement, int threads, size_t bytes, PageQuery& query,
                                 AllocOptions options) {
  const std::vector<WorkerSlot> slots = plan_workers(topology, placement, threads);
  const PlacementPlan plan = plan_placement(policy, topology, slots);
  if (plan.skipped) {
    PlacementReport r = skipped_report(policy.name(), plan.reason);
    r.note = plan.note;
    return r;
  }
  PlacedWeights weights(plan, slots, bytes, options);
  weights.touch();
  return weights.verify(query);
}

}  // namespace amxlab::numa
