// Results files (results/README.md has the schema): one JSON document per run,
// {"schema": "amxlab.results", "schema_version": N, "machine": {...}, "build": {...},
//  "calibration": {...} | null, "run": {...}, "cases": [ {...}, ... ]}.
// Cases are appended one at a time and the whole file is replaced atomically (write a
// temporary, fsync, rename) after each, so a crash or kill never leaves a truncated or
// invalid file, and --resume can pick up where a run stopped.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace amxlab::harness {

inline constexpr const char* kResultsSchema = "amxlab.results";
inline constexpr int kResultsSchemaVersion = 1;

// A case's identity in a results file: its descriptor, and where its data came from when
// that was not the seed (the record's "sources": --weights / --activations / --routing).
// The same descriptor on another tensor is another case: `amxlab model --real-weights`
// checks two tensors whose first 512 rows share a shape under one descriptor.
// "q8_0:m1n512k256:t2:... (weights=m.gguf:blk.0.attn_q.weight)".
std::string case_key(const std::string& descriptor, const nlohmann::json& sources);
std::string record_key(const nlohmann::json& record);  // of a case record

// Verdicts that fail a sweep (exit status 1) and, new in a compare, are a regression:
// FAIL, ERROR, CRASHED, TIMEOUT. MISTRUSTED (degenerate data: proves little) and SKIPPED
// (with their reasons) do not, as in benchdnn.
bool is_failure(std::string_view verdict);

class ResultsFile {
 public:
  // Starts a new file with `header` (machine, build, run, calibration), or, with
  // resume = true and an existing file, continues it: its header must describe the same
  // build and the same sweep (same_sweep.h: mode, shard, the options that change
  // results); otherwise an Error says what differs, before anything is run or written.
  ResultsFile(std::string path, nlohmann::json header, bool resume);

  // The record of the case with this case_key, or nullptr.
  const nlohmann::json* find_case(const std::string& key) const;
  void append(const nlohmann::json& case_record);                       // atomic rewrite
  void set_field(const std::string& key, const nlohmann::json& value);  // e.g. calibration, run end
  const nlohmann::json& document() const { return doc_; }
  const std::string& path() const { return path_; }

 private:
  void flush() const;
  std::string path_;
  nlohmann::json doc_;
  std::map<std::string, size_t> done_;  // record_key of every case in the file -> its index
};

// Reads and validates a results file (schema name and version, cases array).
nlohmann::json read_results(const std::string& path);

}  // namespace amxlab::harness
