// `amxlab compare OLD NEW` (the regression gate) and `amxlab merge` (joins shards).
#include <fmt/core.h>

#include <fstream>

#include "harness/cli/commands.h"
#include "harness/io/atomic_write.h"
#include "harness/results/compare.h"
#include "harness/results/merge.h"
#include "harness/results/results_file.h"

namespace amxlab::cli {

void register_results_commands(CLI::App& app) {
  {
    auto* cmd = app.add_subcommand("compare", "compare two results files; non-zero exit on a regression");
    auto old_path = std::make_shared<std::string>();
    auto new_path = std::make_shared<std::string>();
    auto opts = std::make_shared<harness::CompareOptions>();
    cmd->add_option("OLD", *old_path, "baseline results")->required();
    cmd->add_option("NEW", *new_path, "new results")->required();
    cmd->add_option("--threshold", opts->slowdown_threshold, "relative slowdown that counts (default 0.05)");
    cmd->add_option("--alpha", opts->alpha, "significance level of the Mann-Whitney U test (default 0.05)");
    auto timing = std::make_shared<std::string>("both");
    cmd->add_option("--timing", *timing,
                    "timings compared, each case's on its own: hot (weights in cache), cold (streamed "
                    "from memory) or both (default)")
        ->check(CLI::IsMember({"hot", "cold", "both"}));
    cmd->callback([=] {
      opts->hot = *timing != "cold";
      opts->cold = *timing != "hot";
      const auto report =
          harness::compare_results(harness::read_results(*old_path), harness::read_results(*new_path), *opts);
      fmt::print("{}", report.table());
      if (report.regression()) {
        fmt::print("REGRESSION: a significant slowdown beyond {:.0f}% or a new mismatch\n",
                   opts->slowdown_threshold * 100);
        throw CLI::RuntimeError(1);
      }
      fmt::print("no regression\n");
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
      io::write_file_atomically(*out, merged.dump(1) + "\n");
      fmt::print("merged {} file(s), {} case(s) -> {}\n", docs.size(), merged["cases"].size(), *out);
    });
  }
}

}  // namespace amxlab::cli
