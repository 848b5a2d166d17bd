// The two-node placement test. scripts/numa_vm/run.sh boots a QEMU VM with two NUMA
// nodes (one CPU and 512 MiB each) and runs this binary as its init process; it prints
// one line per check to the serial console and powers the VM off:
//   PASS <check>: <detail>      FAIL <check>: <detail>      SKIP <check>: <reason>
//   JSON <report>               (the verification report of a placement)
//   NUMA-VM-TEST: DONE passed=<n> failed=<n> skipped=<n>
// Outside the VM (not PID 1) it runs the same checks on the machine it is on; checks that
// need two nodes are SKIPped there unless --expect-nodes 2 is given (then they FAIL).
// Statically linked, node discovery from sysfs (no hwloc), no -march flags.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "harness/numa/placement.h"
#include "harness/numa/planner.h"
#include "harness/numa/sysfs_topology.h"
#include "harness/numa/verify.h"
#include "kernels/core/error.h"

namespace {

using namespace amxlab;
using namespace amxlab::numa;

struct Outcome {
  enum Kind : uint8_t { pass, fail, skip } kind = pass;
  std::string detail;
};
Outcome ok(std::string d) {
  return {Outcome::pass, std::move(d)};
}
Outcome bad(std::string d) {
  return {Outcome::fail, std::move(d)};
}
Outcome skip(std::string d) {
  return {Outcome::skip, std::move(d)};
}

int g_passed = 0, g_failed = 0, g_skipped = 0;

void line(const std::string& s) {
  std::fputs((s + "\n").c_str(), stdout);
  std::fflush(stdout);
}

void check(const std::string& name, const std::function<Outcome()>& body) {
  Outcome o;
  try {
    o = body();
  } catch (const std::exception& e) {
    o = bad(std::string("exception: ") + e.what());
  }
  switch (o.kind) {
    case Outcome::pass:
      ++g_passed;
      line("PASS " + name + ": " + o.detail);
      break;
    case Outcome::fail:
      ++g_failed;
      line("FAIL " + name + ": " + o.detail);
      break;
    case Outcome::skip:
      ++g_skipped;
      line("SKIP " + name + ": " + o.detail);
      break;
  }
}

std::string fractions(const PlacementReport& r) {
  std::string s;
  for (const auto& [node, f] : r.observed) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%snode %d %.1f%%", s.empty() ? "" : ", ", node, 100.0 * f);
    s += buf;
  }
  return s.empty() ? "no page located" : s;
}

std::string summary(const PlacementReport& r) {
  return std::to_string(r.pages) + " pages, " + fractions(r) + ", untouched " + std::to_string(r.untouched) +
         (r.note.empty() ? "" : "; " + r.note) + "; memory: " + r.memory;
}

constexpr size_t kMiB = size_t{1} << 20;

// Runs place_and_verify and checks it against what the VM must show.
Outcome placed(const topo::Topology& t, const std::string& policy, const std::string& place, int threads,
               size_t bytes, const std::function<std::string(const PlacementReport&)>& extra,
               bool hugepages = false) {
  MovePagesQuery q;
  const PlacementReport r =
      place_and_verify(t, parse_policy(policy), parse_placement(place), threads, bytes, q, {hugepages});
  line("JSON " + to_json(r).dump());
  if (r.status == "skipped") return bad("skipped: " + r.reason);
  if (r.flagged) return bad("flagged: " + r.reason);
  if (r.untouched != 0 || r.pages == 0)
    return bad("pages " + std::to_string(r.pages) + ", untouched " + std::to_string(r.untouched));
  const std::string problem = extra ? extra(r) : "";
  if (!problem.empty()) return bad(problem + " (" + summary(r) + ")");
  return ok(summary(r));
}

std::string both_nodes_about_half(const PlacementReport& r) {
  for (const int n : {0, 1}) {
    const auto it = r.observed.find(n);
    if (it == r.observed.end() || it->second < 0.4 || it->second > 0.6) {
      return "node " + std::to_string(n) + " does not hold about half of the pages";
    }
  }
  return "";
}

std::function<std::string(const PlacementReport&)> all_on(int node) {
  return [node](const PlacementReport& r) -> std::string {
    const auto it = r.observed.find(node);
    if (it == r.observed.end() || it->second != 1.0) return "not 100% on node " + std::to_string(node);
    return "";
  };
}

