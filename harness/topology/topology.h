// The machine's topology as hwloc sees it: packages, NUMA nodes, cores, PUs, caches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace amxlab::topo {

struct CacheInfo {
  int level = 0;     // 1, 2, 3
  std::string kind;  // "data", "instruction", "unified"
  uint64_t size_bytes = 0;
  int count = 0;  // instances in the machine
};

struct NumaNode {
  int os_index = 0;
  uint64_t memory_bytes = 0;
  std::vector<int> cpus;   // OS indexes of the PUs in the node
  std::vector<int> cores;  // indexes into Topology::core_list of the cores in the node
};

// A physical core: its PUs (hardware threads) and the NUMA node that holds it.
struct Core {
  int index = 0;         // position in Topology::core_list (hwloc logical order)
  int numa_node = -1;    // OS index of the first NUMA node whose CPUs include the core; -1: none
  std::vector<int> pus;  // OS indexes of its PUs, ascending
};

struct Topology {
  int packages = 0;
  int cores = 0;
  int pus = 0;
  std::vector<NumaNode> numa_nodes;
  // Every core; when hwloc reports no Core objects (some VMs, synthetic "numa:2 pu:4"),
  // one entry per PU (and `cores` stays as hwloc reported it).
  std::vector<Core> core_list;
  std::vector<CacheInfo> caches;  // as reported (CPUID-derived; may lie inside VMs)
};

// The topology of this machine, or of an hwloc synthetic description
// ("package:2 numa:2 core:4 pu:1") when `synthetic` is non-empty.
Topology discover(const std::string& synthetic = "");

}  // namespace amxlab::topo
