// `amxlab selfcheck`: the golden model against exact arithmetic for every type.
#include <fmt/core.h>

#include "harness/cli/commands.h"
#include "harness/cli/whole_number.h"
#include "reference/golden/selfcheck.h"

namespace amxlab::cli {

void register_selfcheck_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("selfcheck", "check the golden model against a double-precision model");
  auto seed = std::make_shared<uint64_t>(20251125);
  cmd->add_option("--seed", *seed, "random seed (0 to 2^63 - 1)")
      ->check(whole_number(uint64_t{0}, uint64_t{INT64_MAX}));
  cmd->callback([seed] {
    const auto results = golden::run_selfcheck(*seed);
    int failed = 0;
    fmt::print("{:<8} {:<14} {:<6} {}\n", "type", "shape", "result", "worst |err|/bound");
    for (const auto& r : results) {
      fmt::print("{:<8} {:<14} {:<6} {:.3g} {}\n", r.type, r.shape, r.passed ? "PASS" : "FAIL", r.worst_ratio,
                 r.detail);
      if (!r.passed) ++failed;
    }
    fmt::print("golden self-check: {} of {} passed\n", results.size() - static_cast<size_t>(failed),
               results.size());
    if (failed > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace amxlab::cli
