// Thread and weight placement through the amxlab binary on this machine: the observed
// page placement is recorded with every registry-kernel case; a placement backend that
// lies fails the case (with a reproducer that plants the same lie); policies this
// one-node machine cannot realise are SKIPPED with their reason and a node that does
// not exist is an ERROR naming the nodes; the golden model refuses placements it cannot
// honour; `amxlab numa` sweeps policies x threads and writes GB/s with the placement.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "tests/cli/cli_util.h"

namespace amxlab::testing {
namespace {

std::map<std::string, nlohmann::json> by_descriptor(const nlohmann::json& doc) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& c : doc["cases"]) out[c["descriptor"].get<std::string>()] = c;
  return out;
}

TEST(CliNuma, ObservedPlacementIsRecordedForEveryPolicy) {
  const auto [r, doc] = run_sweep_to_json(
      "check --type q8_0 --m 3 --n 80 --k 64 --threads 1,2 --kernel auto --numa "
      "local,bind.0,replicate,remote "
      "--place compact,scatter --no-onednn");
  ASSERT_TRUE(doc.is_object()) << r.output;
  auto cases = by_descriptor(doc);
  ASSERT_EQ(cases.size(), 16u) << r.output;
  // A node this machine lacks: on the command line, an error before anything runs; in a
  // descriptor (a batch file written for another machine), that case's ERROR.
  const auto refused = run_amxlab("check --type q8_0 --m 3 --n 80 --k 64 --numa local,bind.9 --no-onednn");
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find("--numa: bind.9: NUMA node 9 does not exist here"), std::string::npos)
      << refused.output;
  const auto [r9, doc9] = run_sweep_to_json(
      "check --no-onednn --case q8_0:m3n80k64:t1:numa=bind.9 --case "
      "q8_0:m3n80k64:t2:place=scatter:numa=bind.9");
  ASSERT_TRUE(doc9.is_object()) << r9.output;
  for (const auto& [d, c] : by_descriptor(doc9)) cases[d] = c;
  ASSERT_EQ(cases.size(), 18u) << r9.output;
  const bool one_node = doc["machine"]["topology"]["numa_nodes"].size() == 1;
  for (const auto& [d, c] : cases) {
    const std::string policy = c["numa"]["policy"].get<std::string>();
    if (policy == "bind.9") {
      EXPECT_EQ(c["verdict"], "ERROR") << d;
      EXPECT_NE(c["reason"].get<std::string>().find("NUMA node 9 does not exist"), std::string::npos) << d;
      continue;
    }
    // remote needs a node with memory that runs no worker: never on one node, and not
    // when scatter puts the workers on every node of a multi-node machine.
    if (policy == "remote" && c["verdict"] == "SKIPPED") {
      EXPECT_NE(c.value("reason", std::string()).find("cannot be realised here"), std::string::npos) << d;
      EXPECT_TRUE(one_node || d.find(":place=scatter") != std::string::npos)
          << d << ": remote skipped on a machine of several nodes, where only scatter may leave none free";
      continue;
    }
    EXPECT_FALSE(one_node && policy == "remote") << d << " ran on a one-node machine";
    ASSERT_EQ(c["verdict"], "PASS") << d << ": " << c.value("reason", std::string());
    ASSERT_TRUE(c["numa"].contains("status")) << d;
    EXPECT_EQ(c["numa"]["status"], "verified") << d;
    EXPECT_EQ(c["numa"]["backend"], "move_pages") << d;
    EXPECT_EQ(c["numa"]["untouched"], 0) << d;
    EXPECT_GT(c["numa"]["pages"].get<int>(), 0) << d;
    double total = 0;
    for (const auto& [node, f] : c["numa"]["observed"].items()) total += f.get<double>();
    EXPECT_NEAR(total, 1.0, 1e-9) << d;
    if (one_node) {
      EXPECT_EQ(c["numa"]["observed"]["0"], 1.0) << d;
    }
    EXPECT_NE(c["numa"]["workers"].get<std::string>().find("w0 cpu"), std::string::npos) << d;
  }
}

TEST(CliNuma, ALyingPlacementBackendFailsTheCase) {
  int status = 0;
  const auto c = run_single_case(
      "check --case q8_0:m3n40k64:t2:kernel=auto:numa=bind.0 --page-query lie:1 --no-onednn", &status);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(c["verdict"], "FAIL");
  EXPECT_NE(c["reason"].get<std::string>().find("NUMA placement differs from numa=bind.0"), std::string::npos)
      << c["reason"];
  EXPECT_EQ(c["numa"]["status"], "mismatch");
  EXPECT_EQ(c["numa"]["observed"]["1"], 1.0);
  EXPECT_NE(c["reproducer"].get<std::string>().find("--page-query lie:1"), std::string::npos)
      << c["reproducer"];
}

