// `amxlab tile-selftest`: the tile emulator against every native instruction this CPU
// has (VPDPBUSD, VDPBF16PS; every tile op on an AMX machine). Prints a pass/fail/skip
// table (or JSON with --json; --out FILE also writes the JSON to FILE) and the
// TDPBF16PS order verdict; exits 1 when a check fails. Skipped checks say why.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "harness/cli/whole_number.h"
#include "harness/io/atomic_write.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/native_crosscheck.h"
#include "kernels/tile/selftest.h"

namespace amxlab::cli {
namespace {

nlohmann::json verdict_json(const tile::Bf16OrderVerdict& v) {
  nlohmann::json matches = nlohmann::json::object();
  for (int o = 0; o < 3; ++o) matches[tile::bf16_order_name(tile::kAllBf16Orders[o])] = v.matches[o];
  return {{"ran", v.ran},
          {"programs", v.programs},
          {"matches", matches},
          {"matching_orders", v.matching},
          {"default_order", tile::bf16_order_name(tile::kDefaultBf16Order)},
          {"default_confirmed", v.default_confirmed},
          {"reason", v.reason},
          {"verdict", tile::bf16_verdict_text(v)}};
}

nlohmann::json results_json(const tile::SelftestOptions& opt, const std::vector<tile::CheckResult>& results,
                            const tile::Bf16OrderVerdict& verdict, int failed, int skipped) {
  nlohmann::json j;
  j["cpu"] = cpu_features().model_name;
  j["lanes"] = opt.lanes;
  j["programs"] = opt.tile_programs;
  j["seed"] = opt.seed;
  j["bf16_order"] = tile::bf16_order_name(tile::kDefaultBf16Order);
  j["vdpbf16ps_order"] = tile::bf16_order_name(tile::kVdpbf16psOrder);
  j["tdpbf16ps"] = verdict_json(verdict);
  j["checks"] = nlohmann::json::array();
  for (const auto& r : results)
    j["checks"].push_back(
        {{"name", r.name}, {"status", tile::check_status_name(r.status)}, {"detail", r.detail}});
  j["failed"] = failed;
  j["skipped"] = skipped;
  return j;
}

}  // namespace

void register_tile_selftest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tile-selftest",
                                 "check the tile emulator against native VPDPBUSD / VDPBF16PS / AMX tiles");
  auto opt = std::make_shared<tile::SelftestOptions>();
  auto json = std::make_shared<bool>(false);
  auto out = std::make_shared<std::string>();
  auto trace = std::make_shared<bool>(false);
  auto probes = std::make_shared<std::string>();
  auto probe_count = std::make_shared<uint64_t>(4096);
  auto colsb_step = std::make_shared<std::string>();
  cmd->add_option("--lanes", opt->lanes, "random lanes per VNNI instruction")
      ->check(whole_number(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--programs", opt->tile_programs, "random tile programs (AMX machines only)")
      ->check(whole_number(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--seed", opt->seed, "random seed (0 to 2^63 - 1)")
      ->check(whole_number(uint64_t{0}, uint64_t{INT64_MAX}));
  cmd->add_flag("--json", *json, "print the results as JSON");
  cmd->add_option("--out", *out, "also write the results as JSON to this file (with the TDPBF16PS verdict)");
  cmd->add_flag("--trace", *trace,
                "name each tile program on stderr before it runs natively (the last line names a program "
                "the CPU refused)");
  cmd->add_option(
      "--dump-bf16-probes", *probes,
      "write native TDPBF16PS probes (4 KiB records, kernels/tile/README.md) to this file and exit");
  cmd->add_option("--probe-count", *probe_count, "number of TDPBF16PS probes for --dump-bf16-probes")
      ->check(whole_number(uint64_t{1}, uint64_t{1} << 20));
  cmd->add_option("--probe-colsb", *colsb_step,
                  "run one step (config, zero, load, store, control) on a tile of colsb 10 and exit: "
                  "a step the CPU refuses dies of SIGILL");
  cmd->callback([opt, json, out, trace, probes, probe_count, colsb_step, cmd] {
    // The probe modes run one thing and exit: the self-test's flags would be ignored there.
    const auto alone = [&](const char* mode, std::initializer_list<const char*> others) {
      for (const char* flag : others)
        if (cmd->count(flag) > 0) throw Error(std::string(flag) + " has no effect with " + mode);
    };
    if (!colsb_step->empty())
      alone("--probe-colsb", {"--dump-bf16-probes", "--probe-count", "--json", "--out", "--trace", "--lanes",
                              "--programs", "--seed"});
    if (!probes->empty())
      alone("--dump-bf16-probes", {"--json", "--out", "--trace", "--lanes", "--programs"});
    if (probes->empty() && cmd->count("--probe-count") > 0)
      throw Error("--probe-count sets the number of --dump-bf16-probes records: it needs that flag");
    if (!colsb_step->empty()) {
      tile::run_native_colsb_probe(*colsb_step);
      fmt::print("tile-selftest: colsb probe '{}' ran\n", *colsb_step);
      return;
    }
    if (!probes->empty()) {
      tile::dump_native_bf16_probes(*probes, *probe_count, opt->seed);
      fmt::print("tile-selftest: {} TDPBF16PS probes written to {}\n", *probe_count, *probes);
      return;
    }
    if (*trace) opt->trace = stderr;
    tile::Bf16OrderVerdict verdict;
    const auto results = tile::run_tile_selftest(*opt, &verdict);
    int failed = 0, skipped = 0;
    for (const auto& r : results) {
      failed += r.status == tile::CheckStatus::fail;
      skipped += r.status == tile::CheckStatus::skip;
    }
    const nlohmann::json j = results_json(*opt, results, verdict, failed, skipped);
    // Written before the exit status is decided: a failing self-test is the record most wanted.
    if (!out->empty()) io::write_file_atomically(*out, j.dump(2) + "\n");
    if (*json) {
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("tile emulator self-test on {} (TDPBF16PS order: {}, VDPBF16PS order: {})\n",
                 cpu_features().model_name, tile::bf16_order_name(tile::kDefaultBf16Order),
                 tile::bf16_order_name(tile::kVdpbf16psOrder));
      fmt::print("{:<6} {:<62} {}\n", "result", "check", "detail");
      for (const auto& r : results)
        fmt::print("{:<6} {:<62} {}\n", tile::check_status_name(r.status), r.name, r.detail);
      fmt::print("TDPBF16PS order verdict: {}\n", tile::bf16_verdict_text(verdict));
      fmt::print("tile self-test: {} passed, {} failed, {} skipped\n",
                 results.size() - static_cast<size_t>(failed + skipped), failed, skipped);
    }
    if (failed > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace amxlab::cli
