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
  std::vector<int> cpus;  // OS indexes of the PUs in the node
};

struct Topology {
  int packages = 0;
  int cores = 0;
  int pus = 0;
  std::vector<NumaNode> numa_nodes;
  std::vector<CacheInfo> caches;  // as reported (CPUID-derived; may lie inside VMs)
};

// The topology of this machine, or of an hwloc synthetic description
// ("package:2 numa:2 core:4 pu:1") when `synthetic` is non-empty.
Topology discover(const std::string& synthetic = "");

}  // namespace amxlab::topo
