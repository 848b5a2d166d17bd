// The regression gate: Mann-Whitney U, compare (planted 20 % slowdown, identical runs,
// new mismatches) and merge.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "harness/results/compare.h"
#include "harness/results/mann_whitney.h"
#include "harness/results/merge.h"
#include "harness/results/results_file.h"
#include "harness/results/same_sweep.h"
#include "kernels/core/error.h"
#include "tests/test_util.h"

namespace amxlab::harness {
namespace {

// Hand-worked: a = {1,2,3}, b = {4,5,6}: U = 0, and of the C(6,3) = 20 equally likely
// rank sets only {1,2,3} and {4,5,6} are as extreme: p = 2/20 = 0.1.
TEST(MannWhitney, ExactSmallSample) {
  const auto r = mann_whitney({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_NEAR(r.p_value, 0.1, 1e-12);
  // Five against five fully separated: 2 / C(10,5) = 2/252.
  EXPECT_NEAR(mann_whitney({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p_value, 2.0 / 252, 1e-12);
  EXPECT_NEAR(mann_whitney({1, 3, 5}, {2, 4, 6}).p_value, 1.0, 0.4);  // interleaved: not significant
}

// The floor of p for given sample sizes: 2 / C(n1 + n2, n1). At alpha 0.05 three against
// three (0.1) can never be significant; four against four (2/70) can.
TEST(MannWhitney, SmallestPossiblePAndTheSamplesItNeeds) {
  EXPECT_NEAR(mann_whitney_min_p(3, 3), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(4, 4), 2.0 / 70, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(5, 5), mann_whitney({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p_value, 1e-12);
  EXPECT_NEAR(mann_whitney_min_p(2, 6), 2.0 / 28, 1e-12);
  EXPECT_DOUBLE_EQ(mann_whitney_min_p(1, 1), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_min_p(0, 5), 1.0);
  EXPECT_EQ(mann_whitney_min_p(2000, 2000), 0.0);  // C overflows: no floor worth the name
  EXPECT_EQ(mann_whitney_samples_for(0.05), 4u);
  EXPECT_EQ(mann_whitney_samples_for(0.1), 4u);  // p < alpha: 3 and 3 reach 0.1, not below
  EXPECT_EQ(mann_whitney_samples_for(0.01), 5u);
  EXPECT_EQ(mann_whitney_samples_for(0.5), 2u);
}

TEST(MannWhitney, TiesUseTheNormalApproximation) {
  const auto r = mann_whitney({1, 1, 1, 1}, {1, 1, 1, 1});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
}

nlohmann::json results_with(const std::vector<std::pair<std::string, std::vector<double>>>& cases,
                            const std::string& verdict = "PASS", const std::string& commit = "abc") {
  nlohmann::json doc = {{"schema", "amxlab.results"},
                        {"schema_version", 1},
                        {"build", {{"commit", commit}, {"compiler", "GNU 12"}, {"flags", "-O3"}}},
                        {"cases", nlohmann::json::array()}};
  for (const auto& [d, s] : cases) {
    doc["cases"].push_back(
        {{"descriptor", d}, {"verdict", verdict}, {"timing", {{"hot", {{"samples_s", s}}}}}});
  }
  return doc;
}

std::vector<double> noisy(double center, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> d(center, center * 0.01);
  std::vector<double> v(10);
  for (auto& x : v) x = d(rng);
  return v;
}

TEST(Compare, FlagsAPlantedTwentyPercentSlowdown) {
  const auto old_doc =
      results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 1)}, {"q4_0:m1n32k32:t1", noisy(2e-3, 2)}});
  auto slow = noisy(1e-3, 3);
  for (auto& x : slow) x *= 1.2;
  const auto new_doc = results_with({{"q8_0:m1n32k32:t1", slow}, {"q4_0:m1n32k32:t1", noisy(2e-3, 4)}});
  const auto r = compare_results(old_doc, new_doc, {});
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_TRUE(r.cases[0].significant_slowdown);
  EXPECT_NEAR(r.cases[0].ratio, 1.2, 0.03);
  EXPECT_FALSE(r.cases[1].significant_slowdown);
  EXPECT_TRUE(r.regression());
}

TEST(Compare, QuietBetweenIdenticalRuns) {
  const auto doc = results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 1)}, {"q4_0:m1n32k32:t1", noisy(2e-3, 2)}});
  const auto r = compare_results(doc, doc, {});
  ASSERT_EQ(r.cases.size(), 2u);  // quiet about both cases, not about none
  EXPECT_FALSE(r.regression());
  for (const auto& c : r.cases) EXPECT_DOUBLE_EQ(c.ratio, 1.0);
}

