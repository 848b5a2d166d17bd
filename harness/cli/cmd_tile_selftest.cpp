// `amxlab tile-selftest`: the tile emulator against every native instruction this CPU
// has (VPDPBUSD, VDPBF16PS; every tile op on an AMX machine). Prints a pass/fail/skip
// table (or JSON with --json); exits 1 when a check fails. Skipped checks say why.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "harness/cli/commands.h"
#include "kernels/core/cpu_features.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/selftest.h"

namespace amxlab::cli {

void register_tile_selftest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("tile-selftest",
                                 "check the tile emulator against native VPDPBUSD / VDPBF16PS / AMX tiles");
  auto opt = std::make_shared<tile::SelftestOptions>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("--lanes", opt->lanes, "random lanes per VNNI instruction")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--programs", opt->tile_programs, "random tile programs (AMX machines only)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 32));
  cmd->add_option("--seed", opt->seed, "random seed");
  cmd->add_flag("--json", *json, "print the results as JSON");
  cmd->callback([opt, json] {
    const auto results = tile::run_tile_selftest(*opt);
    int failed = 0, skipped = 0;
    for (const auto& r : results) {
      failed += r.status == tile::CheckStatus::fail;
      skipped += r.status == tile::CheckStatus::skip;
    }
    const char* order = tile::bf16_order_name(tile::kDefaultBf16Order);
    if (*json) {
      nlohmann::json j;
      j["cpu"] = cpu_features().model_name;
      j["lanes"] = opt->lanes;
      j["programs"] = opt->tile_programs;
      j["seed"] = opt->seed;
      j["bf16_order"] = order;
      j["bf16_order_provisional"] = true;
      j["checks"] = nlohmann::json::array();
      for (const auto& r : results)
        j["checks"].push_back(
            {{"name", r.name}, {"status", tile::check_status_name(r.status)}, {"detail", r.detail}});
      j["failed"] = failed;
      j["skipped"] = skipped;
      fmt::print("{}\n", j.dump(2));
    } else {
      fmt::print("tile emulator self-test on {} (TDPBF16PS order: {}, PROVISIONAL)\n",
                 cpu_features().model_name, order);
      fmt::print("{:<6} {:<62} {}\n", "result", "check", "detail");
      for (const auto& r : results)
        fmt::print("{:<6} {:<62} {}\n", tile::check_status_name(r.status), r.name, r.detail);
      fmt::print("tile self-test: {} passed, {} failed, {} skipped\n",
                 results.size() - static_cast<size_t>(failed + skipped), failed, skipped);
    }
    if (failed > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace amxlab::cli