// Without move_pages (a kernel without NUMA, a seccomp profile): numa=local still runs,
// marked unverified; a policy that promised a placement is an ERROR.
TEST(CliNuma, WithoutPageQueriesLocalRunsUnverifiedAndBindIsAnError) {
  const auto local =
      run_single_case("check --case q8_0:m3n40k64:t1:kernel=auto --page-query unavailable --no-onednn");
  EXPECT_EQ(local["verdict"], "PASS") << local.value("reason", std::string());
  EXPECT_EQ(local["numa"]["status"], "unverified");
  EXPECT_NE(local["numa"]["reason"].get<std::string>().find("cannot be read"), std::string::npos);
  const auto bind = run_single_case(
      "check --case q8_0:m3n40k64:t1:kernel=auto:numa=bind.0 --page-query unavailable --no-onednn");
  EXPECT_EQ(bind["verdict"], "ERROR");
  EXPECT_NE(bind.value("reason", std::string()).find("simulated"), std::string::npos) << bind.dump();
}

TEST(CliNuma, GoldenRefusesAPlacementItCannotHonour) {
  const auto c = run_single_case("check --case q8_0:m3n40k64:t1:kernel=golden:place=scatter --no-onednn");
  EXPECT_EQ(c["verdict"], "SKIPPED");
  EXPECT_NE(c["reason"].get<std::string>().find("runs on the calling thread"), std::string::npos)
      << c["reason"];
}

TEST(CliNuma, NumaCommandSweepsPoliciesAndThreadsWithGbpsAndPlacement) {
  const std::string out = temp_file("numa-cmd.json");
  const auto r = run_amxlab(
      "numa --m 1,4 --n 96 --k 256 --threads 1,2 --reps 1 --min-time 0.001 --no-cold --out " + out);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("hot GB/s"), std::string::npos) << r.output;
  const auto doc = read_json(out);
  EXPECT_EQ(doc["run"]["mode"], "numa");
  std::map<std::string, int> policies;
  for (const auto& c : doc["cases"]) {
    const std::string policy = c["numa"]["policy"].get<std::string>();
    ++policies[policy];
    if (c["verdict"] == "SKIPPED") {
      EXPECT_TRUE(policy == "remote" || policy == "interleave") << c["descriptor"];
      EXPECT_FALSE(c["reason"].get<std::string>().empty());
      continue;
    }
    EXPECT_EQ(c["verdict"], "PASS") << c["descriptor"] << ": " << c["reason"];
    EXPECT_EQ(c["numa"]["status"], "verified") << c["descriptor"];
    EXPECT_GT(c["timing"]["weight_gbps"].get<double>(), 0) << c["descriptor"];
  }
  // local, bind.<every node>, remote, interleave, replicate; 2 M x 2 thread counts each.
  for (const char* p : {"local", "bind.0", "remote", "interleave", "replicate"})
    EXPECT_EQ(policies[p], 4) << p;
  std::filesystem::remove(out);
}

// --list, as the sweep commands have it: the experiment's descriptors, nothing run.
TEST(CliNuma, ListPrintsTheCasesAndRunsNothing) {
  const std::string out = temp_file("numa-list.json");
  const auto r = run_amxlab("numa --list --quick --m 1 --threads 1 --numa local,replicate --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output,
            "q4_0:m1n4096k4096:t1:kernel=auto:place=compact:numa=local:aq=runtime:seed=1\n"
            "q4_0:m1n4096k4096:t1:kernel=auto:place=compact:numa=replicate:aq=runtime:seed=1\n");
  EXPECT_FALSE(std::filesystem::exists(out));
  // --quick shortens K only where --k was not given, even when given as its default.
  const auto k = run_amxlab("numa --list --quick --k 14336 --m 1 --threads 1 --numa local");
  ASSERT_EQ(k.status, 0) << k.output;
  EXPECT_EQ(k.output, "q4_0:m1n4096k14336:t1:kernel=auto:place=compact:numa=local:aq=runtime:seed=1\n");
}

// --quick leaves the timing flags the user gave alone, and a case listed twice runs once.
TEST(CliNuma, QuickKeepsGivenFlagsAndRepeatsRunOnce) {
  const std::string out = temp_file("numa-quick.json");
  const auto r = run_amxlab(
      "numa --quick --type q8_0 --m 1,1 --n 64 --k 256 --threads 1 --numa local --reps 4 --min-time 0.001 "
      "--no-cold --out " +
      out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("1 case(s) listed more than once run once"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 case(s) run, 0 already in the file"), std::string::npos) << r.output;
  const auto doc = read_json(out);
  EXPECT_EQ(doc["run"]["timing"]["repetitions"], 4) << doc["run"].dump();
  EXPECT_EQ(doc["run"]["cases_planned"], 1);
  ASSERT_EQ(doc["cases"].size(), 1u);
  EXPECT_EQ(doc["cases"][0]["timing"]["hot"]["samples_s"].size(), 4u);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace amxlab::testing