// Cold timings (what a decode step streams) are compared on their own rows and gate like
// hot ones: a kernel as fast in cache but slower from memory is a regression.
TEST(Compare, ColdTimingsGateOnTheirOwnRows) {
  const auto doc = [](const std::vector<double>& hot, const std::vector<double>& cold,
                      const std::string& verdict) {
    nlohmann::json d = results_with({{"q4_K:m1n4096k14336:t1", hot}}, verdict);
    d["cases"][0]["timing"]["cold"] = {{"samples_s", cold}};
    return d;
  };
  auto slow = noisy(3e-3, 7);
  for (auto& x : slow) x *= 1.2;
  const auto old_doc = doc(noisy(1e-3, 5), noisy(3e-3, 6), "PASS");
  const auto new_doc = doc(noisy(1e-3, 8), slow, "FAIL");
  const auto r = compare_results(old_doc, new_doc, {});
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_EQ(r.cases[0].timing, "hot");
  EXPECT_FALSE(r.cases[0].significant_slowdown);
  EXPECT_TRUE(r.cases[0].new_failure);  // the verdict change, once
  EXPECT_EQ(r.cases[1].timing, "cold");
  EXPECT_TRUE(r.cases[1].significant_slowdown);
  EXPECT_NEAR(r.cases[1].ratio, 1.2, 0.03);
  EXPECT_FALSE(r.cases[1].new_failure);
  const std::string table = r.table();
  EXPECT_NE(table.find("hot "), std::string::npos) << table;
  EXPECT_NE(table.find("SLOWER"), std::string::npos) << table;

  // Same verdicts: the cold slowdown alone is the regression, and --timing hot hides it.
  const auto pass_new = doc(noisy(1e-3, 8), slow, "PASS");
  EXPECT_TRUE(compare_results(old_doc, pass_new, {}).regression());
  CompareOptions hot_only;
  hot_only.cold = false;
  const auto h = compare_results(old_doc, pass_new, hot_only);
  ASSERT_EQ(h.cases.size(), 1u);
  EXPECT_EQ(h.cases[0].timing, "hot");
  EXPECT_FALSE(h.regression());
  CompareOptions cold_only;
  cold_only.hot = false;
  EXPECT_TRUE(compare_results(old_doc, pass_new, cold_only).regression());
  // A case timed cold in one file only: its hot row alone.
  auto no_cold = pass_new;
  no_cold["cases"][0]["timing"].erase("cold");
  EXPECT_EQ(compare_results(old_doc, no_cold, {}).cases.size(), 1u);
}

TEST(Compare, NewMismatchIsARegression) {
  const auto old_doc = results_with({{"q8_0:m1n32k32:t1", {}}});
  const auto new_doc = results_with({{"q8_0:m1n32k32:t1", {}}}, "FAIL");
  EXPECT_TRUE(compare_results(old_doc, new_doc, {}).regression());
  EXPECT_FALSE(compare_results(new_doc, new_doc, {}).regression());  // failing before and after: not new
  // Every way a case can fail is a new failure after a PASS (or a SKIPPED); MISTRUSTED
  // (degenerate data) is not, as it fails no sweep.
  for (const char* now : {"ERROR", "CRASHED", "TIMEOUT"}) {
    EXPECT_TRUE(compare_results(old_doc, results_with({{"q8_0:m1n32k32:t1", {}}}, now), {}).regression())
        << now;
    EXPECT_TRUE(compare_results(results_with({{"q8_0:m1n32k32:t1", {}}}, "SKIPPED"),
                                results_with({{"q8_0:m1n32k32:t1", {}}}, now), {})
                    .regression())
        << now;
    EXPECT_FALSE(compare_results(new_doc, results_with({{"q8_0:m1n32k32:t1", {}}}, now), {}).regression())
        << "FAIL -> " << now;
  }
  EXPECT_FALSE(
      compare_results(old_doc, results_with({{"q8_0:m1n32k32:t1", {}}}, "MISTRUSTED"), {}).regression());
}

