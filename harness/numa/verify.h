// Verified page placement (DESIGN.md "NUMA policies"): after the weights are placed and
// every page touched, ask the OS kernel where each page actually is and compare with
// what the policy promised. Where a page is comes from a PageQuery: the real one calls
// move_pages(0, count, pages, nullptr, status, 0) (nodes = NULL: query only, nothing
// moves); tests inject a fake that answers whatever they want, to prove a lie is flagged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace amxlab::numa {

// Answers, for each page address, the NUMA node holding it or a negative errno.
// -ENOENT: the page is not present (never touched). Older kernels (6.1, as in the VM
// test) answer -EFAULT for a never-touched page of a mapped anonymous region; since the
// verifier only asks about its own mapped buffers, it counts both as "untouched".
class PageQuery {
 public:
  virtual ~PageQuery() = default;
  // pages.size() == status.size(); throws amxlab::Error when the query itself fails.
  virtual void query(std::span<void* const> pages, std::span<int> status) = 0;
  virtual std::string name() const = 0;
};

// The real backend: move_pages(2) with nodes = NULL, in chunks.
class MovePagesQuery final : public PageQuery {
 public:
  void query(std::span<void* const> pages, std::span<int> status) override;
  std::string name() const override { return "move_pages"; }
};

// A backend that answers answer(page_address) for every page: lets tests lie.
class FakePageQuery final : public PageQuery {
 public:
  explicit FakePageQuery(std::function<int(const void* page)> answer, std::string label = "fake")
      : answer_(std::move(answer)), label_(std::move(label)) {}
  void query(std::span<void* const> pages, std::span<int> status) override;
  std::string name() const override { return label_; }

 private:
  std::function<int(const void*)> answer_;
  std::string label_;
};

// What a policy promises for one buffer.
struct Expectation {
  enum class Kind : uint8_t { on_node, interleaved, per_page };
  Kind kind = Kind::on_node;
  int node = -1;                // on_node
  std::vector<int> nodes;       // interleaved: the nodes, each should hold about 1/size
  std::vector<int> page_nodes;  // per_page: the expected node of page i (local: the toucher's)
  size_t granule_pages = 1;     // interleaved: pages that move together (a huge page: 512)
  // interleaved: a node's page count may differ from pages/k by max(tolerance * pages/k,
  // granule_pages) — 10 % of a share, or one granule for small buffers.
  double tolerance = 0.10;

  static Expectation on(int node);
  static Expectation interleaved_over(std::vector<int> nodes, size_t granule_pages = 1);
  static Expectation per_page(std::vector<int> page_nodes);
  std::string describe() const;  // "100% on node 1", "even across nodes 0, 1", ...
};

// The observed placement of one buffer (one copy of the weights).
struct RegionReport {
  std::string label;                 // "weights", "copy for node 1"
  std::string expected;              // Expectation::describe()
  size_t pages = 0;                  // pages queried
  size_t untouched = 0;              // -ENOENT (or -EFAULT, see PageQuery)
  size_t errors = 0;                 // any other negative status
  size_t mismatched = 0;             // located pages on a node the expectation excludes
  std::map<int, size_t> node_pages;  // located pages per node
  std::map<int, double> fractions;   // node_pages / located pages
  bool flagged = false;
  std::string reason;  // why flagged ("" when not)
};

// The result for one policy (one or several regions). status: "verified" (everything
// as promised), "mismatch" (flagged), "skipped" (the machine cannot realise the policy;
// nothing was allocated; reason says why).
struct PlacementReport {
  std::string policy;    // "bind.1"
  std::string status;    // verified | mismatch | skipped
  std::string expected;  // for the whole policy
  std::string note;      // e.g. "one NUMA node: replicate is a single copy on node 0"
  std::string backend;   // "move_pages" or the fake's name
  std::string memory;    // how the memory was obtained (MemoryResource::describe())
  size_t page_size = 0;
  size_t pages = 0, untouched = 0, errors = 0, mismatched = 0;
  std::map<int, size_t> node_pages;
  std::map<int, double> observed;  // fraction of the located pages per node, all regions
  bool flagged = false;
  std::string reason;  // why flagged or skipped
  std::vector<RegionReport> regions;
};

size_t system_page_size();

// Queries every page of [ptr, ptr + bytes) (ptr page-aligned) and compares with `expect`.
RegionReport verify_region(const void* ptr, size_t bytes, const Expectation& expect, PageQuery& query,
                           std::string label = "weights", size_t page_size = 0);

// Sums the regions into a report (flagged when any region is).
PlacementReport summarize(std::string policy, std::string expected, std::vector<RegionReport> regions,
                          const std::string& backend, size_t page_size);

// A report for a policy that was not run.
PlacementReport skipped_report(std::string policy, std::string reason);

nlohmann::json to_json(const RegionReport& r);
// {policy, status, expected, observed{node: fraction}, node_pages, pages, untouched, errors,
//  mismatched, flagged, reason, note, backend, memory, page_size, regions[]}
nlohmann::json to_json(const PlacementReport& r);

}  // namespace amxlab::numa
