#include "harness/topology/topology.h"

#include <hwloc.h>

#include <algorithm>
#include <memory>

#include "kernels/core/error.h"

namespace amxlab::topo {
namespace {

struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};
using TopologyPtr = std::unique_ptr<hwloc_topology, TopologyDeleter>;

TopologyPtr load(const std::string& synthetic) {
  hwloc_topology_t raw = nullptr;
  if (hwloc_topology_init(&raw) != 0) throw Error("hwloc_topology_init failed");
  TopologyPtr t(raw);
  if (!synthetic.empty() && hwloc_topology_set_synthetic(raw, synthetic.c_str()) != 0) {
    throw Error("hwloc: invalid synthetic topology '" + synthetic + "'");
  }
  // The real machine as this process may use it: PUs outside its affinity mask (taskset,
  // Slurm binding, cgroup cpusets) are left out, so placements never pin outside it.
  if (synthetic.empty()) hwloc_topology_set_flags(raw, HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING);
  if (hwloc_topology_load(raw) != 0) throw Error("hwloc_topology_load failed");
  return t;
}

const char* cache_kind(hwloc_obj_cache_type_t t) {
  switch (t) {
    case HWLOC_OBJ_CACHE_DATA: return "data";
    case HWLOC_OBJ_CACHE_INSTRUCTION: return "instruction";
    default: return "unified";
  }
}

}  // namespace

Topology discover(const std::string& synthetic) {
  const TopologyPtr t = load(synthetic);
  hwloc_topology* raw = t.get();
  Topology out;
  out.packages = hwloc_get_nbobjs_by_type(raw, HWLOC_OBJ_PACKAGE);
  out.cores = hwloc_get_nbobjs_by_type(raw, HWLOC_OBJ_CORE);
  out.pus = hwloc_get_nbobjs_by_type(raw, HWLOC_OBJ_PU);
  const int nodes = hwloc_get_nbobjs_by_type(raw, HWLOC_OBJ_NUMANODE);
  for (int i = 0; i < nodes; ++i) {
    hwloc_obj_t node = hwloc_get_obj_by_type(raw, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(i));
    NumaNode n;
    n.os_index = static_cast<int>(node->os_index);
    n.memory_bytes = node->attr ? node->attr->numanode.local_memory : 0;
    unsigned pu = 0;
    hwloc_bitmap_foreach_begin(pu, node->cpuset) {
      n.cpus.push_back(static_cast<int>(pu));
    }
    hwloc_bitmap_foreach_end();
    out.numa_nodes.push_back(std::move(n));
  }
  // Cores (or PUs standing in for them), each attached to the first node holding its PUs.
  const hwloc_obj_type_t core_type = out.cores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
  const int core_count = hwloc_get_nbobjs_by_type(raw, core_type);
  for (int i = 0; i < core_count; ++i) {
    hwloc_obj_t obj = hwloc_get_obj_by_type(raw, core_type, static_cast<unsigned>(i));
    Core c;
    c.index = i;
    unsigned pu = 0;
    hwloc_bitmap_foreach_begin(pu, obj->cpuset) {
      c.pus.push_back(static_cast<int>(pu));
    }
    hwloc_bitmap_foreach_end();
    for (NumaNode& n : out.numa_nodes) {
      if (!c.pus.empty() && std::find(n.cpus.begin(), n.cpus.end(), c.pus.front()) != n.cpus.end()) {
        c.numa_node = n.os_index;
        n.cores.push_back(i);
        break;
      }
    }
    out.core_list.push_back(std::move(c));
  }
  for (int depth = 0; depth < hwloc_topology_get_depth(raw); ++depth) {
    const hwloc_obj_type_t type = hwloc_get_depth_type(raw, depth);
    if (!hwloc_obj_type_is_cache(type)) continue;
    hwloc_obj_t first = hwloc_get_obj_by_depth(raw, depth, 0);
    if (first == nullptr || first->attr == nullptr) continue;
    CacheInfo c;
    c.level = static_cast<int>(first->attr->cache.depth);
    c.kind = cache_kind(first->attr->cache.type);
    c.size_bytes = first->attr->cache.size;
    c.count = static_cast<int>(hwloc_get_nbobjs_by_depth(raw, depth));
    out.caches.push_back(c);
  }
  return out;
}

}  // namespace amxlab::topo
