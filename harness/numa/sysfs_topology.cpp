#include "harness/numa/sysfs_topology.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "kernels/core/error.h"

namespace amxlab::numa {
namespace {

bool read_text(const std::filesystem::path& p, std::string& out) {
  std::ifstream in(p);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

int to_int(const std::string& s, const std::string& what) {
  if (s.empty() || s.size() > 9 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error("sysfs: bad " + what + " '" + s + "'");
  }
  return std::stoi(s);
}

uint64_t node_memory(const std::filesystem::path& meminfo) {
  std::ifstream in(meminfo);
  std::string line;
  while (std::getline(in, line)) {
    // "Node 0 MemTotal:       16303484 kB"
    const auto k = line.find("MemTotal:");
    if (k == std::string::npos) continue;
    std::istringstream rest(line.substr(k + 9));
    uint64_t kb = 0;
    if (rest >> kb) return kb * 1024;
  }
  return 0;
}

}  // namespace

std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> out;
  const std::string t = trim(text);
  if (t.empty()) return out;
  std::istringstream in(t);
  std::string part;
  while (std::getline(in, part, ',')) {
    part = trim(part);
    const auto dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(to_int(part, "CPU list entry"));
    } else {
      const int a = to_int(part.substr(0, dash), "CPU range start");
      const int b = to_int(part.substr(dash + 1), "CPU range end");
      if (b < a) throw Error("sysfs: bad CPU range '" + part + "'");
      for (int c = a; c <= b; ++c) out.push_back(c);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

topo::Topology topology_from_sysfs(const std::string& root_dir) {
  namespace fs = std::filesystem;
  const fs::path root(root_dir);
  std::string text;
  if (!read_text(root / "cpu" / "online", text)) {
    throw Error("sysfs: cannot read " + (root / "cpu" / "online").string());
  }
  const std::vector<int> online = parse_cpu_list(text);
  if (online.empty()) throw Error("sysfs: no online CPU in " + (root / "cpu" / "online").string());

  topo::Topology t;
  std::map<int, fs::path> node_dirs;  // ascending OS index
  std::error_code ec;
  if (fs::is_directory(root / "node", ec)) {
    for (const auto& e : fs::directory_iterator(root / "node", ec)) {
      const std::string name = e.path().filename().string();
      if (name.size() > 4 && name.compare(0, 4, "node") == 0 &&
          std::all_of(name.begin() + 4, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        node_dirs[to_int(name.substr(4), "node directory")] = e.path();
      }
    }
  }
  for (const auto& [os, dir] : node_dirs) {
    topo::NumaNode n;
    n.os_index = os;
    if (read_text(dir / "cpulist", text)) {
      for (const int c : parse_cpu_list(text)) {
        if (std::binary_search(online.begin(), online.end(), c)) n.cpus.push_back(c);
      }
    }
    n.memory_bytes = node_memory(dir / "meminfo");
    t.numa_nodes.push_back(std::move(n));
  }
  if (t.numa_nodes.empty()) {
    topo::NumaNode n;
    n.os_index = 0;
    n.cpus = online;
    t.numa_nodes.push_back(std::move(n));
  }

  // Cores: PUs grouped by their sibling list, numbered in order of their first PU.
  std::set<int> assigned;
  std::set<int> packages;
  for (const int cpu : online) {
    if (assigned.count(cpu)) continue;
    const fs::path topo_dir = root / "cpu" / ("cpu" + std::to_string(cpu)) / "topology";
    std::vector<int> siblings;
    if (read_text(topo_dir / "core_cpus_list", text) || read_text(topo_dir / "thread_siblings_list", text)) {
      for (const int s : parse_cpu_list(text)) {
        if (std::binary_search(online.begin(), online.end(), s) && !assigned.count(s)) siblings.push_back(s);
      }
    }
    if (std::find(siblings.begin(), siblings.end(), cpu) == siblings.end()) siblings = {cpu};
    if (read_text(topo_dir / "physical_package_id", text)) {
      try {
        packages.insert(to_int(trim(text), "package id"));
      } catch (const Error&) {  // NOLINT(bugprone-empty-catch): "-1" or garbage: the package is
                                // unknown, and planning does not need it
      }
    }
    topo::Core core;
    core.index = static_cast<int>(t.core_list.size());
    core.pus = siblings;
    for (const int s : siblings) assigned.insert(s);
    for (auto& n : t.numa_nodes) {
      if (std::find(n.cpus.begin(), n.cpus.end(), siblings.front()) != n.cpus.end()) {
        core.numa_node = n.os_index;
        n.cores.push_back(core.index);
        break;
      }
    }
    t.core_list.push_back(std::move(core));
  }
  t.packages = std::max<int>(1, static_cast<int>(packages.size()));
  t.cores = static_cast<int>(t.core_list.size());
  t.pus = static_cast<int>(online.size());
  return t;
}

}  // namespace amxlab::numa