// Samples too few for the test ever to reach alpha: no verdict on speed either way, and a
// slowdown beyond the threshold among them makes the outcome inconclusive, not a pass.
TEST(Compare, TooFewSamplesCannotShowASlowdownButDoNotPassOne) {
  const auto old_doc =
      results_with({{"q8_0:m1n32k32:t1", {1.0, 1.1, 1.2}}, {"q4_0:m1n32k32:t1", {1.0, 1.1, 1.2}}});
  const auto new_doc =
      results_with({{"q8_0:m1n32k32:t1", {10.0, 11.0, 12.0}}, {"q4_0:m1n32k32:t1", {1.01, 1.11, 1.21}}});
  const auto r = compare_results(old_doc, new_doc, {});
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_TRUE(r.cases[0].untestable);
  EXPECT_TRUE(r.cases[0].untested_slowdown);
  EXPECT_FALSE(r.cases[0].significant_slowdown);
  EXPECT_TRUE(r.cases[1].untestable);
  EXPECT_FALSE(r.cases[1].untested_slowdown);  // 1 % slower: within the threshold
  EXPECT_FALSE(r.regression());
  EXPECT_EQ(r.untested_slowdowns(), 1u);
  EXPECT_EQ(r.outcome(), CompareOutcome::kInconclusive);
  const std::string table = r.table();
  EXPECT_NE(table.find(
                "UNTESTED SLOWDOWN (too few samples: n = 3 and 3 cannot give p < 0.05; rerun with --reps 4)"),
            std::string::npos)
      << table;
  EXPECT_NE(r.summary().find("INCONCLUSIVE: 1 row(s) slower by more than 5%"), std::string::npos)
      << r.summary();
  // A higher threshold takes the slowdown in: nothing left to test, no regression.
  CompareOptions lax;
  lax.slowdown_threshold = 10;
  EXPECT_EQ(compare_results(old_doc, new_doc, lax).outcome(), CompareOutcome::kNoRegression);
  // Four against four reach 2/70 < 0.05: the same slowdown is a regression.
  const auto r4 = compare_results(results_with({{"q8_0:m1n32k32:t1", {1.0, 1.1, 1.2, 1.3}}}),
                                  results_with({{"q8_0:m1n32k32:t1", {10.0, 11.0, 12.0, 13.0}}}), {});
  EXPECT_FALSE(r4.cases[0].untestable);
  EXPECT_EQ(r4.outcome(), CompareOutcome::kRegression);
  // Ties send the test to the normal approximation, whose p (0.047 here) is below the
  // exact floor of 0.1: not trusted, still untestable.
  const auto tied = compare_results(results_with({{"q8_0:m1n32k32:t1", {1.0, 1.0, 1.0}}}),
                                    results_with({{"q8_0:m1n32k32:t1", {2.0, 2.0, 2.0}}}), {});
  EXPECT_LT(tied.cases[0].p_value, 0.05);
  EXPECT_FALSE(tied.cases[0].significant_slowdown);
  EXPECT_EQ(tied.outcome(), CompareOutcome::kInconclusive);
}

// No case in both files, or none with the timings asked for: nothing passed the gate.
TEST(Compare, NothingComparedIsItsOwnOutcome) {
  const auto a = results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 1)}});
  const auto b = results_with({{"q4_0:m1n32k32:t1", noisy(1e-3, 2)}});
  const auto disjoint = compare_results(a, b, {});
  EXPECT_EQ(disjoint.outcome(), CompareOutcome::kNothingCompared);
  EXPECT_NE(disjoint.summary().find("no case is in both files (1 only in OLD, 1 only in NEW)"),
            std::string::npos)
      << disjoint.summary();
  EXPECT_EQ(compare_results(results_with({}), results_with({}), {}).outcome(),
            CompareOutcome::kNothingCompared);
  CompareOptions cold_only;
  cold_only.hot = false;
  const auto cold = compare_results(a, a, cold_only);
  EXPECT_EQ(cold.outcome(), CompareOutcome::kNothingCompared);
  EXPECT_NE(cold.summary().find("none has cold timing samples in both"), std::string::npos) << cold.summary();
  // A timed file against an untimed one (bench against check): no timing compared.
  EXPECT_EQ(compare_results(a, results_with({{"q8_0:m1n32k32:t1", {}}}), {}).outcome(),
            CompareOutcome::kNothingCompared);
  // Two untimed files (check runs): their verdicts are the comparison.
  const auto checks = results_with({{"q8_0:m1n32k32:t1", {}}});
  EXPECT_EQ(compare_results(checks, checks, {}).outcome(), CompareOutcome::kNoRegression);
  EXPECT_EQ(compare_results(checks, results_with({{"q8_0:m1n32k32:t1", {}}}, "FAIL"), {}).outcome(),
            CompareOutcome::kRegression);
}

