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

nlohmann::json merge_results(const std::vector<NamedResults>& inputs, bool allow_different_builds);

}  // namespace amxlab::harness
