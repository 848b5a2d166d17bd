// Thread placement (DESIGN.md "NUMA policies", "What a case is": place=compact|scatter|node.<i>):
// which PU, core and NUMA node each worker runs on. Pure: it only reads a topo::Topology,
// so hwloc synthetic topologies ("package:2 numa:2 core:4 pu:1") test it without the
// hardware.
//
// Order of the PUs handed out (a worker per core before any core gets a second one):
//   round r = 0, 1, ... takes the r-th PU of each core (r = 1 are the SMT siblings);
//   within a round the cores are visited
//     compact  node by node (topology order), each node's cores in order;
//     scatter  round-robin over the nodes: core 0 of every node, then core 1 of every
//              node, ... (a node with fewer cores drops out when it runs out);
//     node.<i> only node i's cores, in order.
// Worker w gets the w-th PU of that sequence. More workers than PUs is allowed
// (oversubscription): worker w then takes PU (w mod P) and every worker on a shared PU
// has `shares_pu` set; oversubscription_note() says so in words. The plan never spills
// onto another node: node.<i> with more workers than node i has PUs oversubscribes node
// i. Nodes without CPUs (memory-only) get no workers; node.<i> on one is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/topology/topology.h"

namespace amxlab::numa {

enum class PlacementKind : uint8_t { compact, scatter, node };

struct Placement {
  PlacementKind kind = PlacementKind::compact;
  int node = -1;  // OS index of the NUMA node, for kind == node

  std::string name() const;  // "compact", "scatter", "node.1" (the descriptor form)
  bool operator==(const Placement&) const = default;
};

// Parses "compact", "scatter", "node.<i>" or "node:<i>"; throws amxlab::Error otherwise.
Placement parse_placement(std::string_view text);

// True, with the index in `index`, when text is "<word>.<i>" or "<word>:<i>" and i is a
// non-negative decimal (at most 9 digits). The form of node.<i> and bind.<n>.
bool parse_indexed(std::string_view text, std::string_view word, int& index);

struct WorkerSlot {
  int worker = 0;          // 0 .. threads-1
  int cpu = 0;             // OS index of the PU the worker is pinned to
  int core = 0;            // index into Topology::core_list
  int node = 0;            // OS index of the NUMA node holding the core
  bool shares_pu = false;  // oversubscribed: another worker is pinned to the same PU

  bool operator==(const WorkerSlot&) const = default;
};

// threads >= 1. Throws amxlab::Error for threads < 1, a topology without cores, or
// node.<i> naming a node that does not exist (the message lists the nodes that do) or
// that has no CPUs.
std::vector<WorkerSlot> plan_workers(const topo::Topology& topology, const Placement& placement, int threads);

// "" when no two workers share a PU, else e.g. "oversubscribed: 12 workers on 8 PUs".
std::string oversubscription_note(const std::vector<WorkerSlot>& slots);

// One line: "w0 cpu0 core0 node0, w1 cpu4 core2 node1, ...".
std::string describe(const std::vector<WorkerSlot>& slots);

// OS indexes of the NUMA nodes the workers run on, ascending, unique.
std::vector<int> worker_nodes(const std::vector<WorkerSlot>& slots);

// "0, 1, 2" — the OS indexes of the topology's NUMA nodes, for error messages.
std::string node_list(const topo::Topology& topology);

}  // namespace amxlab::numa