void mount_pseudo_filesystems() {
  mkdir("/proc", 0555);
  mkdir("/sys", 0555);
  mkdir("/dev", 0755);
  mount("proc", "/proc", "proc", 0, nullptr);
  mount("sysfs", "/sys", "sysfs", 0, nullptr);
  if (fcntl(1, F_GETFD) == -1) {  // no console from the kernel: open one
    mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
    const int fd = open("/dev/console", O_RDWR);
    if (fd >= 0) {
      dup2(fd, 0);
      dup2(fd, 1);
      dup2(fd, 2);
    }
  }
}

// As init, /proc and /sys must exist before libnuma's own constructor reads them:
// priority 101 runs before the default-priority constructors of the static libraries.
__attribute__((constructor(101))) void mount_before_libnuma() {
  if (getpid() == 1) mount_pseudo_filesystems();
}

}  // namespace

int main(int argc, char** argv) {
  const bool init = getpid() == 1;
  int expect_nodes = init ? 2 : 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--expect-nodes") == 0 && i + 1 < argc) expect_nodes = std::atoi(argv[++i]);
  }
  line("\nNUMA-VM-TEST: START");

  topo::Topology t;
  check("topology", [&] {
    t = topology_from_sysfs();
    std::string d;
    for (const auto& n : t.numa_nodes) {
      d += (d.empty() ? "" : "; ") + std::string("node ") + std::to_string(n.os_index) + " cpus";
      for (const int c : n.cpus) d += " " + std::to_string(c);
      d += ", " + std::to_string(n.memory_bytes / kMiB) + " MiB";
    }
    if (expect_nodes > 0 && static_cast<int>(t.numa_nodes.size()) != expect_nodes) {
      return bad("expected " + std::to_string(expect_nodes) + " NUMA nodes, sysfs shows " + d);
    }
    if (expect_nodes == 2 &&
        (t.numa_nodes[0].cpus != std::vector<int>{0} || t.numa_nodes[1].cpus != std::vector<int>{1} ||
         t.numa_nodes[0].memory_bytes == 0 || t.numa_nodes[1].memory_bytes == 0)) {
      return bad("expected node 0 = cpu 0 and node 1 = cpu 1, each with memory; got " + d);
    }
    return ok(d);
  });
  const bool two = t.numa_nodes.size() >= 2;
  const auto need_two = [&](const std::string& name, const std::function<Outcome()>& body) {
    check(name, [&] {
      if (!two && expect_nodes < 2)
        return skip("needs two NUMA nodes; this machine has " + std::to_string(t.numa_nodes.size()));
      return body();
    });
  };

  need_two("planner", [&] {
    const auto compact = plan_workers(t, parse_placement("compact"), 2);
    const auto scatter = plan_workers(t, parse_placement("scatter"), 2);
    const auto node1 = plan_workers(t, parse_placement("node.1"), 1);
    if (compact.size() != 2 || compact[0].node != 0 || compact[1].node != 1 || scatter[0].node != 0 ||
        scatter[1].node != 1 || node1[0].cpu != 1 || node1[0].node != 1) {
      return bad("compact: " + describe(compact) + "; scatter: " + describe(scatter) +
                 "; node.1: " + describe(node1));
    }
    return ok("compact/scatter: " + describe(scatter) + "; node.1: " + describe(node1));
  });

  // Every policy realised, every page read back with move_pages.
  need_two("local.scatter",
           [&] { return placed(t, "local", "scatter", 2, 4 * kMiB, both_nodes_about_half); });
  need_two("local.node1", [&] { return placed(t, "local", "node.1", 1, 4 * kMiB, all_on(1)); });
  need_two("bind.0", [&] { return placed(t, "bind.0", "node.1", 1, 4 * kMiB, all_on(0)); });
  need_two("bind.1", [&] { return placed(t, "bind.1", "node.0", 1, 4 * kMiB, all_on(1)); });
  need_two("bind.1.hugepages", [&] { return placed(t, "bind.1", "node.0", 1, 8 * kMiB, all_on(1), true); });
  need_two("remote.from0", [&] { return placed(t, "remote", "node.0", 1, 4 * kMiB, all_on(1)); });
  need_two("remote.from1", [&] { return placed(t, "remote", "node.1", 1, 4 * kMiB, all_on(0)); });
  need_two("remote.scatter.skipped", [&] {
    MovePagesQuery q;
    const PlacementReport r =
        place_and_verify(t, parse_policy("remote"), parse_placement("scatter"), 2, kMiB, q);
    if (r.status != "skipped") return bad("remote with workers on both nodes ran: " + r.status);
    return ok(r.reason);
  });
  need_two("interleave",
           [&] { return placed(t, "interleave", "scatter", 2, 4 * kMiB, both_nodes_about_half); });
  need_two("interleave.hugepages",
           [&] { return placed(t, "interleave", "compact", 2, 16 * kMiB, both_nodes_about_half, true); });
  need_two("replicate", [&] {
    return placed(t, "replicate", "scatter", 2, 4 * kMiB, [](const PlacementReport& r) -> std::string {
      if (r.regions.size() != 2) return "expected 2 copies, got " + std::to_string(r.regions.size());
      for (size_t i = 0; i < 2; ++i) {
        const auto& g = r.regions[i];
        const auto it = g.fractions.find(static_cast<int>(i));
        if (it == g.fractions.end() || it->second != 1.0)
          return g.label + " is not 100% on node " + std::to_string(i);
      }
      return "";
    });
  });
  need_two("replicate.worker_copies", [&] {
    const auto slots = plan_workers(t, parse_placement("scatter"), 2);
    const PlacementPlan plan = plan_placement(parse_policy("replicate"), t, slots);
    ReplicatedWeights w(plan.replicas, kMiB);
    std::vector<std::byte> src(kMiB);
    for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<std::byte>(i * 7 + 3);
    w.fill(src);
    MovePagesQuery q;
    for (const auto& s : slots) {
      const auto copy = w.for_worker(s.worker);
      if (std::memcmp(copy.data(), src.data(), src.size()) != 0) return bad("copy content differs");
      const RegionReport r = verify_region(copy.data(), copy.size(), Expectation::on(s.node), q);
      if (r.flagged)
        return bad("worker " + std::to_string(s.worker) + " (node " + std::to_string(s.node) +
                   ") reads a copy that is not on its node: " + r.reason);
    }
    return ok(w.note() + "; each worker's copy is on its own node");
  });
  need_two("replicate.one_node_workers", [&] {
    return placed(t, "replicate", "node.0", 1, kMiB, [](const PlacementReport& r) -> std::string {
      return r.regions.size() == 1 && !r.note.empty() ? "" : "expected one copy with a note";
    });
  });

  // Errors, lies and untouched pages.
  check("bind.nonexistent", [&] {
    const int missing = static_cast<int>(t.numa_nodes.size());
    const std::string policy = "bind." + std::to_string(missing);
    try {
      MovePagesQuery q;
      place_and_verify(t, parse_policy(policy), parse_placement("compact"), 1, kMiB, q);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.find("node " + std::to_string(missing) + " does not exist") == std::string::npos) {
        return bad("unclear error: " + what);
      }
      return ok(what);
    }
    return bad(policy + " did not fail");
  });
  check("mbind.nonexistent", [&] {
    auto r = NumaMemoryResource::bind(static_cast<int>(t.numa_nodes.size()));
    try {
      void* p = r->allocate(kMiB);
      r->deallocate(p, kMiB);
    } catch (const Error& e) {
      return ok(e.what());
    }
    return bad("mbind to a node that does not exist succeeded");
  });
  need_two("lying_backend_flagged", [&] {
    const auto slots = plan_workers(t, parse_placement("node.0"), 1);
    PlacedWeights w(plan_placement(parse_policy("bind.1"), t, slots), slots, kMiB);
    w.touch();
    FakePageQuery liar([](const void*) { return 0; }, "fake: every page on node 0");
    const PlacementReport r = w.verify(liar);
    if (!r.flagged) return bad("a backend claiming node 0 for bind.1 was not flagged");
    MovePagesQuery real;
    const PlacementReport truth = w.verify(real);
    if (truth.flagged) return bad("the real backend flagged it too: " + truth.reason);
    return ok(r.reason);
  });
  check("untouched_counted", [&] {
    const auto slots = plan_workers(t, parse_placement("compact"), 1);
    PlacedWeights w(plan_placement(parse_policy("bind.0"), t, slots), slots, kMiB);
    MovePagesQuery q;
    const PlacementReport r = w.verify(q);  // nothing touched yet
    if (r.untouched != r.pages || !r.flagged) {
      return bad("untouched " + std::to_string(r.untouched) + " of " + std::to_string(r.pages));
    }
    return ok(std::to_string(r.untouched) + " of " + std::to_string(r.pages) + " pages untouched, flagged");
  });

  line("NUMA-VM-TEST: DONE passed=" + std::to_string(g_passed) + " failed=" + std::to_string(g_failed) +
       " skipped=" + std::to_string(g_skipped));
  if (init) {
    sync();
    reboot(RB_POWER_OFF);
    for (;;) pause();
  }
  return g_failed == 0 ? 0 : 1;
}
