// amxlab: micro-benchmark and correctness lab for low-precision CPU GEMM kernels.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "harness/cli/commands.h"
#include "kernels/core/error.h"

int main(int argc, char** argv) {
  // oneDNN (Debian's build) runs on OpenMP, whose idle threads spin and steal the cores
  // from whatever is timed next (DESIGN.md "Measuring speed"). libgomp reads its policy
  // when it loads, before main: so set it and start again, once. An explicit
  // OMP_WAIT_POLICY is respected; results record the policy in force.
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) {
    setenv("OMP_WAIT_POLICY", "passive", 1);
    execv("/proc/self/exe", argv);  // returns only on failure: then go on as we are
  }
  try {
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
    amxlab::cli::register_numa_command(app);
    amxlab::cli::register_model_command(app);
#endif
#ifdef AMXLAB_HAVE_CALIBRATE
    amxlab::cli::register_calibrate_command(app);
#endif
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
  } catch (const std::exception& e) {
    std::fputs("amxlab: error: ", stderr);
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
    return 2;
  }
  return 0;
}
