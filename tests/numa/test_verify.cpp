// The page verifier with an injected backend: a lying PageQuery is flagged, untouched
// and unlocatable pages are counted apart, interleave balance is checked, and the
// report serialises to JSON.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <memory>

#include "harness/numa/verify.h"
#include "tests/test_util.h"

namespace {

using namespace amxlab::numa;
using amxlab::testing::error_of;

// A page-aligned buffer the fake backends answer about (never touched by them).
struct Buffer {
  explicit Buffer(size_t pages) : bytes(pages * system_page_size()) {
    data = static_cast<std::byte*>(std::aligned_alloc(system_page_size(), bytes));
  }
  ~Buffer() { std::free(data); }
  size_t index(const void* page) const {
    return static_cast<size_t>(static_cast<const std::byte*>(page) - data) / system_page_size();
  }
  size_t bytes;
  std::byte* data;
};

TEST(NumaVerify, TruthfulBackendPasses) {
  Buffer b(8);
  FakePageQuery q([](const void*) { return 1; });
  const RegionReport r = verify_region(b.data, b.bytes, Expectation::on(1), q);
  EXPECT_FALSE(r.flagged) << r.reason;
  EXPECT_EQ(r.pages, 8u);
  EXPECT_EQ(r.node_pages.at(1), 8u);
  EXPECT_DOUBLE_EQ(r.fractions.at(1), 1.0);
  EXPECT_EQ(r.expected, "100% on node 1");
}

TEST(NumaVerify, LyingBackendIsFlagged) {
  Buffer b(8);
  // Claims three pages are on node 0 when bind.1 promised node 1.
  FakePageQuery liar([&](const void* p) { return b.index(p) % 3 == 0 ? 0 : 1; }, "liar");
  const RegionReport r = verify_region(b.data, b.bytes, Expectation::on(1), liar);
  EXPECT_TRUE(r.flagged);
  EXPECT_EQ(r.mismatched, 3u);
  EXPECT_NE(
      r.reason.find("3 of 8 pages not where expected (100% on node 1; observed node 0 37.5%, node 1 62.5%; "
                    "first: page 0 is on node 0)"),
      std::string::npos)
      << r.reason;
}

TEST(NumaVerify, UntouchedAndUnlocatablePagesAreCountedApart) {
  Buffer b(10);
  FakePageQuery q([&](const void* p) {
    const size_t i = b.index(p);
    if (i < 3) return -ENOENT;   // not present (current kernels)
    if (i == 3) return -EFAULT;  // not present (older kernels, e.g. 6.1)
    if (i == 4) return -EACCES;  // anything else: an error
    return 0;
  });
  const RegionReport r = verify_region(b.data, b.bytes, Expectation::on(0), q);
  EXPECT_EQ(r.untouched, 4u);
  EXPECT_EQ(r.errors, 1u);
  EXPECT_EQ(r.mismatched, 0u);
  EXPECT_EQ(r.node_pages.at(0), 5u);
  EXPECT_DOUBLE_EQ(r.fractions.at(0), 1.0);  // of the located pages
  EXPECT_TRUE(r.flagged);
  EXPECT_NE(r.reason.find("4 of 10 pages never touched"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("1 pages could not be located"), std::string::npos) << r.reason;
}

TEST(NumaVerify, InterleaveBalance) {
  Buffer b(100);
  FakePageQuery even([&](const void* p) { return static_cast<int>(b.index(p) % 2); });
  EXPECT_FALSE(verify_region(b.data, b.bytes, Expectation::interleaved_over({0, 1}), even).flagged);

  FakePageQuery lopsided([&](const void* p) { return b.index(p) < 70 ? 0 : 1; });
  const RegionReport r = verify_region(b.data, b.bytes, Expectation::interleaved_over({0, 1}), lopsided);
  EXPECT_TRUE(r.flagged);
  EXPECT_NE(r.reason.find("uneven interleave: node 0 holds 70 of 100 pages, expected about 50"),
            std::string::npos)
      << r.reason;

  FakePageQuery stray([&](const void* p) { return static_cast<int>(b.index(p) % 3); });
  const RegionReport s = verify_region(b.data, b.bytes, Expectation::interleaved_over({0, 1}), stray);
  EXPECT_TRUE(s.flagged);  // node 2 is not among the interleaved nodes
  EXPECT_NE(s.reason.find("not where expected"), std::string::npos);

  // Huge-page granules: 3 granules of 4 pages over 2 nodes is as even as it gets.
  Buffer h(12);
  FakePageQuery granular([&](const void* p) { return static_cast<int>(h.index(p) / 4 % 2); });
  EXPECT_FALSE(verify_region(h.data, h.bytes, Expectation::interleaved_over({0, 1}, 4), granular).flagged);
  EXPECT_TRUE(verify_region(h.data, h.bytes, Expectation::interleaved_over({0, 1}, 1), granular).flagged);
}

TEST(NumaVerify, PerPageExpectation) {
  Buffer b(6);
  const std::vector<int> expected = {0, 0, 0, 1, 1, 1};
  FakePageQuery truthful([&](const void* p) { return expected[b.index(p)]; });
  EXPECT_FALSE(verify_region(b.data, b.bytes, Expectation::per_page(expected), truthful).flagged);
  FakePageQuery liar([&](const void* p) { return b.index(p) == 4 ? 0 : expected[b.index(p)]; });
  const RegionReport r = verify_region(b.data, b.bytes, Expectation::per_page(expected), liar);
  EXPECT_TRUE(r.flagged);
  EXPECT_EQ(r.mismatched, 1u);
  EXPECT_NE(r.reason.find("first: page 4 is on node 0, expected node 1"), std::string::npos) << r.reason;
  EXPECT_NE(error_of([&] {
              verify_region(b.data, b.bytes, Expectation::per_page({0}), truthful);
            }).find("per-page expectation has 1 entries for 6 pages"),
            std::string::npos);
}

TEST(NumaVerify, SummaryAndJson) {
  Buffer a(4), b(4);
  FakePageQuery q([](const void*) { return 0; });  // every page on node 0: the copy for node 1 is wrong
  std::vector<RegionReport> regions;
  regions.push_back(verify_region(a.data, a.bytes, Expectation::on(0), q, "copy for node 0"));
  regions.push_back(verify_region(b.data, b.bytes, Expectation::on(1), q, "copy for node 1"));
  const PlacementReport r =
      summarize("replicate", "copy on node n: 100% on node n", std::move(regions), q.name(), 0);
  EXPECT_TRUE(r.flagged);
  EXPECT_EQ(r.status, "mismatch");
  EXPECT_EQ(r.pages, 8u);
  EXPECT_EQ(r.mismatched, 4u);
  EXPECT_EQ(r.reason.rfind("copy for node 1: ", 0), 0u) << r.reason;
  const nlohmann::json j = to_json(r);
  for (const char* key : {"policy", "status", "expected", "observed", "untouched", "pages", "flagged",
                          "reason", "regions", "backend", "page_size"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["policy"], "replicate");
  EXPECT_DOUBLE_EQ(j["observed"]["0"].get<double>(), 1.0);
  EXPECT_EQ(j["regions"].size(), 2u);
  EXPECT_EQ(j["backend"], "fake");

  const nlohmann::json s = to_json(skipped_report("interleave", "one node"));
  EXPECT_EQ(s["status"], "skipped");
  EXPECT_EQ(s["reason"], "one node");
  EXPECT_EQ(s["flagged"], false);
}

}  // namespace
