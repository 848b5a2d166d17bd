#include "harness/results/merge.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "harness/io/printable.h"
#include "harness/results/results_file.h"
#include "harness/results/same_sweep.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

// Read from the files: compared as stored, shown escaped.
std::string build_key(const nlohmann::json& doc) {
  const auto& b = doc.contains("build") ? doc["build"] : nlohmann::json::object();
  return b.value("commit", "?") + " | " + b.value("compiler", "?") + " | " + b.value("flags", "?");
}

// "i/n" -> (i, n) with sweep.h's parse_shard; (-1, 0) when absent or malformed.
std::pair<int64_t, int64_t> shard_of(const nlohmann::json& doc) {
  const auto& run = doc.contains("run") ? doc["run"] : nlohmann::json::object();
  if (!run.is_object() || !run.contains("shard") || !run["shard"].is_string()) return {-1, 0};
  int index = -1, count = 0;
  try {
    parse_shard(run["shard"].get<std::string>(), index, count);
  } catch (const Error&) {
    return {-1, 0};
  }
  return {index, count};
}

// Why a shard file is not complete, or "".
std::string incomplete_because(const nlohmann::json& doc) {
  const auto& end = doc.contains("run_end") ? doc["run_end"] : nlohmann::json();
  if (!end.is_object()) return "no run_end (the run was cut off)";
  if (end.value("interrupted", false)) return "interrupted";
  const auto planned = doc.contains("run") && doc["run"].is_object()
                           ? doc["run"].value("cases_planned", int64_t{-1})
                           : int64_t{-1};
  const auto have = static_cast<int64_t>(doc.contains("cases") ? doc["cases"].size() : 0);
  if (planned >= 0 && have < planned)
    return std::to_string(have) + " of " + std::to_string(planned) + " cases";
  return "";
}

void check_shards(const std::vector<NamedResults>& inputs) {
  std::map<int64_t, std::string> present;
  std::set<int64_t> counts;
  std::string incomplete;
  for (const auto& in : inputs) {
    const auto [i, n] = shard_of(in.doc);
    if (n <= 0) continue;
    counts.insert(n);
    if (!present.emplace(i, in.path).second)
      throw Error("merge: shard " + std::to_string(i) + "/" + std::to_string(n) + " given twice (" +
                  io::printable(present[i], 200) + ", " + io::printable(in.path, 200) + ")");
    if (const std::string why = incomplete_because(in.doc); !why.empty())
      incomplete += (incomplete.empty() ? "" : "; ") + std::to_string(i) + " (" +
                    io::printable(in.path, 200) + ": " + why + ")";
  }
  if (counts.empty()) return;
  if (counts.size() > 1) throw Error("merge: the files are shards of different sweeps (shard counts differ)");
  const int64_t n = *counts.begin();
  std::string missing;
  for (int64_t i = 0; i < n; ++i)
    if (!present.count(i)) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
  if (missing.empty() && incomplete.empty()) return;
  throw Error("merge: shards of " + std::to_string(n) + ": " +
              (missing.empty() ? std::string() : "missing " + missing + (incomplete.empty() ? "" : "; ")) +
              (incomplete.empty() ? std::string() : "incomplete " + incomplete) +
              " (rerun those shards, with --resume for an incomplete one, or pass --allow-partial)");
}

// Shards of different sweeps (another mode, other flags, another shard count) would make
// one file whose header, taken from the first, is wrong for the rest. Not overridable:
// unlike a build difference, no reading of such a file is right.
void check_same_sweep(const std::vector<NamedResults>& inputs) {
  const auto& first = inputs.front();
  for (size_t i = 1; i < inputs.size(); ++i) {
    const auto d = sweep_difference(first.doc, inputs[i].doc, ShardRule::kCount);
    if (!d) continue;
    throw Error(
        "merge: " + io::printable(inputs[i].path, 200) + " and " + io::printable(first.path, 200) +
        " are not parts of one sweep: " + d->field + " is " + d->b + " in " +
        io::printable(inputs[i].path, 200) + ", " + d->a + " in " + io::printable(first.path, 200) +
        " (merge only the shards of one sweep: one command with the same flags, --shard i/n with one n)");
  }
}

// The merged file's header says what it holds, not what the first shard held: every
// shard of the sweep gives shard "" (the whole sweep, so it can be resumed or merged
// again); a merge with --allow-partial names the shards it has ("partial 0,3 of 4").
// cases_planned sums the parts' plans and run_end counts the merged cases.
void describe_union(nlohmann::json& out, const std::vector<NamedResults>& inputs) {
  std::set<int64_t> indices;
  int64_t count = 0, planned = 0;
  bool plans = true, interrupted = false, terminated = false;
  for (const auto& in : inputs) {
    const auto [i, n] = shard_of(in.doc);
    if (n > 0) {
      indices.insert(i);
      count = n;
    }
    const auto& run = in.doc.contains("run") && in.doc["run"].is_object() ? in.doc["run"] : nlohmann::json();
    if (run.is_object() && run.contains("cases_planned") && run["cases_planned"].is_number_integer())
      planned += run["cases_planned"].get<int64_t>();
    else
      plans = false;
    const auto& end =
        in.doc.contains("run_end") && in.doc["run_end"].is_object() ? in.doc["run_end"] : nlohmann::json();
    interrupted |= !end.is_object() || end.value("interrupted", false);
    terminated |= end.is_object() && end.value("terminated", false);
  }
  if (!out.contains("run") || !out["run"].is_object()) out["run"] = nlohmann::json::object();
  if (count > 0) {
    std::string have;
    for (const int64_t i : indices) have += (have.empty() ? "" : ",") + std::to_string(i);
    out["run"]["shard"] = static_cast<int64_t>(indices.size()) == count
                              ? std::string()
                              : "partial " + have + " of " + std::to_string(count);
  }
  if (plans) out["run"]["cases_planned"] = planned;
  out["run_end"] = {
      {"interrupted", interrupted}, {"terminated", terminated}, {"cases_in_file", out["cases"].size()}};
}

}  // namespace

nlohmann::json merge_results(const std::vector<NamedResults>& inputs, bool allow_different_builds,
                             bool allow_partial) {
  require(!inputs.empty(), "merge: no input files");
  check_same_sweep(inputs);
  if (!allow_partial) check_shards(inputs);
  nlohmann::json out = inputs.front().doc;
  out["cases"] = nlohmann::json::array();
  out["merged_from"] = nlohmann::json::array();
  const std::string key = build_key(inputs.front().doc);
  std::set<std::string> seen;
  for (const auto& in : inputs) {
    if (build_key(in.doc) != key && !allow_different_builds) {
      throw Error("merge: " + io::printable(in.path, 200) + " comes from build '" +
                  io::printable(build_key(in.doc), 300) + "', " + io::printable(inputs.front().path, 200) +
                  " from '" + io::printable(key, 300) + "' (pass --allow-different-builds to merge anyway)");
    }
    out["merged_from"].push_back({{"path", in.path},
                                  {"build", in.doc.value("build", nlohmann::json())},
                                  {"run", in.doc.value("run", nlohmann::json())}});
    for (const auto& c : in.doc["cases"]) {
      const std::string d = record_key(c);
      if (!seen.insert(d).second) {
        throw Error("merge: case " + io::printable(d, 300) + " appears twice (again in " +
                    io::printable(in.path, 200) + "); shards must be disjoint");
      }
      out["cases"].push_back(c);
    }
  }
  describe_union(out, inputs);
  return out;
}

}  // namespace amxlab::harness
