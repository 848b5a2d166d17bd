// `amxlab compare OLD NEW` (the regression gate) and `amxlab merge` (joins shards).
#include <fmt/core.h>

#include <fstream>

#include "harness/cli/commands.h"
#include "harness/io/atomic_write.h"
#include "harness/io/json_text.h"
#include "harness/results/compare.h"
#include "harness/results/merge.h"
#include "harness/results/results_file.h"

namespace amxlab::cli {

void register_results_commands(CLI::App& app) {
  {
    auto* cmd = app.add_subcommand("compare", "compare two results files; non-zero exit on a regression");
    cmd->footer(
        "Exit codes:\n"
        "  0  no regression\n"
        "  1  regression: a significant slowdown beyond --threshold, or a new failure (PASS -> FAIL, ERROR, "
        "CRASHED, TIMEOUT)\n"
        "  2  error: a file that cannot be read, --threshold or --alpha out of range or not a number\n"
        "  3  inconclusive: no regression shown, but a case slower beyond --threshold has too few\n"
        "     samples for the U test ever to reach p < --alpha (rerun with the --reps it names)\n"
        "  4  nothing compared: no case is in both files, or none has the timings asked for\n"
        "  5  missing cases: no regression shown, but cases of OLD are not in NEW (--allow-missing)\n");
    auto old_path = std::make_shared<std::string>();
    auto new_path = std::make_shared<std::string>();
    auto opts = std::make_shared<harness::CompareOptions>();
    cmd->add_option("OLD", *old_path, "baseline results")->required();
    cmd->add_option("NEW", *new_path, "new results")->required();
    cmd->add_option("--threshold", opts->slowdown_threshold,
                    "relative slowdown of the medians that counts, >= 0 (default 0.05)");
    cmd->add_option("--alpha", opts->alpha,
                    "significance level of the Mann-Whitney U test, 0 < alpha < 1 (default 0.05; at 0.05 "
                    "each side needs 4 or more samples, --reps 4)");
    auto timing = std::make_shared<std::string>("both");
    cmd->add_option("--timing", *timing,
                    "timings compared, each case's on its own: hot (weights in cache), cold (streamed "
                    "from memory) or both (default)")
        ->check(CLI::IsMember({"hot", "cold", "both"}));
    cmd->add_flag("--allow-missing", opts->allow_missing,
                  "cases of OLD that NEW lacks are shown, not a failure (a sweep narrowed on purpose)");
    cmd->callback([=] {
      opts->hot = *timing != "cold";
      opts->cold = *timing != "hot";
      harness::validate_compare_options(*opts);  // before reading anything
      const auto report =
          harness::compare_results(harness::read_results(*old_path), harness::read_results(*new_path), *opts);
      fmt::print("{}{}\n", report.table(), report.summary());
      if (const auto code = static_cast<int>(report.outcome()); code != 0) throw CLI::RuntimeError(code);
    });
  }
  {
    auto* cmd = app.add_subcommand("merge", "join results files (shards of one sweep) into one");
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto out = std::make_shared<std::string>();
    auto force = std::make_shared<bool>(false);
    cmd->add_option("FILES", *inputs, "results files")->required();
    cmd->add_option("--out,-o", *out, "merged file")->required();
    cmd->add_flag("--allow-different-builds", *force, "merge files from different builds");
    auto partial = std::make_shared<bool>(false);
    cmd->add_flag("--allow-partial", *partial, "merge even when shards are missing or incomplete");
    cmd->callback([=] {
      std::vector<harness::NamedResults> docs;
      for (const auto& p : *inputs) docs.push_back({p, harness::read_results(p)});
      const auto merged = harness::merge_results(docs, *force, *partial);
      io::write_file_atomically(*out, io::dump_json(merged, 1) + "\n");
      fmt::print("merged {} file(s), {} case(s) -> {}\n", docs.size(), merged["cases"].size(), *out);
    });
  }
}

}  // namespace amxlab::cli
