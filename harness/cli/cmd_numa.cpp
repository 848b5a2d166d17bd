// `amxlab numa`: the NUMA placement experiment. Weight placement policies x thread
// counts (x thread placements) on a GEMV (M=1) and a small-M GEMM of the dispatcher's
// kernel; every case checked against golden, its pages' nodes read back, and timed hot
// and cold. Prints GB/s of GGUF weight bytes with the placement observed; the results
// file feeds scripts/plot.py (numa-*.png). Policies this machine cannot realise are in
// the table as SKIPPED with the reason, never run as another policy.
#include <fmt/core.h>

#include <algorithm>
#include <thread>

#include "harness/cli/commands.h"
#include "harness/cli/sweep_flags.h"
#include "harness/runner/case_placement.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"

namespace amxlab::cli {
namespace {

// 1, 2, 4, ... up to the machine's PUs, and the PU count itself.
std::string default_threads() {
  const int pus = std::max(1, harness::machine_topology().pus);
  std::string out;
  for (int t = 1; t < pus; t *= 2) out += std::to_string(t) + ",";
  return out + std::to_string(pus);
}

// Every policy, bind once per node with memory.
std::string default_policies() {
  std::string out = "local";
  const auto& nodes = harness::machine_topology().numa_nodes;
  // Nodes with memory; where hwloc knows no sizes at all, every node (as the planner does).
  const bool sizes_known =
      std::any_of(nodes.begin(), nodes.end(), [](const topo::NumaNode& n) { return n.memory_bytes > 0; });
  for (const auto& node : nodes) {
    if (node.memory_bytes > 0 || !sizes_known) out += ",bind." + std::to_string(node.os_index);
  }
  return out + ",remote,interleave,replicate";
}

std::string observed_text(const nlohmann::json& numa) {
  if (!numa.is_object() || !numa.contains("observed") || !numa["observed"].is_object()) return "-";
  std::string out;
  for (const auto& [node, f] : numa["observed"].items())
    out += fmt::format("{}n{} {:.0f}%", out.empty() ? "" : " ", node, 100.0 * f.get<double>());
  if (numa.value("untouched", 0) > 0) out += fmt::format(" ({} untouched)", numa["untouched"].get<int>());
  return out.empty() ? "-" : out;
}

std::string gbps_text(const nlohmann::json& timing, const char* which) {
  if (!timing.is_object() || !timing.contains(which) || !timing.contains("weight_bytes")) return "-";
  const double s = timing[which].value("median_s", 0.0);
  return s > 0 ? fmt::format("{:.1f}", timing["weight_bytes"].get<double>() / s * 1e-9) : "-";
}

void print_table(const harness::SweepSummary& summary) {
  fmt::print("\n{:<5} {:>3} {:<10} {:<12} {:<9} {:>9} {:>9}  {:<18} {}\n", "M", "t", "place", "numa",
             "verdict", "hot GB/s", "cold GB/s", "observed pages", "placement");
  for (const auto& r : summary.records) {
    const auto& numa = r.contains("numa") ? r["numa"] : nlohmann::json();
    const nlohmann::json timing = r.contains("timing") ? r["timing"] : nlohmann::json();
    const std::string status =
        r.value("verdict", "") == "SKIPPED" ? r.value("reason", "") : numa.value("status", std::string("-"));
    fmt::print("{:<5} {:>3} {:<10} {:<12} {:<9} {:>9} {:>9}  {:<18} {}\n", r["shape"]["m"].get<int64_t>(),
               r["threads"].get<int>(), numa.value("place", std::string("-")),
               numa.value("policy", std::string("-")), r.value("verdict", ""), gbps_text(timing, "hot"),
               gbps_text(timing, "cold"), observed_text(numa), status);
  }
  fmt::print("GB/s: GGUF weight bytes / median time (activation quantisation included).\n");
}

}  // namespace

void register_numa_command(CLI::App& app) {
  auto f = std::make_shared<SweepFlags>();
  f->no_onednn = true;
  auto* cmd = app.add_subcommand(
      "numa",
      "NUMA placement experiment: weight policies x threads on a GEMV and a small-M GEMM (GB/s, pages)");
  f->type = "q4_0";
  f->m = "1,16";
  f->n = "4096";
  f->k = "14336";
  f->place = "compact";
  cmd->add_option("--type", f->type, "weight types")->capture_default_str();
  cmd->add_option("--m", f->m, "M values: 1 is the GEMV, the others small-M GEMMs")->capture_default_str();
  cmd->add_option("--n", f->n, "N values")->capture_default_str();
  cmd->add_option("--k", f->k, "K values")->capture_default_str();
  cmd->add_option("--threads", f->threads, "thread counts (default 1, 2, 4, ... and every PU)");
  cmd->add_option("--place", f->place, "thread placements: compact, scatter, node.<i>")
      ->capture_default_str();
  cmd->add_option("--numa", f->numa,
                  "policies (default local, bind.<every node>, remote, interleave, replicate)");
  cmd->add_option("--kernel", f->kernel, "kernel (default auto: the dispatcher's choice per M)");
  cmd->add_flag(
      "--quick", f->quick,
      "a smoke run: K=4096, 3 repetitions of 0.02 s (each where --k, --reps, --min-time is not given)");
  cmd->add_flag("--list", f->list, "print the experiment's case descriptors (a batch file) and run nothing");
  add_run_flags(cmd, *f);
  cmd->callback([f, cmd] {
    // --quick shortens what the user left at its default, never what they gave.
    const auto given = [&](const char* flag) { return cmd->get_option(flag)->count() > 0; };
    const bool quick_k = f->quick && !given("--k");
    apply_isa_cap(*f);
    harness::SweepSpec s;
    s.kernels = harness::parse_string_list("--kernel", f->kernel.empty() ? "auto" : f->kernel);
    s.types = harness::parse_type_list("--type", f->type);
    s.m = harness::parse_int_list("--m", f->m);
    s.n = harness::parse_int_list("--n", f->n);
    s.k = harness::parse_int_list("--k", quick_k ? "4096" : f->k);
    s.threads.clear();
    for (int64_t t :
         harness::parse_int_list("--threads", f->threads.empty() ? default_threads() : f->threads))
      s.threads.push_back(static_cast<int>(t));
    s.place = harness::parse_string_list("--place", f->place);
    s.numa = harness::parse_string_list("--numa", f->numa.empty() ? default_policies() : f->numa);
    require_nodes_exist(s.place, s.numa);
    SweepFlags run = *f;
    if (f->quick && !given("--reps")) run.repetitions = std::min(run.repetitions, 3);
    if (f->quick && !given("--min-time")) run.min_time_s = std::min(run.min_time_s, 0.02);
    auto e = harness::expand(s);
    e.cases = run_once(std::move(e.cases));
    if (f->list) {  // as the sweep commands: the descriptors, a batch file; nothing runs
      for (const auto& c : e.cases) fmt::print("{}\n", c.descriptor());
      for (const auto& d : e.dropped) fmt::print(stderr, "not a case: {}\n", d);
      return;
    }
    std::string path;
    const auto summary = run_cases("numa", e.cases, e.dropped, run, &path);
    print_table(summary);
    fmt::print("plot: scripts/plot.py {} --out <dir>   (numa-<type>-m<M>-n<N>k<K>.png)\n", path);
    const int rc = exit_code(summary);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace amxlab::cli
