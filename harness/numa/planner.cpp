#include "harness/numa/planner.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "kernels/core/error.h"

namespace amxlab::numa {
namespace {

// A non-negative decimal integer, digits only (no sign, no spaces).
const topo::NumaNode* find_node(const topo::Topology& t, int os_index) {
  for (const auto& n : t.numa_nodes) {
    if (n.os_index == os_index) return &n;
  }
  return nullptr;
}

struct Pu {
  int cpu, core, node;
};

// The cores of one node, in order, as (core index) lists; nodes without cores dropped.
std::vector<std::pair<int, std::vector<int>>> nodes_with_cores(const topo::Topology& t) {
  std::vector<std::pair<int, std::vector<int>>> out;
  for (const auto& n : t.numa_nodes) {
    if (!n.cores.empty()) out.emplace_back(n.os_index, n.cores);
  }
  return out;
}

}  // namespace

std::string Placement::name() const {
  switch (kind) {
    case PlacementKind::compact: return "compact";
    case PlacementKind::scatter: return "scatter";
    case PlacementKind::node: return "node." + std::to_string(node);
  }
  return "unknown";
}

bool parse_indexed(std::string_view text, std::string_view word, int& index) {
  if (text.size() <= word.size() + 1 || text.substr(0, word.size()) != word) return false;
  const char sep = text[word.size()];
  if (sep != '.' && sep != ':') return false;
  const std::string_view digits = text.substr(word.size() + 1);
  if (digits.size() > 9) return false;
  for (const char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  return r.ec == std::errc() && r.ptr == digits.data() + digits.size();
}

Placement parse_placement(std::string_view text) {
  if (text == "compact") return {PlacementKind::compact, -1};
  if (text == "scatter") return {PlacementKind::scatter, -1};
  int node = 0;
  if (parse_indexed(text, "node", node)) return {PlacementKind::node, node};
  throw Error("unknown thread placement '" + std::string(text) +
              "' (expected compact, scatter or node.<i>, e.g. node.1)");
}

std::string node_list(const topo::Topology& topology) {
  std::string s;
  for (const auto& n : topology.numa_nodes) {
    if (!s.empty()) s += ", ";
    s += std::to_string(n.os_index);
  }
  return s.empty() ? "none" : s;
}

std::vector<WorkerSlot> plan_workers(const topo::Topology& topology, const Placement& placement,
                                     int threads) {
  require(threads >= 1, "plan_workers: threads must be >= 1, got " + std::to_string(threads));
  const std::string where = "place=" + placement.name();
  auto nodes = nodes_with_cores(topology);
  require(!nodes.empty(), where + ": the topology has no cores in any NUMA node");
  if (placement.kind == PlacementKind::node) {
    const topo::NumaNode* n = find_node(topology, placement.node);
    require(n != nullptr, where + ": NUMA node " + std::to_string(placement.node) +
                              " does not exist (nodes: " + node_list(topology) + ")");
    if (n->cores.empty()) {
      std::string with;
      for (const auto& [os, cores] : nodes) with += (with.empty() ? "" : ", ") + std::to_string(os);
      throw Error(where + ": NUMA node " + std::to_string(placement.node) +
                  " has no CPUs (memory only); nodes with CPUs: " + with);
    }
    nodes = {{n->os_index, n->cores}};
  }

  size_t max_pus = 0;
  for (const auto& [os, cores] : nodes) {
    for (const int c : cores) max_pus = std::max(max_pus, topology.core_list.at(c).pus.size());
  }
  // The visiting order of the cores within one round.
  std::vector<std::pair<int, int>> order;  // (core, node)
  if (placement.kind == PlacementKind::scatter) {
    size_t longest = 0;
    for (const auto& [os, cores] : nodes) longest = std::max(longest, cores.size());
    for (size_t j = 0; j < longest; ++j) {
      for (const auto& [os, cores] : nodes) {
        if (j < cores.size()) order.emplace_back(cores[j], os);
      }
    }
  } else {
    for (const auto& [os, cores] : nodes) {
      for (const int c : cores) order.emplace_back(c, os);
    }
  }
  std::vector<Pu> sequence;
  for (size_t r = 0; r < max_pus; ++r) {
    for (const auto& [core, node] : order) {
      const auto& pus = topology.core_list.at(core).pus;
      if (r < pus.size()) sequence.push_back({pus[r], core, node});
    }
  }
  require(!sequence.empty(), where + ": the cores have no PUs");

  const size_t p = sequence.size();
  const size_t n = static_cast<size_t>(threads);
  std::vector<WorkerSlot> slots;
  slots.reserve(n);
  for (size_t w = 0; w < n; ++w) {
    const Pu& pu = sequence[w % p];
    // PU (w mod p) holds the workers w mod p, w mod p + p, ...: shared when two exist.
    const size_t on_this_pu = (n - 1 - w % p) / p + 1;
    slots.push_back({static_cast<int>(w), pu.cpu, pu.core, pu.node, on_this_pu > 1});
  }
  return slots;
}

std::string oversubscription_note(const std::vector<WorkerSlot>& slots) {
  std::map<int, int> per_cpu;
  for (const auto& s : slots) ++per_cpu[s.cpu];
  if (per_cpu.size() == slots.size()) return "";
  return "oversubscribed: " + std::to_string(slots.size()) + " workers on " + std::to_string(per_cpu.size()) +
         " PUs (some workers share a PU)";
}

std::string describe(const std::vector<WorkerSlot>& slots) {
  std::string s;
  for (const auto& w : slots) {
    if (!s.empty()) s += ", ";
    s += "w" + std::to_string(w.worker) + " cpu" + std::to_string(w.cpu) + " core" + std::to_string(w.core) +
         " node" + std::to_string(w.node) + (w.shares_pu ? " (shared)" : "");
  }
  return s;
}

std::vector<int> worker_nodes(const std::vector<WorkerSlot>& slots) {
  std::vector<int> nodes;
  nodes.reserve(slots.size());
  for (const auto& s : slots) nodes.push_back(s.node);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  return nodes;
}

}  // namespace amxlab::numa