// A case of OLD that NEW lacks is coverage lost: its own outcome (5) unless a regression
// outranks it, shown and passed with allow_missing; a case only in NEW is no loss.
TEST(Compare, CasesMissingFromNewFailTheGate) {
  const auto both =
      results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 1)}, {"q4_0:m1n32k32:t1", noisy(1e-3, 2)}});
  const auto one = results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 3)}});
  const auto lost = compare_results(both, one, {});
  EXPECT_EQ(lost.only_old, std::vector<std::string>{"q4_0:m1n32k32:t1"});
  EXPECT_EQ(lost.missing_cases(), 1u);
  EXPECT_EQ(lost.outcome(), CompareOutcome::kMissingCases);
  EXPECT_NE(lost.summary().find("MISSING CASES: 1 case(s) of OLD are not in NEW"), std::string::npos)
      << lost.summary();
  EXPECT_EQ(compare_results(one, both, {}).outcome(), CompareOutcome::kNoRegression);  // gained
  CompareOptions allow;
  allow.allow_missing = true;
  const auto allowed = compare_results(both, one, allow);
  EXPECT_EQ(allowed.outcome(), CompareOutcome::kNoRegression);
  EXPECT_NE(allowed.summary().find("1 case(s) of OLD not in NEW, allowed by --allow-missing"),
            std::string::npos)
      << allowed.summary();
  // A regression among the cases left outranks the loss.
  const auto slow = results_with({{"q8_0:m1n32k32:t1", noisy(1e-2, 4)}});
  EXPECT_EQ(compare_results(both, slow, {}).outcome(), CompareOutcome::kRegression);
}

