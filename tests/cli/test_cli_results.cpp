// `amxlab compare`, `amxlab merge` and `--resume` end to end, through the amxlab binary:
// compare cannot pass what it cannot test (too few samples, nothing in common, no timings
// of the kind asked for) and rejects bad --threshold / --alpha; merge and --resume refuse
// files of another sweep (mode, shard, the options that change results) and leave the
// file as it was.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/cli/cli_util.h"

namespace amxlab::testing {
namespace {

// One tiny case family: golden kernel, no oneDNN, no cold timings, short timing.
const std::string kCases = "--kernel golden --type q8_0 --m 1,2,3 --n 16 --k 64 --no-onednn";
const std::string kQuick = "--reps 1 --min-time 0.005 --no-cold";

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_json(const std::string& path, const nlohmann::json& doc) {
  std::ofstream(path) << doc.dump(1);
}

// `doc` with every hot sample multiplied by `factor` and cut to the first `keep`.
nlohmann::json with_samples(nlohmann::json doc, double factor, size_t keep) {
  for (auto& c : doc["cases"]) {
    auto& s = c["timing"]["hot"]["samples_s"];
    nlohmann::json cut = nlohmann::json::array();
    for (size_t i = 0; i < s.size() && i < keep; ++i) cut.push_back(s[i].get<double>() * factor);
    s = cut;
  }
  return doc;
}

TEST(CliResults, CompareCannotPassASlowdownItCannotTest) {
  const std::string base = temp_file("cmp-base.json");
  const auto bench = run_amxlab(
      "bench --kernel golden --type q8_0 --m 1 --n 16 --k 64 --no-onednn --no-cold --reps 5 "
      "--min-time 0.005 --out " +
      base);
  ASSERT_EQ(bench.status, 0) << bench.output;
  const auto doc = read_json(base);
  ASSERT_EQ(doc["cases"][0]["timing"]["hot"]["samples_s"].size(), 5u);
  const std::string b3 = temp_file("cmp-b3.json"), b3_slow = temp_file("cmp-b3-slow.json");
  const std::string b5 = temp_file("cmp-b5.json"), b5_slow = temp_file("cmp-b5-slow.json");
  write_json(b3, with_samples(doc, 1, 3));
  write_json(b3_slow, with_samples(doc, 10, 3));
  write_json(b5, with_samples(doc, 1, 5));
  write_json(b5_slow, with_samples(doc, 10, 5));

  // Three against three can never give p < 0.05 (2 / C(6, 3) = 0.1): ten times slower is
  // not "no regression" but inconclusive, with the --reps that can decide.
  const auto few = run_amxlab("compare " + b3 + " " + b3_slow);
  EXPECT_EQ(few.status, 3) << few.output;
  EXPECT_NE(few.output.find("UNTESTED SLOWDOWN (too few samples: n = 3 and 3 cannot give p < 0.05; rerun "
                            "with --reps 4)"),
            std::string::npos)
      << few.output;
  EXPECT_NE(few.output.find("INCONCLUSIVE:"), std::string::npos) << few.output;
  EXPECT_EQ(few.output.find("no regression"), std::string::npos) << few.output;
  // At --alpha 0.01 the count it asks for grows (2 / C(10, 5) < 0.01).
  const auto strict = run_amxlab("compare --alpha 0.01 " + b3 + " " + b3_slow);
  EXPECT_EQ(strict.status, 3) << strict.output;
  EXPECT_NE(strict.output.find("cannot give p < 0.01; rerun with --reps 5"), std::string::npos)
      << strict.output;
  // The same three against themselves: untestable, but not slower, so no regression.
  const auto same = run_amxlab("compare " + b3 + " " + b3);
  EXPECT_EQ(same.status, 0) << same.output;
  EXPECT_NE(same.output.find("no regression (1 row(s) with too few samples to test"), std::string::npos)
      << same.output;
  // Five against five can: the slowdown is a regression.
  const auto enough = run_amxlab("compare " + b5 + " " + b5_slow);
  EXPECT_EQ(enough.status, 1) << enough.output;
  EXPECT_NE(enough.output.find("SLOWER"), std::string::npos) << enough.output;
  EXPECT_NE(enough.output.find("REGRESSION:"), std::string::npos) << enough.output;
  EXPECT_EQ(run_amxlab("compare " + b5 + " " + b5).status, 0);

  // A new mismatch stays a regression (exit 1) even where the timing cannot be tested.
  auto failing = with_samples(doc, 10, 3);
  failing["cases"][0]["verdict"] = "FAIL";
  write_json(b3_slow, failing);
  const auto mismatch = run_amxlab("compare " + b3 + " " + b3_slow);
  EXPECT_EQ(mismatch.status, 1) << mismatch.output;
  EXPECT_NE(mismatch.output.find("NEW FAILURE (PASS -> FAIL)"), std::string::npos) << mismatch.output;
}

TEST(CliResults, CompareOfNothingIsNotAPassAndBadOptionsAreErrors) {
  const std::string bench = temp_file("nothing-bench.json"), check = temp_file("nothing-check.json");
  ASSERT_EQ(run_amxlab("bench --kernel golden --type q8_0 --m 1 --n 16 --k 64 --no-onednn " + kQuick +
                       " --out " + bench)
                .status,
            0);
  ASSERT_EQ(
      run_amxlab("check --kernel golden --type q4_0 --m 1 --n 16 --k 64 --no-onednn --no-isolate --out " +
                 check)
          .status,
      0);
  const auto disjoint = run_amxlab("compare " + bench + " " + check);
  EXPECT_EQ(disjoint.status, 4) << disjoint.output;
  EXPECT_NE(disjoint.output.find("NOTHING COMPARED: no case is in both files (1 only in OLD, 1 only in NEW)"),
            std::string::npos)
      << disjoint.output;
  // --no-cold: no cold timings to compare.
  const auto cold = run_amxlab("compare --timing cold " + bench + " " + bench);
  EXPECT_EQ(cold.status, 4) << cold.output;
  EXPECT_NE(cold.output.find("none has cold timing samples in both"), std::string::npos) << cold.output;
  // Two check runs: their verdicts are compared, which is a comparison.
  EXPECT_EQ(run_amxlab("compare " + check + " " + check).status, 0);
  // A NEW that ran fewer cases than OLD lost coverage: exit 5, or 0 with --allow-missing.
  const std::string wider = temp_file("nothing-wider.json");
  ASSERT_EQ(
      run_amxlab("check --kernel golden --type q4_0 --m 1,2 --n 16 --k 64 --no-onednn --no-isolate --out " +
                 wider)
          .status,
      0);
  const auto lost = run_amxlab("compare " + wider + " " + check);
  EXPECT_EQ(lost.status, 5) << lost.output;
  EXPECT_NE(lost.output.find("only in OLD: q4_0:m2n16k64"), std::string::npos) << lost.output;
  EXPECT_NE(lost.output.find("MISSING CASES: 1 case(s) of OLD are not in NEW"), std::string::npos)
      << lost.output;
  const auto allowed = run_amxlab("compare --allow-missing " + wider + " " + check);
  EXPECT_EQ(allowed.status, 0) << allowed.output;
  EXPECT_EQ(run_amxlab("compare " + check + " " + wider).status, 0) << "a case gained is no loss";
  std::remove(wider.c_str());

  for (const auto& [flag, says] :
       {std::pair{"--threshold -1", "--threshold -1: the relative slowdown that counts must be 0 or more"},
        std::pair{"--alpha 5", "--alpha 5: the significance level must lie strictly between 0 and 1"},
        std::pair{"--alpha 0", "--alpha 0: the significance level must lie strictly between 0 and 1"}}) {
    const auto r = run_amxlab("compare " + std::string(flag) + " " + bench + " " + bench);
    EXPECT_EQ(r.status, 2) << flag << ": " << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << r.output;
  }
}

TEST(CliResults, MergeRefusesPartsOfAnotherSweep) {
  const std::string bench = "bench " + kCases + " " + kQuick;
  std::string sh[3];
  for (int i = 0; i < 3; ++i) {
    sh[i] = temp_file("sweep-sh-" + std::to_string(i) + ".json");
    ASSERT_EQ(run_amxlab(bench + " --shard " + std::to_string(i) + "/3 --out " + sh[i]).status, 0);
  }
  const std::string merged = temp_file("sweep-merged.json");
  const auto ok = run_amxlab("merge " + sh[0] + " " + sh[1] + " " + sh[2] + " -o " + merged);
  ASSERT_EQ(ok.status, 0) << ok.output;
  EXPECT_EQ(read_json(merged)["cases"].size(), 3u);

  // Shard 1/3 of a sweep with another option (4 KiB pages), and of a check sweep.
  const std::string pages = temp_file("other-pages-1.json"), checked = temp_file("other-check-1.json");
  ASSERT_EQ(run_amxlab(bench + " --no-hugepages --shard 1/3 --out " + pages).status, 0);
  ASSERT_EQ(run_amxlab("check " + kCases + " --no-isolate --shard 1/3 --out " + checked).status, 0);
  const std::string refused = temp_file("sweep-refused.json");
  const auto r = run_amxlab("merge " + sh[0] + " " + pages + " " + sh[2] + " -o " + refused);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(
      r.output.find(pages + " and " + sh[0] + " are not parts of one sweep: run.hugepages is false in " +
                    pages + ", true in " + sh[0]),
      std::string::npos)
      << r.output;
  const auto m = run_amxlab("merge " + sh[0] + " " + checked + " " + sh[2] + " -o " + refused);
  EXPECT_EQ(m.status, 2) << m.output;
  EXPECT_NE(m.output.find("run.mode is \"check\" in " + checked + ", \"bench\" in " + sh[0]),
            std::string::npos)
      << m.output;
  // --allow-partial is about missing shards, not other sweeps.
  EXPECT_EQ(run_amxlab("merge --allow-partial " + sh[0] + " " + checked + " -o " + refused).status, 2);
  // A shard with a file of the whole sweep: the shard counts differ.
  const std::string whole = temp_file("sweep-whole.json");
  ASSERT_EQ(run_amxlab(bench + " --out " + whole).status, 0);
  const auto w = run_amxlab("merge --allow-partial " + sh[0] + " " + whole + " -o " + refused);
  EXPECT_EQ(w.status, 2) << w.output;
  EXPECT_NE(w.output.find("run.shard (the shard count) is none in " + whole + ", \"0/3\" in " + sh[0]),
            std::string::npos)
      << w.output;
  EXPECT_FALSE(std::ifstream(refused).good()) << "a refused merge wrote its output";
}

TEST(CliResults, ResumeRefusesAFileOfAnotherSweepAndLeavesItUnchanged) {
  // A check file resumed by bench: every descriptor is in it, so bench would time nothing.
  const std::string smoke = temp_file("resume-smoke.json");
  ASSERT_EQ(run_amxlab("check " + kCases + " --no-isolate --out " + smoke).status, 0);
  const std::string before = file_text(smoke);
  const auto r = run_amxlab("bench " + kCases + " " + kQuick + " --resume " + smoke);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(
      r.output.find("--resume " + smoke +
                    ": the file was made by another sweep: run.mode is \"check\" in the file, \"bench\" in "
                    "this run"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("write a new file with --out"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("already in the file"), std::string::npos) << r.output;
  // Nor the sweep's banner ("amxlab bench: N case(s) -> FILE"): nothing runs.
  EXPECT_EQ(r.output.find("case(s) -> "), std::string::npos) << r.output;
  EXPECT_EQ(file_text(smoke), before);

  // A shard's file resumed without --shard, and with another shard.
  const std::string shard = temp_file("resume-shard.json");
  const std::string bench = "bench " + kCases + " " + kQuick;
  ASSERT_EQ(run_amxlab(bench + " --shard 0/3 --out " + shard).status, 0);
  const std::string shard_before = file_text(shard);
  const auto unsharded = run_amxlab(bench + " --resume " + shard);
  EXPECT_EQ(unsharded.status, 2) << unsharded.output;
  EXPECT_NE(unsharded.output.find("run.shard is \"0/3\" in the file, none in this run"), std::string::npos)
      << unsharded.output;
  const auto other = run_amxlab(bench + " --shard 1/3 --resume " + shard);
  EXPECT_EQ(other.status, 2) << other.output;
  EXPECT_NE(other.output.find("run.shard is \"0/3\" in the file, \"1/3\" in this run"), std::string::npos)
      << other.output;
  const auto pages = run_amxlab(bench + " --shard 0/3 --no-hugepages --resume " + shard);
  EXPECT_EQ(pages.status, 2) << pages.output;
  EXPECT_NE(pages.output.find("run.hugepages is true in the file, false in this run"), std::string::npos)
      << pages.output;
  EXPECT_EQ(file_text(shard), shard_before);

  // Other timing settings, or another case list, are another sweep too.
  const auto reps =
      run_amxlab("bench " + kCases + " --reps 2 --min-time 0.005 --no-cold --shard 0/3 --resume " + shard);
  EXPECT_EQ(reps.status, 2) << reps.output;
  EXPECT_NE(reps.output.find("run.timing is"), std::string::npos) << reps.output;
  const auto cases = run_amxlab("bench --kernel golden --type q8_0 --m 1,2,4 --n 16 --k 64 --no-onednn " +
                                kQuick + " --shard 0/3 --resume " + shard);
  EXPECT_EQ(cases.status, 2) << cases.output;
  EXPECT_NE(cases.output.find("run.sweep_digest is"), std::string::npos) << cases.output;
  EXPECT_EQ(file_text(shard), shard_before);

  // The same sweep resumes (--no-isolate: what bench does anyway, so the same sweep).
  const auto same = run_amxlab(bench + " --shard 0/3 --no-isolate --resume " + shard);
  EXPECT_EQ(same.status, 0) << same.output;
  EXPECT_NE(same.output.find("0 case(s) run, 1 already in the file"), std::string::npos) << same.output;
}

}  // namespace
}  // namespace amxlab::testing
