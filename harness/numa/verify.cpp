#include "harness/numa/verify.h"

#include <numaif.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "kernels/core/error.h"

namespace amxlab::numa {
namespace {

std::string join_nodes(const std::vector<int>& nodes) {
  std::string s;
  for (const int n : nodes) s += (s.empty() ? "" : ", ") + std::to_string(n);
  return s;
}

void append_reason(std::string& reason, const std::string& more) {
  reason += (reason.empty() ? "" : "; ") + more;
}

std::string pct(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * f);
  return buf;
}

std::string observed_text(const std::map<int, size_t>& node_pages, size_t located) {
  std::string s;
  for (const auto& [node, count] : node_pages) {
    s += (s.empty() ? "" : ", ") + std::string("node ") + std::to_string(node) + " " +
         pct(static_cast<double>(count) / static_cast<double>(located));
  }
  return s.empty() ? "no located page" : s;
}

}  // namespace

void MovePagesQuery::query(std::span<void* const> pages, std::span<int> status) {
  require(pages.size() == status.size(), "MovePagesQuery: pages and status differ in size");
  constexpr size_t kChunk = 16384;
  for (size_t i = 0; i < pages.size(); i += kChunk) {
    const size_t n = std::min(kChunk, pages.size() - i);
    // nodes == nullptr: only report where each page is, move nothing.
    const long r = move_pages(0, static_cast<unsigned long>(n), const_cast<void**>(pages.data() + i), nullptr,
                              status.data() + i, 0);
    if (r < 0) {
      const int e = errno;
      throw Error("move_pages(nodes=NULL) failed on " + std::to_string(n) + " pages: " + std::strerror(e) +
                  (e == ENOSYS ? " (kernel without NUMA/migration support)" : ""));
    }
  }
}

void FakePageQuery::query(std::span<void* const> pages, std::span<int> status) {
  require(pages.size() == status.size(), "FakePageQuery: pages and status differ in size");
  for (size_t i = 0; i < pages.size(); ++i) status[i] = answer_(pages[i]);
}

Expectation Expectation::on(int node) {
  Expectation e;
  e.kind = Kind::on_node;
  e.node = node;
  return e;
}

Expectation Expectation::interleaved_over(std::vector<int> nodes, size_t granule_pages) {
  Expectation e;
  e.kind = Kind::interleaved;
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  e.nodes = std::move(nodes);
  e.granule_pages = std::max<size_t>(granule_pages, 1);
  return e;
}

Expectation Expectation::per_page(std::vector<int> page_nodes) {
  Expectation e;
  e.kind = Kind::per_page;
  e.page_nodes = std::move(page_nodes);
  return e;
}

std::string Expectation::describe() const {
  switch (kind) {
    case Kind::on_node: return "100% on node " + std::to_string(node);
    case Kind::interleaved: return "even across nodes " + join_nodes(nodes);
    case Kind::per_page: {
      std::map<int, size_t> count;
      for (const int n : page_nodes) ++count[n];
      std::string s = "each page on its first toucher's node (";
      bool first = true;
      for (const auto& [n, c] : count) {
        s += (first ? "" : ", ") + std::string("node ") + std::to_string(n) + " " +
             pct(static_cast<double>(c) / static_cast<double>(page_nodes.size()));
        first = false;
      }
      return s + ")";
    }
  }
  return "unknown";
}

size_t system_page_size() {
  const long p = sysconf(_SC_PAGESIZE);
  return p > 0 ? static_cast<size_t>(p) : 4096;
}

