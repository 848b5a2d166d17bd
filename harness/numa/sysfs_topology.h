// NUMA nodes, cores and PUs read from Linux sysfs, without hwloc: for the statically
// linked VM test binary (scripts/numa_vm), where hwloc's static library and its
// dependencies are not worth carrying. Fills the same topo::Topology as topo::discover()
// for the fields the planner and the placement policies use (numa_nodes with cpus,
// cores and memory; core_list; packages, cores, pus); caches stay empty.
#pragma once

#include <string>

#include "harness/topology/topology.h"

namespace amxlab::numa {

// `root` is the sysfs "system" directory (tests point it at a fake tree):
//   <root>/node/node<N>/cpulist, <root>/node/node<N>/meminfo ("Node N MemTotal: X kB")
//   <root>/cpu/online, <root>/cpu/cpu<C>/topology/{core_cpus_list|thread_siblings_list,
//   physical_package_id}
// A kernel without NUMA (no <root>/node) gives one node 0 holding every online CPU.
// Throws amxlab::Error when the CPU list cannot be read.
topo::Topology topology_from_sysfs(const std::string& root = "/sys/devices/system");

// Parses a kernel CPU/node list ("0-3,8,10-11"); throws amxlab::Error on bad text.
std::vector<int> parse_cpu_list(const std::string& text);

}  // namespace amxlab::numa
