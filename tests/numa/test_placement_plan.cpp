// What each NUMA policy means on a topology (pure: synthetic topologies, no memory):
// bind errors, remote's choice or skip, interleave's skip on one node, replicate's
// copy-per-node mapping for every placement and thread count, first-touch shares.
#include <gtest/gtest.h>

#include "harness/numa/placement.h"
#include "harness/topology/topology.h"
#include "tests/numa/synthetic_topologies.h"
#include "tests/test_util.h"

namespace {

using namespace amxlab;
using namespace amxlab::numa;
using amxlab::testing::error_of;

using amxlab::testing::four_nodes;
using amxlab::testing::four_nodes_smt;

const topo::Topology& one_node() {
  static const topo::Topology t = topo::discover("package:1 core:2 pu:1");
  return t;
}

PlacementPlan plan(const topo::Topology& t, const std::string& policy, const std::string& place,
                   int threads) {
  return plan_placement(parse_policy(policy), t, plan_workers(t, parse_placement(place), threads));
}

TEST(NumaPolicy, Parses) {
  EXPECT_EQ(parse_policy("local"), (Policy{PolicyKind::local, -1}));
  EXPECT_EQ(parse_policy("bind.1"), (Policy{PolicyKind::bind, 1}));
  EXPECT_EQ(parse_policy("bind:3"), (Policy{PolicyKind::bind, 3}));
  EXPECT_EQ(parse_policy("bind:3").name(), "bind.3");
  EXPECT_EQ(parse_policy("remote").name(), "remote");
  EXPECT_EQ(parse_policy("interleave").name(), "interleave");
  EXPECT_EQ(parse_policy("replicate").name(), "replicate");
  for (const char* bad : {"", "bind", "bind.", "bind.x", "bind.-1", "Local", "interleaved", "replicate.2"}) {
    EXPECT_NE(error_of([&] {
                parse_policy(bad);
              }).find("expected local, bind.<node>, remote, interleave or replicate"),
              std::string::npos)
        << bad;
  }
}

TEST(NumaPolicy, BindNamesMissingNodes) {
  const auto p = plan(four_nodes(), "bind.3", "compact", 2);
  EXPECT_FALSE(p.skipped);
  EXPECT_EQ(p.weight_nodes, std::vector<int>{3});
  EXPECT_EQ(p.expected, "100% on node 3");
  EXPECT_EQ(error_of([] { plan(four_nodes(), "bind.9", "compact", 2); }),
            "numa=bind.9: NUMA node 9 does not exist (nodes: 0, 1, 2, 3)");
  EXPECT_EQ(error_of([] { plan(one_node(), "bind.1", "compact", 1); }),
            "numa=bind.1: NUMA node 1 does not exist (nodes: 0)");
}

TEST(NumaPolicy, RemotePicksANodeWithoutWorkersOrSkips) {
  const auto a = plan(four_nodes(), "remote", "node.0", 4);
  EXPECT_FALSE(a.skipped);
  EXPECT_EQ(a.weight_nodes, std::vector<int>{1});
  EXPECT_EQ(a.expected, "100% on node 1 (workers on node 0)");
  const auto b = plan(four_nodes(), "remote", "scatter", 2);  // workers on nodes 0, 1
  EXPECT_EQ(b.weight_nodes, std::vector<int>{2});
  const auto c = plan(four_nodes(), "remote", "node.1", 1);
  EXPECT_EQ(c.weight_nodes, std::vector<int>{0});
  const auto d = plan(four_nodes(), "remote", "scatter", 4);  // every node has a worker
  EXPECT_TRUE(d.skipped);
  EXPECT_NE(d.reason.find("the workers run on every NUMA node with memory (nodes 0, 1, 2, 3)"),
            std::string::npos);
  const auto e = plan(one_node(), "remote", "compact", 1);
  EXPECT_TRUE(e.skipped);
  EXPECT_NE(e.reason.find("remote needs two NUMA nodes"), std::string::npos);
  EXPECT_NE(e.reason.find("not run as another policy"), std::string::npos);
  EXPECT_NE(error_of([&] { make_resource(e); }).find("numa=remote is skipped"), std::string::npos);
}

TEST(NumaPolicy, InterleaveNeedsTwoNodes) {
  const auto a = plan(four_nodes(), "interleave", "compact", 1);
  EXPECT_FALSE(a.skipped);
  EXPECT_EQ(a.weight_nodes, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(a.expected, "even across nodes 0, 1, 2, 3");
  const auto b = plan(one_node(), "interleave", "compact", 2);
  EXPECT_TRUE(b.skipped);
  EXPECT_NE(b.reason.find("interleave needs two NUMA nodes with memory; this machine has one (node 0)"),
            std::string::npos);
}

TEST(NumaPolicy, LocalExpectsTheWorkersNodes) {
  const auto a = plan(four_nodes(), "local", "scatter", 3);
  EXPECT_EQ(a.weight_nodes, (std::vector<int>{0, 1, 2}));
  EXPECT_NE(a.expected.find("nodes 0, 1, 2"), std::string::npos);
}

TEST(NumaPolicy, ReplicateOneCopyPerWorkerNodeForEveryPlacementAndThreadCount) {
  for (const topo::Topology* t : {&four_nodes(), &four_nodes_smt()}) {
    for (const char* place : {"compact", "scatter", "node.0", "node.1", "node.2", "node.3"}) {
      for (int threads = 1; threads <= 16; ++threads) {
        SCOPED_TRACE(std::string(place) + " threads " + std::to_string(threads));
        const auto slots = plan_workers(*t, parse_placement(place), threads);
        const auto p = plan_placement(parse_policy("replicate"), *t, slots);
        const ReplicaMap& m = p.replicas;
        EXPECT_EQ(m.nodes, worker_nodes(slots));
        EXPECT_EQ(p.weight_nodes, m.nodes);
        ASSERT_EQ(m.worker_copy.size(), slots.size());
        for (const auto& s : slots) {
          const int copy = m.worker_copy[static_cast<size_t>(s.worker)];
          ASSERT_GE(copy, 0);
          EXPECT_EQ(m.nodes.at(static_cast<size_t>(copy)), s.node) << "worker " << s.worker;
        }
        if (m.nodes.size() == 1) {
          EXPECT_NE(m.note.find("1 copy on node"), std::string::npos) << m.note;
        } else {
          EXPECT_NE(m.note.find(std::to_string(m.nodes.size()) + " copies"), std::string::npos) << m.note;
        }
      }
    }
  }
  // Scatter over 4 nodes with 6 workers: 4 copies, workers 4 and 5 read the copies of nodes 0, 1.
  const auto m = plan(four_nodes(), "replicate", "scatter", 6).replicas;
  EXPECT_EQ(m.nodes, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(m.worker_copy, (std::vector<int>{0, 1, 2, 3, 0, 1}));
}

TEST(NumaPolicy, ReplicateOnOneNodeIsOneCopyAndSaysSo) {
  const auto p = plan(one_node(), "replicate", "compact", 2);
  EXPECT_FALSE(p.skipped);
  EXPECT_EQ(p.replicas.nodes, std::vector<int>{0});
  EXPECT_EQ(p.note, "1 copy on node 0 (one NUMA node: replicate is a single copy, the same as bind.0)");
  const auto q = plan(four_nodes(), "replicate", "node.2", 3);
  EXPECT_EQ(q.note, "1 copy on node 2 (all workers run on node 2: one copy is enough)");
  EXPECT_NE(error_of([&] { make_resource(p); }).find("use ReplicatedWeights"), std::string::npos);
}

TEST(NumaFirstTouch, SharesCoverThePagesInOrder) {
  const auto slots = plan_workers(four_nodes(), parse_placement("scatter"), 3);
  const auto s = split_pages(10, slots);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].first_page, 0u);
  EXPECT_EQ(s[0].end_page, 3u);
  EXPECT_EQ(s[1].first_page, 3u);
  EXPECT_EQ(s[1].end_page, 6u);
  EXPECT_EQ(s[2].first_page, 6u);
  EXPECT_EQ(s[2].end_page, 10u);
  EXPECT_EQ(s[1].node, 1);
  EXPECT_EQ(expected_first_touch_nodes(s), (std::vector<int>{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}));
}

TEST(NumaFirstTouch, SharesFollowHugePageBoundaries) {
  const auto slots = plan_workers(four_nodes(), parse_placement("scatter"), 2);
  // 1024 pages starting 256 pages into a 512-page granule: granules [0,256) [256,768)
  // [768,1024); worker 0 gets the first, worker 1 the other two: no huge page is shared.
  const auto s = split_pages(1024, slots, 512, 256);
  EXPECT_EQ(s[0].first_page, 0u);
  EXPECT_EQ(s[0].end_page, 256u);
  EXPECT_EQ(s[1].first_page, 256u);
  EXPECT_EQ(s[1].end_page, 1024u);
  // Aligned: exactly one huge page each.
  const auto a = split_pages(1024, slots, 512, 0);
  EXPECT_EQ(a[0].end_page, 512u);
  EXPECT_EQ(a[1].first_page, 512u);
  // Fewer granules than workers: some workers touch nothing.
  const auto four = plan_workers(four_nodes(), parse_placement("scatter"), 4);
  const auto f = split_pages(100, four, 512, 0);
  size_t total = 0;
  for (const auto& x : f) total += x.end_page - x.first_page;
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(f[3].first_page, 0u);
  EXPECT_EQ(f[3].end_page, 100u);
  EXPECT_EQ(split_pages(0, four).back().end_page, 0u);
}

}  // namespace
