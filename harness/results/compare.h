// `amxlab compare OLD NEW`: matches cases by descriptor, reports speed ratios with a
// Mann-Whitney U test over the repetition samples and any change of correctness, and
// decides whether the change is a regression (the CI gate). Each timing a case has in
// both files is compared on its own: hot (weights in cache, the kernel's arithmetic) and
// cold (weights streamed from memory, what a decode step and `amxlab model`'s decode
// projection are made of), so a kernel that computes as fast but streams slower (a
// broken prefetch, a read order the prefetchers lose) is caught too.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace amxlab::harness {

struct CompareOptions {
  double slowdown_threshold = 0.05;  // relative: 0.05 = 5 % slower medians
  double alpha = 0.05;               // significance level of the U test
  bool hot = true, cold = true;      // which timings are compared (and gate)
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
  bool new_mismatch = false;  // PASS (or absent) before, FAIL now (on the case's first row)
};

struct CompareReport {
  std::vector<CaseComparison> cases;
  std::vector<std::string> only_old, only_new;
  // Both files hold an `amxlab model` projection: its totals, old -> new (model_lines()).
  // Shown, not part of the gate: the cases it is made of are.
  std::vector<std::string> model;
  bool regression() const;
  std::string table() const;
};

// The lines comparing two `amxlab model` projections (results' "model" / "projection"):
// each total in ms per token old -> new and the ratio, with the range of the rounds' own
// totals where a projection has several rounds (`--rounds`); a line saying so where the two are of
// different models or thread counts. Empty where either file holds no projection.
std::vector<std::string> model_lines(const nlohmann::json& old_doc, const nlohmann::json& new_doc);

CompareReport compare_results(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                              const CompareOptions& o);

}  // namespace amxlab::harness
