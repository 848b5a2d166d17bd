// Results files (results/README.md has the schema): one JSON document per run,
// {"schema": "amxlab.results", "schema_version": N, "machine": {...}, "build": {...},
//  "calibration": {...} | null, "run": {...}, "cases": [ {...}, ... ]}.
// Cases are appended one at a time and the whole file is replaced atomically (write a
// temporary, fsync, rename) after each, so a crash or kill never leaves a truncated or
// invalid file, and --resume can pick up where a run stopped.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace amxlab::harness {

inline constexpr const char* kResultsSchema = "amxlab.results";
inline constexpr int kResultsSchemaVersion = 1;

class ResultsFile {
 public:
  // Starts a new file with `header` (machine, build, run, calibration), or, with
  // resume = true and an existing file, continues it: its header must describe the same
  // build and the same sweep (same_sweep.h: mode, shard, the options that change
  // results); otherwise an Error says what differs, before anything is run or written.
  ResultsFile(std::string path, nlohmann::json header, bool resume);

  bool has_case(const std::string& descriptor) const { return done_.count(descriptor) != 0; }
  void append(const nlohmann::json& case_record);                       // atomic rewrite
  void set_field(const std::string& key, const nlohmann::json& value);  // e.g. calibration, run end
  const nlohmann::json& document() const { return doc_; }
  const std::string& path() const { return path_; }

 private:
  void flush() const;
  std::string path_;
  nlohmann::json doc_;
  std::set<std::string> done_;
};

// Reads and validates a results file (schema name and version, cases array).
nlohmann::json read_results(const std::string& path);

}  // namespace amxlab::harness
