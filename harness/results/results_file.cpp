#include "harness/results/results_file.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "harness/io/atomic_write.h"
#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/io/read_file.h"
#include "harness/results/same_sweep.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

// What every reader of a results file (compare, merge, --resume, the summary) takes for
// granted, checked once where the file is read, so a file edited by hand or by another
// tool gives one line naming the case and the field instead of a JSON library's type
// error, a negative "speed-up" or a terminal escape in the summary.
void validate_cases(const nlohmann::json& cases, const std::string& where) {
  static constexpr const char* kVerdicts[] = {"PASS",    "FAIL",    "ERROR",     "CRASHED",
                                              "TIMEOUT", "SKIPPED", "MISTRUSTED"};
  std::set<std::string> keys;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto bad = [&](const std::string& what) {
      throw Error(where + ": case " + std::to_string(i) + ": " + what);
    };
    if (!c.is_object()) bad("not a JSON object");
    if (!c.contains("descriptor") || !c["descriptor"].is_string() ||
        c["descriptor"].get<std::string>().empty())
      bad("no descriptor string");
    if (c.contains("verdict")) {
      const auto& v = c["verdict"];
      if (!v.is_string() ||
          std::find(std::begin(kVerdicts), std::end(kVerdicts), v.get<std::string>()) == std::end(kVerdicts))
        bad("verdict " + io::printable(v.dump(-1, ' ', true), 80) +
            " is none of PASS, FAIL, ERROR, CRASHED, TIMEOUT, SKIPPED, MISTRUSTED");
    }
    if (c.contains("checked") && !c["checked"].is_boolean()) bad("\"checked\" is not a boolean");
    if (c.contains("sources")) {
      if (!c["sources"].is_object()) bad("\"sources\" is not an object");
      for (const auto& [k, v] : c["sources"].items())
        if (!v.is_string()) bad("sources." + io::printable(k, 40) + " is not a string");
    }
    if (c.contains("timing")) {
      if (!c["timing"].is_object()) bad("\"timing\" is not an object");
      for (const char* t : {"hot", "cold"}) {
        if (!c["timing"].contains(t)) continue;
        const auto& tt = c["timing"][t];
        if (!tt.is_object()) bad(std::string("timing.") + t + " is not an object");
        if (!tt.contains("samples_s")) continue;
        const auto& s = tt["samples_s"];
        if (!s.is_array()) bad(std::string("timing.") + t + ".samples_s is not an array");
        for (const auto& x : s)
          if (!x.is_number() || !(x.get<double>() > 0) || !std::isfinite(x.get<double>()) ||
              x.get<double>() > 1e6)
            bad(std::string("timing.") + t + ".samples_s holds " + io::printable(x.dump(-1, ' ', true), 40) +
                ", not a time in seconds (0 < t <= 1e6)");
      }
    }
    if (!keys.insert(record_key(c)).second) bad(io::printable(record_key(c), 200) + " is in the file twice");
  }
}

}  // namespace

nlohmann::json read_results(const std::string& path) {
  if (std::filesystem::is_directory(path))
    throw Error(io::printable(path, 300) + " is a directory, not a results file");
  const std::string text = io::read_regular_file(path, "results file");
  nlohmann::json doc;
  try {
    doc = io::parse_bounded_json(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(io::printable(path, 300) +
                ": not valid JSON: " + io::printable(e.what(), 300));  // quotes the bad bytes
  } catch (const Error& e) {
    throw Error(io::printable(path, 300) + ": " + e.what());
  }
  if (!doc.is_object() || doc.value("schema", "") != kResultsSchema) {
    throw Error(io::printable(path, 300) + ": not an amxlab results file (schema != " + kResultsSchema + ")");
  }
  const nlohmann::json version = doc.contains("schema_version") ? doc["schema_version"] : nlohmann::json();
  if (!version.is_number_integer() || version.get<int64_t>() != kResultsSchemaVersion) {
    throw Error(io::printable(path, 300) + ": schema_version " +
                io::printable(version.dump(-1, ' ', true), 40) + " is not supported (this build reads " +
                std::to_string(kResultsSchemaVersion) + ")");
  }
  if (!doc.contains("cases") || !doc["cases"].is_array())
    throw Error(io::printable(path, 300) + ": no cases array");
  for (const char* section : {"build", "run", "machine"})
    if (doc.contains(section) && !doc[section].is_object())
      throw Error(io::printable(path, 300) + ": \"" + section + "\" is not an object");
  validate_cases(doc["cases"], io::printable(path, 300));
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
    // The header says which sweep wrote the file; without it nothing could say whether
    // this sweep may continue it.
    if (!doc_.contains("run") || !doc_.contains("build"))
      throw Error("--resume " + io::printable(path_, 300) + ": the file has no " +
                  (doc_.contains("run") ? "\"build\"" : "\"run\"") +
                  " header, so nothing says which sweep wrote it. Nothing was run and the file is unchanged");
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
