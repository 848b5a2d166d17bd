// amxlab: micro-benchmark and correctness lab for low-precision CPU GEMM kernels.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>

#include "harness/cli/commands.h"
#include "kernels/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"amxlab: correctness and speed lab for low-precision CPU GEMM kernels"};
  app.require_subcommand(1);
  amxlab::cli::register_info_command(app);
  amxlab::cli::register_selfcheck_command(app);
  amxlab::cli::register_results_commands(app);
#ifdef AMXLAB_HAVE_TILE_SELFTEST
  amxlab::cli::register_tile_selftest_command(app);
#endif
#ifdef AMXLAB_HAVE_RUNNER
  amxlab::cli::register_sweep_commands(app);
#endif
#ifdef AMXLAB_HAVE_CALIBRATE
  amxlab::cli::register_calibrate_command(app);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "amxlab: error: {}\n", e.what());
    return 2;
  }
  return 0;
}