// A results file edited by hand or written by another tool: each field the readers take
// for granted is checked where the file is read, the case and field named, the bad value
// escaped; the same file with the field as the lab writes it is read.
TEST(ResultsFile, MalformedRecordsAreRefusedWhereTheFileIsRead) {
  const std::string path = ::testing::TempDir() + "/amxlab-malformed-results.json";
  const auto refused = [&](const nlohmann::json& doc) {
    std::ofstream(path) << doc.dump();
    try {
      (void)read_results(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(read)");
  };
  const auto good = results_with({{"q8_0:m1n32k32:t1", {1e-3, 2e-3}}});
  EXPECT_EQ(refused(good), "(read)");
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> bad = {
      {[](nlohmann::json& d) { d["cases"][0]["descriptor"] = 7; }, "case 0: no descriptor string"},
      {[](nlohmann::json& d) { d["cases"][0] = "q8_0:m1n32k32:t1"; }, "case 0: not a JSON object"},
      {[](nlohmann::json& d) { d["cases"][0]["verdict"] = 3; }, "case 0: verdict 3 is none of PASS"},
      {[](nlohmann::json& d) { d["cases"][0]["verdict"] = "PASS\x1b[2J"; },
       "verdict \"PASS\\\\u001b[2J\" is none of PASS"},
      {[](nlohmann::json& d) { d["cases"][0]["timing"]["hot"]["samples_s"] = {-1, -1}; },
       "timing.hot.samples_s holds -1, not a time in seconds"},
      {[](nlohmann::json& d) { d["cases"][0]["timing"]["hot"]["samples_s"] = {0.0}; }, "samples_s holds 0.0"},
      {[](nlohmann::json& d) { d["cases"][0]["timing"]["hot"]["samples_s"] = 5; },
       "samples_s is not an array"},
      {[](nlohmann::json& d) { d["cases"][0]["timing"]["cold"] = "fast"; }, "timing.cold is not an object"},
      {[](nlohmann::json& d) { d["cases"][0]["sources"] = {{"weights", 1}}; },
       "sources.weights is not a string"},
      {[](nlohmann::json& d) { d["cases"].push_back(d["cases"][0]); },
       "case 1: q8_0:m1n32k32:t1 is in the file twice"},
      {[](nlohmann::json& d) { d["build"] = "x"; }, "\"build\" is not an object"},
      {[](nlohmann::json& d) { d["run"] = 1; }, "\"run\" is not an object"},
      {[](nlohmann::json& d) { d["schema_version"] = 1.5; }, "schema_version 1.5 is not supported"},
      {[](nlohmann::json& d) { d["schema_version"] = "1"; }, "schema_version \"1\" is not supported"},
  };
  for (const auto& [edit, says] : bad) {
    auto doc = good;
    edit(doc);
    const std::string e = refused(doc);
    EXPECT_NE(e.find(says), std::string::npos) << "expected \"" << says << "\" in: " << e;
    EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
  }
  // 10^5 nested arrays under a key no reader looks at: valid JSON, refused while parsing
  // (a recursive walk of it would exhaust the stack).
  {
    std::string text = good.dump();
    text.pop_back();
    std::ofstream(path) << text << ", \"x\": " << std::string(100000, '[') << std::string(100000, ']') << "}";
  }
  try {
    (void)read_results(path);
    ADD_FAILURE() << "a document nested 10^5 deep was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64 levels"), std::string::npos) << e.what();
  }
  // A FIFO nobody writes to: read as empty (not JSON), not waited on forever.
  const std::string fifo = path + ".fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  try {
    (void)read_results(fifo);
    ADD_FAILURE() << "a FIFO was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
  std::remove(fifo.c_str());
  std::remove(path.c_str());
}

TEST(Compare, OptionsOutOfRangeAreErrors) {
  const auto doc = results_with({{"q8_0:m1n32k32:t1", noisy(1e-3, 1)}});
  for (const auto& [threshold, alpha] :
       {std::pair{-1.0, 0.05}, std::pair{std::nan(""), 0.05}, std::pair{0.05, 5.0}, std::pair{0.05, 0.0},
        std::pair{0.05, 1.0}, std::pair{0.05, std::nan("")}}) {
    CompareOptions o;
    o.slowdown_threshold = threshold;
    o.alpha = alpha;
    const std::string msg = amxlab::testing::error_of([&] { compare_results(doc, doc, o); });
    EXPECT_NE(msg.find(threshold >= 0 ? "--alpha" : "--threshold"), std::string::npos) << msg;
  }
  CompareOptions zero;
  zero.slowdown_threshold = 0;  // any significant slowdown counts
  EXPECT_EQ(compare_results(doc, doc, zero).outcome(), CompareOutcome::kNoRegression);
}

// Two `amxlab model` results: the projection's totals old -> new, the rounds' ranges,
// a note when the projections differ in model or threads; nothing for plain results.
TEST(Compare, ModelProjectionsAreSetSideBySide) {
  const auto with_model = [](double decode, const std::string& source, int threads, bool rounds) {
    nlohmann::json doc = results_with({{"q4_0:m1n32k32:t1", noisy(1e-3, 1)}});
    nlohmann::json side = {{"decode_ms_per_token", decode},
                           {"decode_hot_ms_per_token", decode / 2},
                           {"prefill_ms_per_token", 20.0}};
    doc["model"] = {{"inventory", {{"source", source}}},
                    {"projection", {{"threads", threads}, {"ours", side}, {"onednn", side}}}};
    if (rounds)
      doc["model"]["projection"]["rounds"] = {
          {"rounds", 3},
          {"ours", {{"decode_ms_per_token", {{"min", 60.0}, {"median", 68.0}, {"max", 110.4}}}}}};
    return doc;
  };
  const auto old_doc = with_model(68.0, "manifest llama", 2, true);
  const auto new_doc = with_model(85.0, "manifest llama", 2, false);
  const std::string table = compare_results(old_doc, new_doc, {}).table();
  EXPECT_NE(table.find("ours    decode      68.000 (rounds 60.000..110.400) -> 85.000  (x1.250)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("onednn  prefill     20.000 -> 20.000  (x1.000)"), std::string::npos) << table;
  EXPECT_EQ(table.find("different projections"), std::string::npos) << table;
  const auto lines = model_lines(old_doc, with_model(68.0, "manifest qwen\x1b", 1, false));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1],
            "  different projections: manifest llama at 2 threads -> manifest qwen\\x1b at 1 threads");
  EXPECT_TRUE(model_lines(results_with({}), new_doc).empty());
  EXPECT_EQ(compare_results(results_with({}), new_doc, {}).table().find("model projection"),
            std::string::npos);
}

