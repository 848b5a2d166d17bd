// `amxlab merge`: joins results files (the shards of one sweep) into one document.
// Files from different builds (commit, compiler or flags) are refused unless forced:
// their timings are not comparable.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace amxlab::harness {

struct NamedResults {
  std::string path;
  nlohmann::json doc;
};

// Shards (run.shard "i/n" in the header): every index 0..n-1 must be there once, with one
// n, each complete (its run_end written, not interrupted, run.cases_planned cases in
// the file). Otherwise Error names the missing and the incomplete shards (nothing is
// merged) unless allow_partial. Inputs without run.shard are merged as given.
nlohmann::json merge_results(const std::vector<NamedResults>& inputs, bool allow_different_builds,
                             bool allow_partial = false);

}  // namespace amxlab::harness
