// Node discovery from sysfs (used by the static VM test binary): a fake sysfs tree, and
// agreement with hwloc on this machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "harness/numa/planner.h"
#include "harness/numa/sysfs_topology.h"
#include "harness/topology/topology.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace amxlab;
using namespace amxlab::numa;
using amxlab::testing::error_of;

class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("amxlab-sysfs-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }
  void write(const fs::path& rel, const std::string& text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
  fs::path root;
};

TEST(NumaSysfs, ParsesCpuLists) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), std::vector<int>{5});
  EXPECT_TRUE(parse_cpu_list("\n").empty());
  EXPECT_NE(error_of([] { parse_cpu_list("3-1"); }).find("bad CPU range"), std::string::npos);
  EXPECT_NE(error_of([] { parse_cpu_list("a"); }).find("bad CPU list entry"), std::string::npos);
}

TEST_F(FakeSysfs, TwoNodesWithSmt) {
  // 2 nodes x 2 cores x 2 threads; siblings are (c, c + 4) as on many Intel machines.
  write("cpu/online", "0-7\n");
  write("node/node0/cpulist", "0-1,4-5\n");
  write("node/node0/meminfo", "Node 0 MemTotal:        1024 kB\nNode 0 MemFree: 10 kB\n");
  write("node/node1/cpulist", "2-3,6-7\n");
  write("node/node1/meminfo", "Node 1 MemTotal:        2048 kB\n");
  write("node/possible", "0-1\n");  // not a node directory
  for (int c = 0; c < 8; ++c) {
    const std::string dir = "cpu/cpu" + std::to_string(c) + "/topology/";
    write(dir + "thread_siblings_list", std::to_string(c % 4) + "," + std::to_string(c % 4 + 4) + "\n");
    write(dir + "physical_package_id", "0\n");
  }
  const topo::Topology t = topology_from_sysfs(root.string());
  ASSERT_EQ(t.numa_nodes.size(), 2u);
  EXPECT_EQ(t.numa_nodes[0].cpus, (std::vector<int>{0, 1, 4, 5}));
  EXPECT_EQ(t.numa_nodes[1].memory_bytes, 2048u * 1024u);
  EXPECT_EQ(t.packages, 1);
  EXPECT_EQ(t.cores, 4);
  EXPECT_EQ(t.pus, 8);
  ASSERT_EQ(t.core_list.size(), 4u);
  EXPECT_EQ(t.core_list[2].pus, (std::vector<int>{2, 6}));
  EXPECT_EQ(t.core_list[2].numa_node, 1);
  EXPECT_EQ(t.numa_nodes[1].cores, (std::vector<int>{2, 3}));
  // The planner runs on it like on an hwloc topology.
  EXPECT_EQ(describe(plan_workers(t, parse_placement("scatter"), 3)),
            "w0 cpu0 core0 node0, w1 cpu2 core2 node1, w2 cpu1 core1 node0");
}

TEST_F(FakeSysfs, NoNumaDirectoryMeansOneNode) {
  write("cpu/online", "0-1\n");
  const topo::Topology t = topology_from_sysfs(root.string());
  ASSERT_EQ(t.numa_nodes.size(), 1u);
  EXPECT_EQ(t.numa_nodes[0].os_index, 0);
  EXPECT_EQ(t.numa_nodes[0].cpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(t.core_list.size(), 2u);  // no sibling lists: one core per CPU
}

TEST_F(FakeSysfs, MissingCpuListIsAnError) {
  EXPECT_NE(error_of([&] { topology_from_sysfs(root.string()); }).find("cannot read"), std::string::npos);
}

TEST(NumaSysfs, AgreesWithHwlocHere) {
  // hwloc leaves out CPUs and nodes this process may not use (cpusets); sysfs lists all
  // online ones. So: every hwloc node is in sysfs, with its CPUs among sysfs's.
  const topo::Topology a = topo::discover();
  const topo::Topology b = topology_from_sysfs();
  ASSERT_FALSE(a.numa_nodes.empty());
  for (const auto& n : a.numa_nodes) {
    const auto it = std::find_if(b.numa_nodes.begin(), b.numa_nodes.end(),
                                 [&](const topo::NumaNode& m) { return m.os_index == n.os_index; });
    ASSERT_NE(it, b.numa_nodes.end()) << "node " << n.os_index;
    for (const int c : n.cpus) {
      EXPECT_NE(std::find(it->cpus.begin(), it->cpus.end(), c), it->cpus.end()) << "cpu " << c;
    }
  }
  EXPECT_LE(a.core_list.size(), b.core_list.size());
}

}  // namespace
