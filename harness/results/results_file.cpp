#include "harness/results/results_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/io/atomic_write.h"
#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/results/same_sweep.h"
#include "kernels/core/error.h"

namespace amxlab::harness {

nlohmann::json read_results(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw Error(io::printable(path, 300) + " is a directory, not a results file");
  std::ifstream in(path);
  if (!in) throw Error("cannot open results file " + io::printable(path, 300));
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(io::printable(path, 300) +
                ": not valid JSON: " + io::printable(e.what(), 300));  // quotes the bad bytes
  }
  if (!doc.is_object() || doc.value("schema", "") != kResultsSchema) {
    throw Error(io::printable(path, 300) + ": not an amxlab results file (schema != " + kResultsSchema + ")");
  }
  if (doc.value("schema_version", 0) != kResultsSchemaVersion) {
    throw Error(io::printable(path, 300) + ": schema_version " +
                std::to_string(doc.value("schema_version", 0)) + " is not supported (this build reads " +
                std::to_string(kResultsSchemaVersion) + ")");
  }
  if (!doc.contains("cases") || !doc["cases"].is_array())
    throw Error(io::printable(path, 300) + ": no cases array");
  return doc;
}

bool is_failure(std::string_view v) {
  return v == "FAIL" || v == "ERROR" || v == "CRASHED" || v == "TIMEOUT";
}

std::string case_key(const std::string& descriptor, const nlohmann::json& sources) {
  if (!sources.is_object()) return descriptor;
  std::string from;
  for (const char* k : {"weights", "activations", "routing"}) {
    const auto it = sources.find(k);
    if (it == sources.end() || !it->is_string() || it->get<std::string>().empty()) continue;
    from += (from.empty() ? "" : ", ") + std::string(k) + "=" + it->get<std::string>();
  }
  return from.empty() ? descriptor : descriptor + " (" + from + ")";
}

std::string record_key(const nlohmann::json& record) {
  return case_key(record.value("descriptor", ""), record.value("sources", nlohmann::json()));
}

ResultsFile::ResultsFile(std::string path, nlohmann::json header, bool resume) : path_(std::move(path)) {
  if (resume) {
    doc_ = read_results(path_);
    const auto& old_build = doc_["build"];
    const auto& new_build = header["build"];
    if (old_build.value("commit", "") != new_build.value("commit", "") ||
        old_build.value("flags", "") != new_build.value("flags", "")) {
      // dump with ensure_ascii: the old build's strings come from the file.
      throw Error("--resume " + io::printable(path_, 300) + ": the file comes from build " +
                  old_build.dump(-1, ' ', true) + ", this is " + new_build.dump(-1, ' ', true));
    }
    // A file continued by another sweep would hold cases its header does not describe
    // (a check file "resumed" by bench times nothing: every descriptor is already there).
    if (const auto d = sweep_difference(doc_, header, ShardRule::kWhole)) {
      throw Error("--resume " + io::printable(path_, 200) + ": the file was made by another sweep: " +
                  d->field + " is " + d->a + " in the file, " + d->b +
                  " in this run. Nothing was run and the file is "
                  "unchanged: to continue it, rerun with the command and flags of its first run (--timeout "
                  "may differ); to run this sweep, write a new file with --out");
    }
    for (size_t i = 0; i < doc_["cases"].size(); ++i) done_.emplace(record_key(doc_["cases"][i]), i);
    return;
  }
  doc_ = std::move(header);
  doc_["schema"] = kResultsSchema;
  doc_["schema_version"] = kResultsSchemaVersion;
  doc_["cases"] = nlohmann::json::array();
  flush();
}

const nlohmann::json* ResultsFile::find_case(const std::string& key) const {
  const auto it = done_.find(key);
  return it == done_.end() ? nullptr : &doc_["cases"][it->second];
}

void ResultsFile::append(const nlohmann::json& case_record) {
  doc_["cases"].push_back(case_record);
  done_.emplace(record_key(case_record), doc_["cases"].size() - 1);
  flush();
}

void ResultsFile::set_field(const std::string& key, const nlohmann::json& value) {
  doc_[key] = value;
  flush();
}

void ResultsFile::flush() const {
  io::write_file_atomically(path_, io::dump_json(doc_, 1) + "\n");
}

}  // namespace amxlab::harness
