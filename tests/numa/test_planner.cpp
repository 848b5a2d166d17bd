// The thread placement planner on hwloc synthetic topologies: every placement, threads
// 1..16, checked against closed-form assignments.
#include <gtest/gtest.h>

#include <set>

#include "harness/numa/planner.h"
#include "harness/topology/topology.h"
#include "tests/numa/synthetic_topologies.h"
#include "tests/test_util.h"

namespace {

using namespace amxlab;
using namespace amxlab::numa;
using amxlab::testing::error_of;

using amxlab::testing::four_nodes;  // no SMT
using amxlab::testing::four_nodes_smt;

struct Expected {
  int cpu, core, node;
};

// Whether worker w shares its PU with another of `threads` workers over `pus` PUs.
bool shares(int w, int threads, int pus) {
  int on_pu = 0;
  for (int v = 0; v < threads; ++v) on_pu += v % pus == w % pus;
  return on_pu > 1;
}

Expected no_smt_oracle(const Placement& p, int w) {
  int core = 0;
  switch (p.kind) {
    case PlacementKind::compact: core = w % 16; break;
    case PlacementKind::scatter: {
      const int j = w % 16;
      core = (j % 4) * 4 + j / 4;  // round-robin over the 4 nodes, then the next core of each
      break;
    }
    case PlacementKind::node: core = p.node * 4 + w % 4; break;
  }
  return {core, core, core / 4};
}

Expected smt_oracle(const Placement& p, int w) {
  int core = 0, round = 0;
  switch (p.kind) {
    case PlacementKind::compact: {
      const int j = w % 16;
      round = j / 8;  // every core's first PU before any second PU
      core = j % 8;
      break;
    }
    case PlacementKind::scatter: {
      const int j = w % 16;
      round = j / 8;
      const int k = j % 8;
      core = (k % 4) * 2 + k / 4;
      break;
    }
    case PlacementKind::node: {
      const int j = w % 4;
      round = j / 2;
      core = p.node * 2 + j % 2;
      break;
    }
  }
  return {2 * core + round, core, core / 2};
}

std::vector<Placement> placements() {
  std::vector<Placement> v = {{PlacementKind::compact, -1}, {PlacementKind::scatter, -1}};
  for (int n = 0; n < 4; ++n) v.push_back({PlacementKind::node, n});
  return v;
}

void check_against(const topo::Topology& t, Expected (*oracle)(const Placement&, int)) {
  for (const Placement& p : placements()) {
    const int pus = p.kind == PlacementKind::node ? 4 : 16;
    for (int threads = 1; threads <= 16; ++threads) {
      SCOPED_TRACE(p.name() + " threads " + std::to_string(threads));
      const auto slots = plan_workers(t, p, threads);
      ASSERT_EQ(slots.size(), static_cast<size_t>(threads));
      for (int w = 0; w < threads; ++w) {
        const Expected e = oracle(p, w);
        const WorkerSlot& s = slots[static_cast<size_t>(w)];
        EXPECT_EQ(s.worker, w);
        EXPECT_EQ(s.cpu, e.cpu) << "worker " << w;
        EXPECT_EQ(s.core, e.core) << "worker " << w;
        EXPECT_EQ(s.node, e.node) << "worker " << w;
        EXPECT_EQ(s.shares_pu, shares(w, threads, pus)) << "worker " << w;
        // Consistent with the topology itself.
        const topo::Core& core = t.core_list.at(static_cast<size_t>(s.core));
        EXPECT_EQ(core.numa_node, s.node);
        EXPECT_NE(std::find(core.pus.begin(), core.pus.end(), s.cpu), core.pus.end());
      }
      const bool over = threads > pus;
      EXPECT_EQ(oversubscription_note(slots).empty(), !over) << oversubscription_note(slots);
    }
  }
}

TEST(NumaTopology, SyntheticCoresKnowTheirNodes) {
  const auto& a = four_nodes();
  ASSERT_EQ(a.numa_nodes.size(), 4u);
  ASSERT_EQ(a.core_list.size(), 16u);
  for (int c = 0; c < 16; ++c) {
    EXPECT_EQ(a.core_list[c].index, c);
    EXPECT_EQ(a.core_list[c].pus, std::vector<int>{c});
    EXPECT_EQ(a.core_list[c].numa_node, c / 4);
  }
  EXPECT_EQ(a.numa_nodes[2].cores, (std::vector<int>{8, 9, 10, 11}));

  const auto& b = four_nodes_smt();
  ASSERT_EQ(b.numa_nodes.size(), 4u);
  ASSERT_EQ(b.core_list.size(), 8u);
  for (int c = 0; c < 8; ++c) {
    EXPECT_EQ(b.core_list[c].pus, (std::vector<int>{2 * c, 2 * c + 1}));
    EXPECT_EQ(b.core_list[c].numa_node, c / 2);
  }
  EXPECT_EQ(b.numa_nodes[3].cores, (std::vector<int>{6, 7}));
  EXPECT_EQ(b.numa_nodes[3].cpus, (std::vector<int>{12, 13, 14, 15}));
}

TEST(NumaPlanner, EveryPlacementAndThreadCountWithoutSmt) {
  check_against(four_nodes(), no_smt_oracle);
}

TEST(NumaPlanner, EveryPlacementAndThreadCountWithSmt) {
  check_against(four_nodes_smt(), smt_oracle);
}

TEST(NumaPlanner, SpotChecksInWords) {
  // scatter puts consecutive workers on different nodes; compact fills node 0 first.
  const auto s = plan_workers(four_nodes(), parse_placement("scatter"), 5);
  EXPECT_EQ(describe(s),
            "w0 cpu0 core0 node0, w1 cpu4 core4 node1, w2 cpu8 core8 node2, w3 cpu12 core12 node3, "
            "w4 cpu1 core1 node0");
  const auto c = plan_workers(four_nodes_smt(), parse_placement("compact"), 3);
  EXPECT_EQ(describe(c), "w0 cpu0 core0 node0, w1 cpu2 core1 node0, w2 cpu4 core2 node1");
  // node.2 with 6 workers on a node of 4 PUs: oversubscribed, never spills to another node.
  const auto n = plan_workers(four_nodes_smt(), parse_placement("node.2"), 6);
  for (const auto& w : n) EXPECT_EQ(w.node, 2);
  EXPECT_EQ(oversubscription_note(n), "oversubscribed: 6 workers on 4 PUs (some workers share a PU)");
  EXPECT_TRUE(n[0].shares_pu && n[1].shares_pu && n[4].shares_pu && n[5].shares_pu);
  EXPECT_FALSE(n[2].shares_pu || n[3].shares_pu);
  EXPECT_EQ(worker_nodes(s), (std::vector<int>{0, 1, 2, 3}));
}

TEST(NumaPlanner, ParsesPlacements) {
  EXPECT_EQ(parse_placement("compact"), (Placement{PlacementKind::compact, -1}));
  EXPECT_EQ(parse_placement("scatter"), (Placement{PlacementKind::scatter, -1}));
  EXPECT_EQ(parse_placement("node.1"), (Placement{PlacementKind::node, 1}));
  EXPECT_EQ(parse_placement("node:12"), (Placement{PlacementKind::node, 12}));
  EXPECT_EQ(parse_placement("node:3").name(), "node.3");  // the descriptor form
  for (const char* bad : {"", "node", "node.", "node.-1", "node.+1", "node.1x", "node1", "Node.1", "spread",
                          "node.1234567890", " compact"}) {
    EXPECT_NE(error_of([&] { parse_placement(bad); }).find("expected compact, scatter or node.<i>"),
              std::string::npos)
        << bad;
  }
}

TEST(NumaPlanner, NonexistentNodeNamesTheNodesThatExist) {
  const std::string e = error_of([] { plan_workers(four_nodes(), parse_placement("node.7"), 2); });
  EXPECT_EQ(e, "place=node.7: NUMA node 7 does not exist (nodes: 0, 1, 2, 3)");
  EXPECT_NE(error_of([] {
              plan_workers(four_nodes_smt(), parse_placement("compact"), 0);
            }).find("threads must be >= 1"),
            std::string::npos);
}

// A hand-built topology: node 0 with three cores, node 1 with one, node 2 memory only.
topo::Topology uneven() {
  topo::Topology t;
  t.numa_nodes = {{0, 1 << 30, {0, 1, 2}, {0, 1, 2}}, {1, 1 << 30, {3}, {3}}, {2, 1 << 30, {}, {}}};
  for (int c = 0; c < 4; ++c) t.core_list.push_back({c, c < 3 ? 0 : 1, {c}});
  t.cores = t.pus = 4;
  t.packages = 1;
  return t;
}

TEST(NumaPlanner, UnevenNodesAndMemoryOnlyNodes) {
  const auto t = uneven();
  // scatter: a node that runs out of cores drops out of the round-robin.
  const auto s = plan_workers(t, parse_placement("scatter"), 4);
  EXPECT_EQ(describe(s),
            "w0 cpu0 core0 node0, w1 cpu3 core3 node1, w2 cpu1 core1 node0, w3 cpu2 core2 node0");
  const auto c = plan_workers(t, parse_placement("compact"), 5);
  EXPECT_EQ(describe(c),
            "w0 cpu0 core0 node0 (shared), w1 cpu1 core1 node0, w2 cpu2 core2 node0, "
            "w3 cpu3 core3 node1, w4 cpu0 core0 node0 (shared)");
  EXPECT_EQ(error_of([&] { plan_workers(t, parse_placement("node.2"), 1); }),
            "place=node.2: NUMA node 2 has no CPUs (memory only); nodes with CPUs: 0, 1");
}

TEST(NumaPlanner, TopologyWithoutCoresUsesPus) {
  const auto t = topo::discover("numa:2 pu:3");
  ASSERT_EQ(t.core_list.size(), 6u);
  const auto s = plan_workers(t, parse_placement("scatter"), 2);
  EXPECT_EQ(describe(s), "w0 cpu0 core0 node0, w1 cpu3 core3 node1");
}

TEST(NumaPlanner, ThisMachine) {
  const auto t = topo::discover();
  ASSERT_FALSE(t.core_list.empty());
  std::set<int> cpus;
  for (const auto& n : t.numa_nodes) cpus.insert(n.cpus.begin(), n.cpus.end());
  const int pus = static_cast<int>(cpus.size());
  for (int threads = 1; threads <= pus + 2; ++threads) {
    const auto slots = plan_workers(t, parse_placement("compact"), threads);
    for (const auto& s : slots) EXPECT_TRUE(cpus.count(s.cpu)) << s.cpu;
    EXPECT_EQ(oversubscription_note(slots).empty(), threads <= pus);
  }
}

}  // namespace
