// The policies on this machine, with the real move_pages backend. On a one-node machine
// (this lab's VMs): local puts every page on node 0, bind.1 is a clear error, remote and
// interleave are skipped with their reason, replicate is one copy and says so. The
// two-node behaviour is tested in a QEMU VM (scripts/numa_vm/run.sh, ctest numa_vm).
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "harness/numa/placement.h"
#include "harness/numa/verify.h"
#include "harness/topology/topology.h"
#include "kernels/pack/packed_weights.h"
#include "tests/test_util.h"

namespace {

using namespace amxlab;
using namespace amxlab::numa;
using amxlab::testing::error_of;

constexpr size_t kMiB = size_t{1} << 20;

const topo::Topology& machine() {
  static const topo::Topology t = topo::discover();
  return t;
}

#define REQUIRE_ONE_NODE()                                                                   \
  if (machine().numa_nodes.size() != 1) {                                                    \
    GTEST_SKIP() << "this machine has " << machine().numa_nodes.size() << " NUMA nodes; "    \
                 << "the one-node expectations do not apply (the VM test covers two nodes)"; \
  }

int threads_here() {
  return static_cast<int>(std::min<size_t>(2, machine().core_list.size()));
}

PlacementReport run(const std::string& policy, size_t bytes = 4 * kMiB, bool hugepages = false) {
  MovePagesQuery q;
  return place_and_verify(machine(), parse_policy(policy), parse_placement("compact"), threads_here(), bytes,
                          q, {hugepages});
}

TEST(NumaThisMachine, LocalPutsEveryPageOnNodeZero) {
  REQUIRE_ONE_NODE();
  for (const bool huge : {false, true}) {
    const PlacementReport r = run("local", 4 * kMiB + 12345, huge);
    EXPECT_EQ(r.status, "verified") << r.reason;
    EXPECT_FALSE(r.flagged) << r.reason;
    EXPECT_EQ(r.backend, "move_pages");
    EXPECT_EQ(r.untouched, 0u);
    EXPECT_EQ(r.pages, (4 * kMiB + 12345 + system_page_size() - 1) / system_page_size());
    ASSERT_EQ(r.observed.size(), 1u);
    EXPECT_DOUBLE_EQ(r.observed.at(0), 1.0);
    EXPECT_NE(r.memory.find("first touch"), std::string::npos) << r.memory;
    if (huge) {
      EXPECT_NE(r.memory.find("MADV_HUGEPAGE"), std::string::npos) << r.memory;
    }
  }
}

TEST(NumaThisMachine, BindZeroIsVerified) {
  REQUIRE_ONE_NODE();
  const PlacementReport r = run("bind.0");
  EXPECT_EQ(r.status, "verified") << r.reason;
  EXPECT_DOUBLE_EQ(r.observed.at(0), 1.0);
  EXPECT_EQ(r.memory, "mmap + mbind(MPOL_BIND, node 0)");
}

TEST(NumaThisMachine, BindToAMissingNodeIsAClearError) {
  REQUIRE_ONE_NODE();
  EXPECT_EQ(error_of([] { run("bind.1"); }), "numa=bind.1: NUMA node 1 does not exist (nodes: 0)");
  // The resource on its own: mbind itself refuses, and the message says which nodes exist.
  const auto resource = NumaMemoryResource::bind(1);
  const std::string e = error_of([&] { resource->allocate(kMiB); });
  EXPECT_NE(e.find("mbind(MPOL_BIND, node 1) failed: Invalid argument"), std::string::npos) << e;
  EXPECT_NE(e.find("memory nodes this process may use: 0"), std::string::npos) << e;
}

TEST(NumaThisMachine, RemoteAndInterleaveAreSkippedWithTheReason) {
  REQUIRE_ONE_NODE();
  const PlacementReport remote = run("remote");
  EXPECT_EQ(remote.status, "skipped");
  EXPECT_EQ(remote.pages, 0u);  // nothing allocated, nothing run as another policy
  EXPECT_NE(remote.reason.find("remote needs two NUMA nodes with memory; this machine has one (node 0)"),
            std::string::npos)
      << remote.reason;
  const PlacementReport inter = run("interleave");
  EXPECT_EQ(inter.status, "skipped");
  EXPECT_NE(inter.reason.find("interleave needs two NUMA nodes"), std::string::npos) << inter.reason;
  EXPECT_EQ(to_json(inter)["status"], "skipped");
}

TEST(NumaThisMachine, ReplicateIsOneCopyAndSaysSo) {
  REQUIRE_ONE_NODE();
  const PlacementReport r = run("replicate");
  EXPECT_EQ(r.status, "verified") << r.reason;
  ASSERT_EQ(r.regions.size(), 1u);
  EXPECT_EQ(r.regions[0].label, "copy for node 0");
  EXPECT_EQ(r.note, "1 copy on node 0 (one NUMA node: replicate is a single copy, the same as bind.0)");

  const auto slots = plan_workers(machine(), parse_placement("compact"), threads_here());
  ReplicatedWeights w(slots, 1, 64 * 1024);
  EXPECT_EQ(w.copies(), 1);
  EXPECT_EQ(w.copy_node(0), 0);
  std::vector<std::byte> src(64 * 1024);
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::byte>(i * 13 + 1);
  w.fill(src);
  for (const auto& s : slots) {
    EXPECT_EQ(w.for_worker(s.worker).data(), w.copy(0).data());
    EXPECT_EQ(std::memcmp(w.for_worker(s.worker).data(), src.data(), src.size()), 0);
  }
  EXPECT_NE(error_of([&] { w.copy_on_node(1); }).find("no copy on node 1 (copies on node 0)"),
            std::string::npos);
  EXPECT_NE(error_of([&] { w.fill(std::span<const std::byte>(src).first(10)); }).find("source has 10 bytes"),
            std::string::npos);
}

TEST(NumaThisMachine, LyingBackendIsFlaggedOnRealPages) {
  const auto slots = plan_workers(machine(), parse_placement("compact"), threads_here());
  PlacedWeights w(plan_placement(parse_policy("local"), machine(), slots), slots, 2 * kMiB);
  w.touch();
  MovePagesQuery real;
  EXPECT_FALSE(w.verify(real).flagged);
  FakePageQuery liar([](const void*) { return 7; }, "liar");
  const PlacementReport r = w.verify(liar);
  EXPECT_TRUE(r.flagged);
  EXPECT_EQ(r.status, "mismatch");
  EXPECT_EQ(r.backend, "liar");
  EXPECT_EQ(r.mismatched, r.pages);
}

TEST(NumaThisMachine, UntouchedPagesAreCounted) {
  const auto slots = plan_workers(machine(), parse_placement("compact"), 1);
  PlacedWeights w(plan_placement(parse_policy("local"), machine(), slots), slots, kMiB);
  MovePagesQuery q;
  const PlacementReport before = w.verify(q);
  EXPECT_EQ(before.untouched, before.pages);
  EXPECT_TRUE(before.flagged);
  EXPECT_NE(before.reason.find("never touched"), std::string::npos);
  w.touch();
  const PlacementReport after = w.verify(q);
  EXPECT_EQ(after.untouched, 0u);
  EXPECT_FALSE(after.flagged) << after.reason;
}

TEST(NumaThisMachine, FirstTouchKeepsContentAndFeedsPackedWeights) {
  // A PackedWeights placed by a NUMA resource: allocation does not touch, the workers
  // first-touch their shares, every page is then where the policy says.
  auto resource = NumaMemoryResource::first_touch();
  const size_t bytes = 3 * kMiB + 100;
  PackedWeights pw(QType::S8, Layout::plain_s8, 3, static_cast<int64_t>(bytes / 3), bytes, 0, *resource);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(pw.bytes().data()) % resource->alignment(), 0u);
  MovePagesQuery q;
  const auto slots = plan_workers(machine(), parse_placement("compact"), threads_here());
  const RegionReport untouched = verify_region(pw.bytes().data(), bytes, Expectation::on(0), q);
  EXPECT_EQ(untouched.untouched, untouched.pages);
  const auto shares = first_touch_parallel(pw.mutable_bytes().data(), bytes, slots, resource->alignment());
  const RegionReport r =
      verify_region(pw.bytes().data(), bytes, Expectation::per_page(expected_first_touch_nodes(shares)), q);
  EXPECT_FALSE(r.flagged) << r.reason;
  // Touching again does not change the content.
  auto data = pw.mutable_bytes();
  for (size_t i = 0; i < data.size(); i += 1000) data[i] = static_cast<std::byte>(i % 251);
  first_touch_parallel(data.data(), bytes, slots);
  for (size_t i = 0; i < data.size(); i += 1000) ASSERT_EQ(data[i], static_cast<std::byte>(i % 251)) << i;
}

TEST(NumaThisMachine, InterleaveResourceOverOneNodeStillWorksWhenAskedDirectly) {
  REQUIRE_ONE_NODE();
  // Only the planner skips interleave on one node; the resource itself is plain mbind.
  auto r = NumaMemoryResource::interleave({0});
  void* p = r->allocate(kMiB);
  std::memset(p, 1, kMiB);
  MovePagesQuery q;
  EXPECT_FALSE(verify_region(p, kMiB, Expectation::interleaved_over({0}), q).flagged);
  r->deallocate(p, kMiB);
  EXPECT_EQ(r->describe(), "mmap + mbind(MPOL_INTERLEAVE, node 0)");
}

TEST(NumaThisMachine, AllowedNodesAndPinning) {
  const auto nodes = allowed_memory_nodes();
  ASSERT_FALSE(nodes.empty());
  EXPECT_EQ(nodes.front(), machine().numa_nodes.front().os_index);
  std::string e;
  std::thread([&] { e = error_of([] { pin_current_thread(4000); }); }).join();
  EXPECT_NE(e.find("cannot pin a worker to CPU 4000"), std::string::npos) << e;
}

}  // namespace
