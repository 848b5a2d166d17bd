// The `amxlab` CLI: one file per sub-command, each registering itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace amxlab::cli {

void register_info_command(CLI::App& app);
void register_selfcheck_command(CLI::App& app);
void register_tile_selftest_command(CLI::App& app);
void register_sweep_commands(CLI::App& app);    // check, bench, run, case-worker
void register_results_commands(CLI::App& app);  // compare, merge
void register_calibrate_command(CLI::App& app);
void register_numa_command(CLI::App& app);   // the NUMA placement experiment
void register_model_command(CLI::App& app);  // model inventories: check, time, project

}  // namespace amxlab::cli
