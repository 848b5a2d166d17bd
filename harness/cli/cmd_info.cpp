// `amxlab info`: CPU, AMX status with its reason, topology, build and oneDNN facts.
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/kernels_info.h"
#include "harness/cli/machine_info.h"

namespace amxlab::cli {
namespace {

std::string mib(uint64_t bytes) {
  if (bytes < (1u << 20)) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

void print_human(const nlohmann::json& j) {
  const auto& cpu = j["cpu"];
  const auto& amx = j["amx"];
  const auto& topo = j["topology"];
  fmt::print("CPU        {} ({})\n", cpu["model"].get<std::string>(), cpu["vendor"].get<std::string>());
  fmt::print("features   {}\n", cpu["features"].get<std::string>());
  if (j.contains("tuning")) {
    fmt::print("tuning     AVX-512 K-quant GEMV prefetch, records ahead: {}\n",
               j["tuning"]["kqn_gemv_prefetch_records"].dump());
  }
  if (amx["usable"].get<bool>()) {
    fmt::print("AMX        usable\n");
  } else {
    fmt::print("AMX        unusable: {} (OS answer to XTILEDATA request: {})\n",
               amx["reason"].get<std::string>(), amx["os_permission"].get<std::string>());
  }
  fmt::print("topology   {} package(s), {} core(s), {} PU(s), {} NUMA node(s)\n", topo["packages"].get<int>(),
             topo["cores"].get<int>(), topo["pus"].get<int>(), topo["numa_nodes"].size());
  for (const auto& n : topo["numa_nodes"]) {
    fmt::print("  node {}   {} memory, cpus {}\n", n["os_index"].get<int>(),
               mib(n["memory_bytes"].get<uint64_t>()), n["cpus"].dump());
  }
  for (const auto& c : topo["caches"]) {
    fmt::print("  L{} {:<11} {} x {} (reported, not measured)\n", c["level"].get<int>(),
               c["kind"].get<std::string>(), c["count"].get<int>(), mib(c["size_bytes"].get<uint64_t>()));
  }
  const auto& b = j["build"];
  fmt::print("build      amxlab {} ({}), {} {}, flags: {}\n", b["version"].get<std::string>(),
             b["commit"].get<std::string>(), b["compiler"].get<std::string>(),
             b["build_type"].get<std::string>(), b["flags"].get<std::string>());
  const auto& d = j["onednn"];
  fmt::print("oneDNN     {}\n", d["version"].get<std::string>());
  if (d.contains("error")) {
    fmt::print("  int8 matmul: error: {}\n", d["error"].get<std::string>());
  } else {
    fmt::print("  int8 matmul u8s8s32 512x4096x4096 -> {}\n",
               d["int8_matmul_impl_m512n4096k4096"].get<std::string>());
    fmt::print("  int8 matmul u8s8s32   1x4096x4096 -> {}\n",
               d["int8_matmul_impl_m1n4096k4096"].get<std::string>());
  }
  // One kernel per line, columns as wide as their longest entry: name, weights, op, engine,
  // needs (the ISA the kernel runs on here: an emulated AMX kernel needs its host ISA),
  // status. Scripts select on the columns, e.g. engine native and needs amx_int8.
  const auto& ks = j["kernels"];
  size_t runnable = 0;
  std::array<size_t, 5> width{};
  for (const auto& k : ks) {
    runnable += k["runnable"].get<bool>();
    size_t c = 0;
    for (const char* f : {"name", "weight_type", "op", "engine", "needs"})
      width[c] = std::max(width[c], k[f].get<std::string>().size()), ++c;
  }
  fmt::print("kernels    {} registered, {} runnable here (name, weights, op, engine, needs, status)\n",
             ks.size(), runnable);
  for (const auto& k : ks) {
    const std::string status =
        k["runnable"].get<bool>() ? std::string("runnable") : "no: " + k["reason"].get<std::string>();
    const std::string emulates = k["emulates"].get<std::string>();
    fmt::print("  {:<{}} {:<{}} {:<{}} {:<{}} {:<{}} {}{}\n", k["name"].get<std::string>(), width[0],
               k["weight_type"].get<std::string>(), width[1], k["op"].get<std::string>(), width[2],
               k["engine"].get<std::string>(), width[3], k["needs"].get<std::string>(), width[4], status,
               emulates.empty() ? "" : " (emulates " + emulates + ")");
  }
}

}  // namespace

void register_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "CPU features, AMX status, topology, build and oneDNN facts");
  auto json_flag = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json_flag, "print one JSON document instead of text");
  cmd->callback([json_flag] {
    nlohmann::json j = machine_info();
    j["kernels"] = kernels_info();
    if (*json_flag) {
      std::cout << j.dump(2) << "\n";
    } else {
      print_human(j);
    }
  });
}

}  // namespace amxlab::cli