// Descriptors, verdicts and build strings are read from the files: shown escaped.
TEST(Compare, StringsFromTheFilesArePrintedEscaped) {
  const std::string evil = "q8_0\x1b[31m:m1n32k32:t1";
  const auto old_doc = results_with({{evil, noisy(1e-3, 1)}, {"only\xc2\x9b:old", noisy(1e-3, 2)}});
  auto new_doc = results_with({{evil, noisy(1e-3, 3)}}, "FAIL\x07");
  const std::string table = compare_results(old_doc, new_doc, {}).table();
  EXPECT_NE(table.find("q8_0\\x1b[31m:m1n32k32:t1"), std::string::npos) << table;
  EXPECT_NE(table.find("FAIL\\x07"), std::string::npos) << table;
  EXPECT_NE(table.find("only in OLD: only\\xc2\\x9b:old"), std::string::npos) << table;
  EXPECT_EQ(amxlab::testing::raw_byte_in(table), "") << table;

  const auto other = results_with({{"q4_0:m1n32k32:t1", noisy(1e-3, 4)}}, "PASS", "\x1b]0;x\x07");
  const std::string msg =
      amxlab::testing::error_of([&] { merge_results({{"a.json", old_doc}, {"b.json", other}}, false); });
  EXPECT_NE(msg.find("\\x1b]0;x\\x07"), std::string::npos) << msg;
  EXPECT_EQ(amxlab::testing::raw_byte_in(msg), "") << msg;
  const std::string twice =
      amxlab::testing::error_of([&] { merge_results({{"a.json", old_doc}, {"c.json", old_doc}}, false); });
  EXPECT_NE(twice.find("q8_0\\x1b[31m"), std::string::npos) << twice;
  EXPECT_EQ(amxlab::testing::raw_byte_in(twice), "") << twice;
}

TEST(Merge, JoinsShardsAndRefusesOtherBuilds) {
  const auto a = results_with({{"q8_0:m1n32k32:t1", {1.0}}});
  const auto b = results_with({{"q8_0:m2n32k32:t1", {1.0}}});
  const auto m = merge_results({{"a.json", a}, {"b.json", b}}, false);
  EXPECT_EQ(m["cases"].size(), 2u);
  const auto other = results_with({{"q8_0:m3n32k32:t1", {1.0}}}, "PASS", "def");
  EXPECT_THROW(merge_results({{"a.json", a}, {"c.json", other}}, false), Error);
  EXPECT_EQ(merge_results({{"a.json", a}, {"c.json", other}}, true)["cases"].size(), 2u);
  EXPECT_THROW(merge_results({{"a.json", a}, {"a2.json", a}}, false), Error);  // overlapping shards
}

