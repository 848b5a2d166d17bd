// `amxlab compare OLD NEW`: matches cases by descriptor, reports speed ratios with a
// Mann-Whitney U test over the repetition samples and any change of correctness, and
// decides whether the change is a regression (the CI gate). Each timing a case has in
// both files is compared on its own: hot (weights in cache, the kernel's arithmetic) and
// cold (weights streamed from memory, what a decode step and `amxlab model`'s decode
// projection are made of), so a kernel that computes as fast but streams slower (a
// broken prefetch, a read order the prefetchers lose) is caught too.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace amxlab::harness {

struct CompareOptions {
  double slowdown_threshold = 0.05;  // relative: 0.05 = 5 % slower medians
  double alpha = 0.05;               // significance level of the U test
  bool hot = true, cold = true;      // which timings are compared (and gate)
  // A case of OLD that NEW lacks is coverage lost (a kernel or shape dropped from the
  // sweep, a shard left out): it fails the gate unless the narrowing is meant.
  bool allow_missing = false;
};

struct CaseComparison {
  std::string descriptor;
  std::string timing;  // "hot" or "cold"; "" for a case without samples in both files
  std::string old_verdict, new_verdict;
  bool has_timing = false;
  double old_median_s = 0, new_median_s = 0;
  double ratio = 1;  // new / old time (> 1: slower)
  double p_value = 1;
  bool significant_slowdown = false;
  bool significant_speedup = false;
  bool new_failure = false;  // failing now (is_failure), not before (on the case's first row)
  // Too few samples for the U test to ever reach p < alpha (mann_whitney_min_p): the row
  // can show neither a slowdown nor a speedup. untested_slowdown: and its medians are
  // slower by more than the threshold, which then is neither confirmed nor refuted.
  size_t old_samples = 0, new_samples = 0;
  bool untestable = false;
  bool untested_slowdown = false;
};

// What compare concludes, and its exit code (documented in `amxlab compare --help`).
enum class CompareOutcome : uint8_t {
  kNoRegression = 0,
  kRegression = 1,    // a significant slowdown beyond the threshold, or a new mismatch
  kInconclusive = 3,  // no regression shown, but a slowdown beyond the threshold too few samples cannot test
  kNothingCompared = 4,  // no case in both files, or none with the timings asked for
  // Cases of OLD that NEW lacks (without allow_missing). Precedence: regression (1),
  // nothing compared (4), missing (5), inconclusive (3); the missing summary names any
  // untested slowdown too.
  kMissingCases = 5
};

struct CompareReport {
  std::vector<CaseComparison> cases;
  std::vector<std::string> only_old, only_new;
  // Both files hold an `amxlab model` projection: its totals, old -> new (model_lines()).
  // Shown, not part of the gate: the cases it is made of are.
  std::vector<std::string> model;
  // Set where the two files share no case, or no case holds the timings asked for in
  // both (and timings were there to compare): says which.
  std::string nothing_compared;
  CompareOptions options;  // what the report was made with (the summary line quotes them)
  bool regression() const;
  size_t untested_slowdowns() const;
  // Cases of OLD that NEW lacks and that count against the gate: only_old's, unless
  // options.allow_missing or no case is in both files (that is kNothingCompared).
  size_t missing_cases() const;
  CompareOutcome outcome() const;
  std::string table() const;
  // The last line: the outcome in words, with what to do about an inconclusive one.
  std::string summary() const;
};

// The lines comparing two `amxlab model` projections (results' "model" / "projection"):
// each total in ms per token old -> new and the ratio, with the range of the rounds' own
// totals where a projection has several rounds (`--rounds`); a line saying so where the two are of
// different models or thread counts. Empty where either file holds no projection.
std::vector<std::string> model_lines(const nlohmann::json& old_doc, const nlohmann::json& new_doc);

// o's threshold must be >= 0 and its alpha in (0, 1) (validate_compare_options).
CompareReport compare_results(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                              const CompareOptions& o);

// Error (naming the flag, the value and what is accepted) on a negative or non-finite
// --threshold or an --alpha outside (0, 1).
void validate_compare_options(const CompareOptions& o);

}  // namespace amxlab::harness
