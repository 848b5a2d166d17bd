// amxlab: micro-benchmark and correctness lab for low-precision CPU GEMM kernels.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "harness/cli/build_info.h"
#include "harness/cli/commands.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"
#include "kernels/isa.h"

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
    CLI::App app{"amxlab: correctness and speed lab for low-precision CPU GEMM kernels", "amxlab"};
    app.require_subcommand(1);
    app.option_defaults()->always_capture_default();  // --help shows each option's default
    app.set_version_flag("--version", std::string("amxlab ") + amxlab::build::kVersion + " (" +
                                          amxlab::build::kCommit + ", " + amxlab::build::kBuildType + ")");
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
    // The kernels' library ignores an AMXLAB_MAX_ISA it cannot read (it has no one to
    // tell); a user who set one meant a cap, so the CLI refuses to run uncapped instead.
    if (const char* env = std::getenv("AMXLAB_MAX_ISA"); env != nullptr && *env != '\0') {
      amxlab::IsaLevel level{};
      if (!amxlab::parse_isa_level(env, level)) {
        std::fprintf(stderr,
                     "amxlab: error: AMXLAB_MAX_ISA='%s' is not portable, avx2, avx512_vnni or amx "
                     "(lower case); unset it to run uncapped\n",
                     amxlab::io::printable(env, 80).c_str());
        return 2;
      }
    }
    // `amxlab help [COMMAND]` is --help. The command word (the first, or help's) that names
    // no command is said to be unknown (CLI11 would only say that a subcommand is required).
    const bool help = argc >= 2 && std::strcmp(argv[1], "help") == 0;
    if (help && argc < 3) return app.exit(CLI::CallForHelp());
    const char* word = help ? argv[2] : argc >= 2 && argv[1][0] != '-' ? argv[1] : nullptr;
    if (word != nullptr) {
      bool known = false;
      std::string names;  // hidden (internal) commands are not listed
      for (const CLI::App* sub : app.get_subcommands({})) {
        known = known || sub->get_name() == word;
        if (!sub->get_group().empty()) names += (names.empty() ? "" : ", ") + sub->get_name();
      }
      if (!known) {
        std::fprintf(stderr, "amxlab: error: %sunknown command '%s' (commands: %s; amxlab --help)\n",
                     help ? "help: " : "", amxlab::io::printable(word, 80).c_str(), names.c_str());
        return 2;
      }
    }
    if (help) {
      const char* help_argv[] = {argv[0], word, "--help"};
      try {
        app.parse(3, const_cast<char**>(help_argv));
      } catch (const CLI::ParseError& e) {
        return app.exit(e);
      }
      return 0;
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
      return e.get_exit_code();  // a command's own status: 1 a case failed, 130 / 143 interrupted
    } catch (const CLI::ParseError& e) {
      // --help and --version end here with 0; every usage error exits 2, as amxlab's own
      // errors do (CLI11's codes 105-115 tell a script nothing more).
      return app.exit(e) == 0 ? 0 : 2;
    }
  } catch (const std::exception& e) {
    std::fputs("amxlab: error: ", stderr);
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
    return 2;
  }
  return 0;
}