RegionReport verify_region(const void* ptr, size_t bytes, const Expectation& expect, PageQuery& query,
                           std::string label, size_t page_size) {
  if (page_size == 0) page_size = system_page_size();
  const auto base = reinterpret_cast<uintptr_t>(ptr);
  require(base % page_size == 0, "verify_region: buffer is not page-aligned");
  RegionReport r;
  r.label = std::move(label);
  r.expected = expect.describe();
  r.pages = (bytes + page_size - 1) / page_size;
  if (expect.kind == Expectation::Kind::per_page) {
    require(expect.page_nodes.size() == r.pages, "verify_region: per-page expectation has " +
                                                     std::to_string(expect.page_nodes.size()) +
                                                     " entries for " + std::to_string(r.pages) + " pages");
  }
  std::vector<void*> addresses(r.pages);
  // move_pages(2) takes void* even to query; the bytes are only looked up, never written.
  auto* first = const_cast<char*>(static_cast<const char*>(ptr));
  for (size_t i = 0; i < r.pages; ++i) addresses[i] = first + i * page_size;
  std::vector<int> status(r.pages, 0);
  query.query(addresses, status);

  size_t first_mismatch = r.pages;
  int first_mismatch_node = -1;
  std::map<int, int> error_codes;
  for (size_t i = 0; i < r.pages; ++i) {
    const int s = status[i];
    if (s == -ENOENT || s == -EFAULT) {
      ++r.untouched;
      continue;
    }
    if (s < 0) {
      ++r.errors;
      ++error_codes[-s];
      continue;
    }
    ++r.node_pages[s];
    bool ok = true;
    switch (expect.kind) {
      case Expectation::Kind::on_node: ok = s == expect.node; break;
      case Expectation::Kind::interleaved:
        ok = std::find(expect.nodes.begin(), expect.nodes.end(), s) != expect.nodes.end();
        break;
      case Expectation::Kind::per_page: ok = s == expect.page_nodes[i]; break;
    }
    if (!ok) {
      if (r.mismatched == 0) {
        first_mismatch = i;
        first_mismatch_node = s;
      }
      ++r.mismatched;
    }
  }
  const size_t located = r.pages - r.untouched - r.errors;
  for (const auto& [node, count] : r.node_pages) {
    r.fractions[node] = static_cast<double>(count) / static_cast<double>(located);
  }

  if (r.mismatched > 0) {
    std::string where =
        "page " + std::to_string(first_mismatch) + " is on node " + std::to_string(first_mismatch_node);
    if (expect.kind == Expectation::Kind::per_page) {
      where += ", expected node " + std::to_string(expect.page_nodes[first_mismatch]);
    }
    append_reason(r.reason, std::to_string(r.mismatched) + " of " + std::to_string(r.pages) +
                                " pages not where expected (" + r.expected + "; observed " +
                                observed_text(r.node_pages, located) + "; first: " + where + ")");
  }
  if (expect.kind == Expectation::Kind::interleaved && located > 0 && !expect.nodes.empty()) {
    const double share = static_cast<double>(located) / static_cast<double>(expect.nodes.size());
    const double allowed = std::max(expect.tolerance * share, static_cast<double>(expect.granule_pages));
    for (const int n : expect.nodes) {
      const auto it = r.node_pages.find(n);
      const double have = it == r.node_pages.end() ? 0.0 : static_cast<double>(it->second);
      if (std::fabs(have - share) > allowed) {
        append_reason(r.reason, "uneven interleave: node " + std::to_string(n) + " holds " +
                                    std::to_string(static_cast<size_t>(have)) + " of " +
                                    std::to_string(located) + " pages, expected about " +
                                    std::to_string(static_cast<size_t>(share)));
      }
    }
  }
  if (r.untouched > 0) {
    append_reason(r.reason, std::to_string(r.untouched) + " of " + std::to_string(r.pages) +
                                " pages never touched (not present: placement unverifiable for them)");
  }
  if (r.errors > 0) {
    std::string codes;
    for (const auto& [code, count] : error_codes) {
      codes += (codes.empty() ? "" : ", ") + std::string(std::strerror(code)) + " x" + std::to_string(count);
    }
    append_reason(r.reason, std::to_string(r.errors) + " pages could not be located (" + codes + ")");
  }
  r.flagged = !r.reason.empty();
  return r;
}

PlacementReport summarize(std::string policy, std::string expected, std::vector<RegionReport> regions,
                          const std::string& backend, size_t page_size) {
  PlacementReport p;
  p.policy = std::move(policy);
  p.expected = std::move(expected);
  p.backend = backend;
  p.page_size = page_size == 0 ? system_page_size() : page_size;
  for (const auto& r : regions) {
    p.pages += r.pages;
    p.untouched += r.untouched;
    p.errors += r.errors;
    p.mismatched += r.mismatched;
    for (const auto& [node, count] : r.node_pages) p.node_pages[node] += count;
    if (r.flagged) {
      p.flagged = true;
      append_reason(p.reason, regions.size() > 1 ? r.label + ": " + r.reason : r.reason);
    }
  }
  const size_t located = p.pages - p.untouched - p.errors;
  for (const auto& [node, count] : p.node_pages) {
    p.observed[node] = static_cast<double>(count) / static_cast<double>(located);
  }
  p.status = p.flagged ? "mismatch" : "verified";
  p.regions = std::move(regions);
  return p;
}

PlacementReport skipped_report(std::string policy, std::string reason) {
  PlacementReport p;
  p.policy = std::move(policy);
  p.status = "skipped";
  p.reason = std::move(reason);
  return p;
}

namespace {
nlohmann::json node_map(const std::map<int, double>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [node, f] : m) j[std::to_string(node)] = f;
  return j;
}
nlohmann::json node_map(const std::map<int, size_t>& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [node, c] : m) j[std::to_string(node)] = c;
  return j;
}
}  // namespace

nlohmann::json to_json(const RegionReport& r) {
  return {{"label", r.label},
          {"expected", r.expected},
          {"pages", r.pages},
          {"untouched", r.untouched},
          {"errors", r.errors},
          {"mismatched", r.mismatched},
          {"node_pages", node_map(r.node_pages)},
          {"observed", node_map(r.fractions)},
          {"flagged", r.flagged},
          {"reason", r.reason}};
}

nlohmann::json to_json(const PlacementReport& r) {
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& g : r.regions) regions.push_back(to_json(g));
  return {{"policy", r.policy},
          {"status", r.status},
          {"expected", r.expected},
          {"observed", node_map(r.observed)},
          {"node_pages", node_map(r.node_pages)},
          {"pages", r.pages},
          {"untouched", r.untouched},
          {"errors", r.errors},
          {"mismatched", r.mismatched},
          {"flagged", r.flagged},
          {"reason", r.reason},
          {"note", r.note},
          {"backend", r.backend},
          {"memory", r.memory},
          {"page_size", r.page_size},
          {"regions", regions}};
}

}  // namespace amxlab::numa