// A case is its descriptor and the data it ran on: one descriptor on two tensors (amxlab
// model --real-weights) is two cases to merge and to compare, and seeded data is a third.
TEST(Merge, CasesOnOtherTensorsAreOtherCases) {
  const std::string d = "q8_0:m1n512k256:t2";
  EXPECT_EQ(case_key(d, nullptr), d);
  EXPECT_EQ(case_key(d, {{"weights", "m.gguf:q"}, {"routing", "r.npy"}}),
            d + " (weights=m.gguf:q, routing=r.npy)");
  const auto on = [&](const char* tensor, double s) {
    auto doc = results_with({{d, {s}}});
    if (tensor != nullptr) doc["cases"][0]["sources"] = {{"weights", std::string("m.gguf:") + tensor}};
    return doc;
  };
  const auto q = on("blk.0.attn_q.weight", 1.0), o = on("blk.0.attn_output.weight", 1.0),
             seeded = on(nullptr, 1.0);
  EXPECT_EQ(merge_results({{"q.json", q}, {"o.json", o}, {"s.json", seeded}}, false)["cases"].size(), 3u);
  EXPECT_THROW(merge_results({{"q.json", q}, {"q2.json", on("blk.0.attn_q.weight", 2.0)}}, false), Error);
  const auto r = compare_results(q, o, {});
  EXPECT_EQ(r.only_old, std::vector<std::string>{record_key(q["cases"][0])});
  EXPECT_EQ(r.only_new, std::vector<std::string>{d + " (weights=m.gguf:blk.0.attn_output.weight)"});
}

// Shards: every index once, each complete; otherwise the error names them all.
TEST(Merge, NamesMissingAndIncompleteShards) {
  const auto shard = [](int i, int n, int cases, int planned, bool ended) {
    nlohmann::json d = results_with({});
    d["cases"] = nlohmann::json::array();
    for (int c = 0; c < cases; ++c)
      d["cases"].push_back({{"descriptor", "q8_0:m" + std::to_string(1 + i * 10 + c) + "n32k32:t1"}});
    d["run"] = {{"shard", std::to_string(i) + "/" + std::to_string(n)}, {"cases_planned", planned}};
    if (ended) d["run_end"] = {{"interrupted", false}, {"cases_in_file", cases}};
    return d;
  };
  const auto ok = merge_results(
      {{"s0", shard(0, 3, 2, 2, true)}, {"s1", shard(1, 3, 2, 2, true)}, {"s2", shard(2, 3, 1, 1, true)}},
      false);
  EXPECT_EQ(ok["cases"].size(), 5u);
  // The merged header describes the whole: no shard, the parts' plans summed, every case
  // counted; merging it again is a merge of one whole file.
  EXPECT_EQ(ok["run"]["shard"], "");
  EXPECT_EQ(ok["run"]["cases_planned"], 5);
  EXPECT_EQ(ok["run_end"]["cases_in_file"], 5);
  EXPECT_FALSE(ok["run_end"]["interrupted"].get<bool>());
  EXPECT_EQ(merge_results({{"merged", ok}}, false)["cases"].size(), 5u);
  const std::string msg = amxlab::testing::error_of([&] {
    merge_results(
        {{"s0", shard(0, 4, 2, 2, true)}, {"s2", shard(2, 4, 1, 2, true)}, {"s3", shard(3, 4, 1, 2, false)}},
        false);
  });
  EXPECT_NE(msg.find("shards of 4: missing 1; incomplete 2 (s2: 1 of 2 cases); 3 (s3: no run_end (the run "
                     "was cut off))"),
            std::string::npos)
      << msg;
  const auto partial =
      merge_results({{"s0", shard(0, 4, 2, 2, true)}, {"s3", shard(3, 4, 1, 2, false)}}, false, true);
  EXPECT_EQ(partial["cases"].size(), 3u);
  EXPECT_EQ(partial["run"]["shard"], "partial 0,3 of 4");
  EXPECT_TRUE(partial["run_end"]["interrupted"].get<bool>()) << "s3 has no run_end";
  EXPECT_NE(amxlab::testing::error_of([&] {
              merge_results({{"s0", shard(0, 2, 1, 1, true)}, {"t0", shard(0, 2, 1, 1, true)}}, false);
            }).find("shard 0/2 given twice"),
            std::string::npos);
}

