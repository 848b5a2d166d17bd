// The hwloc synthetic topologies the NUMA tests share (no real memory behind them).
#pragma once

#include "harness/topology/topology.h"

namespace amxlab::testing {

// 2 packages x 2 nodes x 4 cores x 1 PU: nodes 0..3, core c = PU c on node c / 4.
inline const topo::Topology& four_nodes() {
  static const topo::Topology t = topo::discover("package:2 numa:2 core:4 pu:1");
  return t;
}
// 1 package x 4 nodes x 2 cores x 2 PUs: core c holds PUs 2c, 2c+1 and sits on node c / 2.
inline const topo::Topology& four_nodes_smt() {
  static const topo::Topology t = topo::discover("package:1 numa:4 core:2 pu:2");
  return t;
}

}  // namespace amxlab::testing
