#include "harness/results/merge.h"

#include <set>

#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

// Read from the files: compared as stored, shown escaped.
std::string build_key(const nlohmann::json& doc) {
  const auto& b = doc.contains("build") ? doc["build"] : nlohmann::json::object();
  return b.value("commit", "?") + " | " + b.value("compiler", "?") + " | " + b.value("flags", "?");
}

}  // namespace

nlohmann::json merge_results(const std::vector<NamedResults>& inputs, bool allow_different_builds) {
  require(!inputs.empty(), "merge: no input files");
  nlohmann::json out = inputs.front().doc;
  out["cases"] = nlohmann::json::array();
  out["merged_from"] = nlohmann::json::array();
  const std::string key = build_key(inputs.front().doc);
  std::set<std::string> seen;
  for (const auto& in : inputs) {
    if (build_key(in.doc) != key && !allow_different_builds) {
      throw Error("merge: " + in.path + " comes from build '" + io::printable(build_key(in.doc), 300) +
                  "', " + inputs.front().path + " from '" + io::printable(key, 300) +
                  "' (pass --allow-different-builds to merge anyway)");
    }
    out["merged_from"].push_back({{"path", in.path},
                                  {"build", in.doc.value("build", nlohmann::json())},
                                  {"run", in.doc.value("run", nlohmann::json())}});
    for (const auto& c : in.doc["cases"]) {
      const std::string d = c.value("descriptor", "");
      if (!seen.insert(d).second) {
        throw Error("merge: case " + io::printable(d, 300) + " appears twice (again in " + in.path +
                    "); shards must be disjoint");
      }
      out["cases"].push_back(c);
    }
  }
  return out;
}

}  // namespace amxlab::harness