// What makes two headers parts of one sweep: mode, shard, the options that change
// results; not timestamps, machine, timeout, isolation or a shard's own case count.
TEST(SameSweep, ComparesWhatDefinesTheSweepOnly) {
  const auto header = [](const std::string& mode, const std::string& shard) {
    nlohmann::json d = results_with({});
    d["calibration"] = nullptr;
    d["machine"] = {{"cpu", {{"model", "A"}}}};
    d["run"] = {{"mode", mode},
                {"started", "2026-01-01T00:00:00"},
                {"isa_cap", "amx"},
                {"omp_wait_policy", "passive"},
                {"isolated", true},
                {"hugepages", true},
                {"shard", shard},
                {"cases_planned", 4},
                {"dropped_combinations", nlohmann::json::array()}};
    return d;
  };
  const auto a = header("bench", "0/3");
  auto same = header("bench", "0/3");
  same["run"]["started"] = "2026-02-02T00:00:00";
  same["run"]["isolated"] = false;
  same["run"]["cases_planned"] = 3;
  same["machine"]["cpu"]["model"] = "B";
  EXPECT_FALSE(sweep_difference(a, same, ShardRule::kWhole));
  EXPECT_FALSE(sweep_difference(a, header("bench", "2/3"), ShardRule::kCount));
  const auto shard_whole = sweep_difference(a, header("bench", "2/3"), ShardRule::kWhole);
  ASSERT_TRUE(shard_whole);
  EXPECT_EQ(shard_whole->field, "run.shard");
  EXPECT_EQ(shard_whole->b, "\"2/3\"");
  const auto count = sweep_difference(a, header("bench", "0/4"), ShardRule::kCount);
  ASSERT_TRUE(count);
  EXPECT_EQ(count->field, "run.shard (the shard count)");
  const auto none = sweep_difference(a, header("bench", ""), ShardRule::kWhole);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->b, "none");
  const auto mode = sweep_difference(a, header("check", "0/3"), ShardRule::kCount);
  ASSERT_TRUE(mode);
  EXPECT_EQ(mode->field, "run.mode");
  EXPECT_EQ(mode->a, "\"bench\"");
  EXPECT_EQ(mode->b, "\"check\"");
  for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"isa_cap", "avx2"},
                                   {"hugepages", false},
                                   {"omp_wait_policy", "(unset)"},
                                   {"dropped_combinations", {"q4_K with k=64"}}}) {
    auto other = header("bench", "1/3");
    other["run"][key] = value;
    const auto d = sweep_difference(a, other, ShardRule::kCount);
    ASSERT_TRUE(d) << key;
    EXPECT_EQ(d->field, "run." + key);
  }
  auto calibrated = header("bench", "0/3");
  calibrated["calibration"] = {{"peak", 1}};
  const auto cal = sweep_difference(a, calibrated, ShardRule::kWhole);
  ASSERT_TRUE(cal);
  EXPECT_EQ(cal->field, "calibration");
  EXPECT_EQ(cal->a, "none");
  // A field one header lacks (an older build) is not compared; strings are escaped.
  auto older = header("bench", "0/3");
  older["run"].erase("omp_wait_policy");
  older["run"]["omp_wait_policy_x"] = 1;
  EXPECT_FALSE(sweep_difference(a, older, ShardRule::kWhole));
  const auto evil = sweep_difference(a, header("b\x1b[2J", "0/3"), ShardRule::kWhole);
  ASSERT_TRUE(evil);
  EXPECT_EQ(amxlab::testing::raw_byte_in(evil->b), "") << evil->b;
}

TEST(Merge, RefusesPartsOfDifferentSweeps) {
  const auto shard = [](int i, const std::string& mode) {
    nlohmann::json d = results_with({{"q8_0:m" + std::to_string(i + 1) + "n32k32:t1", {1.0}}});
    d["run"] = {{"mode", mode}, {"shard", std::to_string(i) + "/2"}, {"cases_planned", 1}};
    d["run_end"] = {{"interrupted", false}};
    return d;
  };
  EXPECT_EQ(merge_results({{"s0", shard(0, "bench")}, {"s1", shard(1, "bench")}}, false)["cases"].size(), 2u);
  const std::string msg = amxlab::testing::error_of(
      [&] { merge_results({{"s0", shard(0, "bench")}, {"s1", shard(1, "check")}}, false, true); });
  EXPECT_NE(
      msg.find("merge: s1 and s0 are not parts of one sweep: run.mode is \"check\" in s1, \"bench\" in s0"),
      std::string::npos)
      << msg;
  // Neither --allow-different-builds nor --allow-partial lets them through.
  EXPECT_THROW(merge_results({{"s0", shard(0, "bench")}, {"s1", shard(1, "check")}}, true, true), Error);
}

}  // namespace
}  // namespace amxlab::harness
