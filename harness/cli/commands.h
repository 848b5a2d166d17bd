// The `amxlab` CLI: one file per sub-command, each registering itself on the app.
#pragma once

#include <CLI/CLI.hpp>

namespace amxlab::cli {

void register_info_command(CLI::App& app);
void register_selfcheck_command(CLI::App& app);
void register_tile_selftest_command(CLI::App& app);

}  // namespace amxlab::cli
