// The sweep driver end to end, through the amxlab binary: a planted one-bit bug is
// caught with its index and reproducer; crashing and hanging kernels are isolated; a
// sweep killed mid-run leaves valid JSON and --resume completes it; one sent SIGTERM ends
// its case worker and leaves no scratch files; shards merge into the
// unsharded run; oneDNN's int8 matmul equals golden bitwise.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/io/gguf_reader.h"
#include "harness/io/npy.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/error_bounds.h"
#include "tests/cli/cli_util.h"
#include "tests/io/gguf_writer.h"

namespace amxlab::testing {
namespace {

std::set<std::string> descriptors(const nlohmann::json& doc) {
  std::set<std::string> out;
  for (const auto& c : doc["cases"]) out.insert(c["descriptor"].get<std::string>());
  return out;
}

// A --paired-* record's <key>_min, <key>_max and <key>_median are those of its rounds'
// values v (an odd number of rounds: the median is the middle one).
void expect_spread(const nlohmann::json& p, const std::string& key, std::vector<double> v) {
  ASSERT_EQ(v.size() % 2, 1u) << p.dump(1);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(p[key + "_min"].get<double>(), v.front()) << p.dump(1);
  EXPECT_EQ(p[key + "_max"].get<double>(), v.back()) << p.dump(1);
  EXPECT_EQ(p[key + "_median"].get<double>(), v[v.size() / 2]) << p.dump(1);
}

TEST(CliSweep, PlantedOneBitBugIsCaughtWithIndexAndReproducer) {
  const std::string out = temp_file("flip.json");
  const auto r =
      run_amxlab("check --kernel test.flipbit --type q8_0 --m 16,17 --n 33 --k 64 --no-onednn --out " + out);
  EXPECT_EQ(r.status, 1) << r.output;
  const auto doc = read_json(out);
  ASSERT_EQ(doc["cases"].size(), 2u);
  int failures = 0;
  for (const auto& c : doc["cases"]) {
    if (c["shape"]["m"] == 16) {
      EXPECT_EQ(c["verdict"], "PASS") << c.dump();
      continue;
    }
    ++failures;
    EXPECT_EQ(c["verdict"], "FAIL");
    EXPECT_EQ(c["checks"]["golden"]["mismatches"], 1);
    EXPECT_EQ(c["checks"]["golden"]["first"]["m"], 16);
    EXPECT_EQ(c["checks"]["golden"]["first"]["n"], 32);
    EXPECT_EQ(c["reproducer"],
              "amxlab check --case 'q8_0:m17n33k64:t1:kernel=test.flipbit:place=compact:numa=local:"
              "aq=runtime:seed=1'");
  }
  EXPECT_EQ(failures, 1);
  EXPECT_NE(r.output.find("rerun: amxlab check --case"), std::string::npos) << r.output;
  // The same sweep resumed finds both cases done; the FAIL it holds still fails the sweep
  // and is listed with its reproducer.
  const auto again = run_amxlab(
      "check --kernel test.flipbit --type q8_0 --m 16,17 --n 33 --k 64 --no-onednn "
      "--resume " +
      out);
  EXPECT_EQ(again.status, 1) << again.output;
  EXPECT_NE(again.output.find("0 case(s) run, 2 already in the file (FAIL 1, PASS 1)"), std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("FAIL (already in the file): q8_0:m17n33k64:t1:kernel=test.flipbit"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(read_json(out)["cases"], doc["cases"]);
  std::filesystem::remove(out);
}

// `bench` times without checking: its table must not print PASS for a case nobody
// compared (the JSON keeps the verdict PASS for scripts, with "checked": false); `run`
// checks, and says PASS.
TEST(CliSweep, BenchSaysTimedNotPass) {
  const std::string flags =
      " --no-isolate --type q8_0 --m 1 --n 64 --k 64 --reps 2 --min-time 0.005 --no-cold --no-onednn";
  const SweepResult bench = run_sweep_to_json("bench" + flags);
  ASSERT_EQ(bench.command.status, 0) << bench.command.output;
  EXPECT_NE(bench.command.output.find(" timed "), std::string::npos) << bench.command.output;
  EXPECT_EQ(bench.command.output.find("PASS"), std::string::npos) << bench.command.output;
  EXPECT_EQ(bench.doc["cases"][0]["verdict"], "PASS");
  EXPECT_EQ(bench.doc["cases"][0]["checked"], false);
  const SweepResult run = run_sweep_to_json("run" + flags);
  ASSERT_EQ(run.command.status, 0) << run.command.output;
  EXPECT_NE(run.command.output.find(" PASS "), std::string::npos) << run.command.output;
  EXPECT_EQ(run.doc["cases"][0]["checked"], true);
}

// --paired-onednn: per round the kernel and oneDNN's matmul of the case (its int8 for a
// quantised type; for an MoE case its loop of per-expert matmuls) on the same CPUs; the
// option reaches the isolated case worker (`run` mode); without oneDNN it is refused.
TEST(CliSweep, PairedOnednnRoundsAreRecordedOrExplained) {
  const SweepResult r = run_sweep_to_json(
      "run --case q8_0:m4n64k64:t2 --case f32:m4n64k64:t2 --case q8_0:e4top2t3n32k64:t1 --reps 2 "
      "--min-time 0.005 --no-cold --paired-onednn 3");
  ASSERT_EQ(r.command.status, 0) << r.command.output;
  ASSERT_EQ(r.doc["cases"].size(), 3u) << r.command.output;
  for (const auto& c : r.doc["cases"]) {
    const std::string desc = c["descriptor"];
    ASSERT_TRUE(c["timing"].contains("onednn_paired")) << c.dump(1);
    const auto& p = c["timing"]["onednn_paired"];
    ASSERT_EQ(p["rounds"].size(), 3u) << p.dump(1);
    EXPECT_FALSE(p.value("impl", "").empty()) << p.dump(1);
    std::vector<double> speed;
    for (const auto& round : p["rounds"]) {
      const double k = round["kernel_s"], o = round["onednn_s"];
      EXPECT_GT(k, 0.0);
      EXPECT_GT(o, 0.0);
      speed.push_back(round["speed_vs_onednn"].get<double>());
      EXPECT_NEAR(speed.back(), o / k, 1e-12 * o / k);
    }
    expect_spread(p, "speed_vs_onednn", speed);
    EXPECT_NE(r.command.output.find("paired oneDNN " + desc + ": "), std::string::npos) << r.command.output;
  }
  EXPECT_EQ(r.doc["run"]["timing"]["paired_onednn_rounds"], 3) << r.doc["run"].dump(1);
}

// --paired-ceiling / --paired-roofline: per round the kernel and its format's golden-mix
// loop, or the read loop over its working set (hot, cold), on the same workers; the
// options reach the isolated case worker (`run` mode). A type without a block format and
// a kernel that runs on the calling thread say why they were not paired.
TEST(CliSweep, PairedCeilingRoundsAreRecordedOrExplained) {
  const SweepResult r = run_sweep_to_json(
      "run --type q8_0,f32 --m 4 --n 64 --k 64 --threads 2 --reps 2 --min-time 0.005 --no-onednn "
      "--paired-ceiling 3 --paired-roofline 3");
  ASSERT_EQ(r.command.status, 0) << r.command.output;
  ASSERT_EQ(r.doc["cases"].size(), 2u) << r.command.output;
  for (const auto& c : r.doc["cases"]) {
    const std::string desc = c["descriptor"];
    for (const char* mode : {"hot", "cold"}) {
      ASSERT_TRUE(c["timing"][mode].contains("roofline_paired")) << c.dump(1);
      const auto& p = c["timing"][mode]["roofline_paired"];
      if (p.contains("skipped")) {  // a CPU without AVX2 cannot run the read loop
        EXPECT_FALSE(cpu_features().avx2) << "the read loop runs on AVX2, yet: " << p.dump(1);
        EXPECT_NE(p.value("skipped", "").find("AVX2"), std::string::npos) << p.dump(1);
        continue;
      }
      ASSERT_EQ(p["rounds"].size(), 3u) << p.dump(1);
      const double wbytes = c["timing"]["weight_bytes"];
      for (const auto& round : p["rounds"]) {
        const double gbps = round["read_gbps"], s = round["kernel_s"];
        EXPECT_GT(gbps, 0.0);
        EXPECT_NEAR(round["time_vs_roofline"].get<double>(), s / (wbytes / (gbps * 1e9)), 1e-9 * s * gbps);
      }
      // The working set read: one copy of the weights hot, the rotation cold (each
      // worker's share rounded down to 512 bytes).
      const double set =
          mode == std::string("hot") ? wbytes : c["timing"]["cold"]["rotated_bytes"].get<double>();
      EXPECT_LE(p["working_set_bytes"].get<double>(), set) << p.dump(1);
      EXPECT_GT(p["working_set_bytes"].get<double>(), set - 2 * 512) << p.dump(1);
      EXPECT_NE(r.command.output.find(std::string("paired roofline ") + mode + " " + desc + ": "),
                std::string::npos)
          << r.command.output;
    }
    ASSERT_TRUE(c["timing"].contains("format_ceiling_paired")) << c.dump(1);
    const auto& p = c["timing"]["format_ceiling_paired"];
    if (c["type"] == "f32") {
      EXPECT_EQ(p.value("skipped", ""), "type f32 has no block-format mix") << p.dump(1);
      continue;
    }
    const CpuFeatures& f = cpu_features();
    if (p.contains("skipped")) {  // a CPU with neither AVX-512 VNNI nor AVX2 has no mix loop
      EXPECT_FALSE(f.avx2 && f.fma) << p.dump(1);
      EXPECT_NE(p.value("skipped", "").find("AVX2"), std::string::npos) << p.dump(1);
      continue;
    }
    // Q8_0's codes + 128: VPDPBUSD's block32, or the plain AVX2 signed dot's own mix.
    EXPECT_EQ(p["mix"], f.avx512f && f.avx512bw && f.avx512vnni ? "block32" : "block32_signed");
    ASSERT_EQ(p["rounds"].size(), 3u) << p.dump(1);
    std::vector<double> pct;
    for (const auto& round : p["rounds"]) {
      EXPECT_GT(round["kernel_gops"].get<double>(), 0.0);
      EXPECT_GT(round["ceiling_gops"].get<double>(), 0.0);
      pct.push_back(round["pct"].get<double>());
      EXPECT_NEAR(pct.back(),
                  100.0 * round["kernel_gops"].get<double>() / round["ceiling_gops"].get<double>(),
                  1e-9 * pct.back());
    }
    expect_spread(p, "pct", pct);
    EXPECT_NE(r.command.output.find("paired ceiling " + desc + ": "), std::string::npos) << r.command.output;
  }
  // A working set too small to give each worker 512 bytes of the read loop: said, not
  // measured (544 bytes of q8_0 weights, two workers).
  const SweepResult tiny = run_sweep_to_json(
      "bench --no-isolate --type q8_0 --m 1 --n 16 --k 32 --threads 2 --reps 2 --min-time 0.005 --no-cold "
      "--no-onednn --paired-roofline 2");
  ASSERT_EQ(tiny.command.status, 0) << tiny.command.output;
  EXPECT_EQ(tiny.doc["cases"][0]["timing"]["hot"]["roofline_paired"].value("skipped", ""),
            "read loop: 544 bytes give a worker less than 512")
      << tiny.doc.dump(1);
  const SweepResult golden = run_sweep_to_json(
      "bench --no-isolate --kernel golden --type q8_0 --m 1 --n 64 --k 64 --reps 2 --min-time 0.005 "
      "--no-cold "
      "--no-onednn --paired-ceiling 2");
  ASSERT_EQ(golden.command.status, 0) << golden.command.output;
  EXPECT_EQ(golden.doc["cases"][0]["timing"]["format_ceiling_paired"].value("skipped", ""),
            "kernel golden runs on the calling thread, not on a pool")
      << golden.doc.dump(1);
  EXPECT_NE(golden.command.output.find("not measured: kernel golden runs on the calling thread"),
            std::string::npos)
      << golden.command.output;
}

TEST(CliSweep, CrashingAndHangingKernelsAreIsolated) {
  const auto [r, doc] = run_sweep_to_json(
      "check --case q8_0:m12n16k32:t1:kernel=test.crash --case q8_0:m13n16k32:t1:kernel=test.crash "
      "--case q8_0:m13n16k32:t1:kernel=test.hang --case q8_0:m14n16k32:t1:kernel=test.hang "
      "--timeout 3 --no-onednn");
  EXPECT_EQ(r.status, 1) << r.output;
  ASSERT_TRUE(doc.is_object()) << r.output;
  ASSERT_EQ(doc["cases"].size(), 4u) << r.output;
  EXPECT_EQ(doc["cases"][0]["verdict"], "PASS");
  EXPECT_EQ(doc["cases"][1]["verdict"], "CRASHED");
  // Killed by SIGSEGV; under AddressSanitizer (which catches the signal and reports) either
  // ended without a result or, with the asan preset's abort_on_error=1, killed by SIGABRT:
  // every way the case is CRASHED, not lost.
  const std::string why = doc["cases"][1]["reason"].get<std::string>();
  EXPECT_TRUE(why.find("signal 11") != std::string::npos || why.find("signal 6") != std::string::npos ||
              why.find("no result") != std::string::npos)
      << why;
  EXPECT_EQ(doc["cases"][2]["verdict"], "TIMEOUT");
  EXPECT_EQ(doc["cases"][3]["verdict"], "PASS");  // the sweep went on
}

TEST(CliSweep, KilledSweepLeavesValidJsonAndResumeCompletesIt) {
  const std::string args =
      "check --kernel golden --type q4_K --m 1,2,3,4,5,6,7,8 --n 96 --k 4096 --no-onednn";
  const std::string full = temp_file("full.json"), part = temp_file("part.json");
  ASSERT_EQ(run_amxlab(args + " --out " + full).status, 0);
  // The killed sweep cannot remove its per-case scratch files: they go to a folder of the
  // test's own (removed with it) instead of piling up in /tmp.
  const std::string scratch = temp_file("killed-scratch");
  std::filesystem::create_directory(scratch);

  // Start the same sweep and kill it (SIGKILL: no chance to clean up) after two cases.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setpgid(0, 0);
    execl("/bin/sh", "sh", "-c",
          ("TMPDIR=" + scratch + " " + kAmxlab + " " + args + " --out " + part + " >/dev/null 2>&1").c_str(),
          nullptr);
    _exit(127);
  }
  size_t seen = 0;
  for (int i = 0; i < 3000 && seen < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      seen = read_json(part)["cases"].size();
    } catch (...) {  // NOLINT(bugprone-empty-catch): not written yet, it appears with its
                     // first atomic write; the loop polls again
    }
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  const auto partial = read_json(part);  // parses: the file is never half-written
  ASSERT_GE(partial["cases"].size(), 2u);
  ASSERT_LT(partial["cases"].size(), 8u) << "the sweep finished before it could be killed";

  const auto r = run_amxlab(args + " --resume " + part);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("already in the file"), std::string::npos);
  EXPECT_EQ(descriptors(read_json(part)), descriptors(read_json(full)));
  EXPECT_EQ(read_json(part)["cases"].size(), 8u);
  std::filesystem::remove(full);
  std::filesystem::remove(part);
}

// Processes whose command line names `needle` (the scratch folder a case worker's options
// file lies in), other than this test.
std::vector<pid_t> processes_naming(const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || name == std::to_string(getpid()))
      continue;
    const std::string cmdline = read_text((e.path() / "cmdline").string());
    if (cmdline.find(needle) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

// Kills what a failed run of the test below would leave running (its hanging worker).
struct KillLeftovers {
  std::string needle;
  ~KillLeftovers() {
    for (const pid_t p : processes_naming(needle)) kill(p, SIGKILL);
  }
};

// Sends SIGTERM to `pid` and waits up to `seconds` for it to end: its wait status, or
// nullopt after killing it (it did not end).
std::optional<int> terminate_and_wait(pid_t pid, int seconds) {
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < seconds * 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (waitpid(pid, &status, WNOHANG) != 0) return status;
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return std::nullopt;
}

TEST(CliSweep, TerminatedSweepEndsItsCaseAndLeavesNoScratch) {
  // Slurm's scancel, `kill` and CI timeouts send SIGTERM. The sweep must not die leaving
  // its case worker running (a worker leads its own process group, so the signal sent
  // to the sweep alone does not reach it) and its scratch files behind.
  const std::string part = temp_file("term.json"), scratch = temp_file("term-scratch");
  std::filesystem::create_directory(scratch);
  const KillLeftovers leftovers{scratch};
  const std::string args =
      "check --case q8_0:m12n16k32:t1:kernel=test.hang --case q8_0:m13n16k32:t1:kernel=test.hang "
      "--case q8_0:m14n16k32:t1:kernel=test.hang --no-onednn";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c",
          ("exec env TMPDIR=" + scratch + " " + kAmxlab + " " + args + " --timeout 600 --out " + part +
           " >/dev/null 2>&1")
              .c_str(),
          nullptr);
    _exit(127);
  }
  // The first case (M = 12: golden) lands in the file, the second (M = 13) hangs in its
  // worker, whose options file is then in the scratch folder.
  bool hanging = false;
  for (int i = 0; i < 3000 && !hanging; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      hanging = read_json(part)["cases"].size() == 1 && !processes_naming(scratch).empty();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the file appears with its first
                     // atomic write; the loop polls again
    }
  }
  if (!hanging) kill(pid, SIGKILL);
  ASSERT_TRUE(hanging) << "the sweep never reached its hanging case";
  const auto ended = terminate_and_wait(pid, 10);
  ASSERT_TRUE(ended) << "the sweep did not end within 10 s of SIGTERM";
  const int status = *ended;
  ASSERT_TRUE(WIFEXITED(status)) << "the sweep died of signal " << WTERMSIG(status) << " instead of ending";
  EXPECT_EQ(WEXITSTATUS(status), 143);
  EXPECT_TRUE(processes_naming(scratch).empty()) << "the hanging case's worker outlived the sweep";
  EXPECT_TRUE(std::filesystem::is_empty(scratch)) << "scratch files left in " << scratch;
  const auto doc = read_json(part);
  ASSERT_EQ(doc["cases"].size(), 1u) << doc.dump(1);
  EXPECT_TRUE(doc["run_end"]["interrupted"].get<bool>()) << doc["run_end"].dump();
  EXPECT_TRUE(doc["run_end"]["terminated"].get<bool>()) << doc["run_end"].dump();

  // --resume runs the two cases left (the hanging one now ends as TIMEOUT).
  const auto r = run_amxlab(args + " --timeout 2 --resume " + part);
  EXPECT_EQ(r.status, 1) << r.output;  // the TIMEOUT
  EXPECT_NE(r.output.find("1 already in the file"), std::string::npos) << r.output;
  const auto done = read_json(part);
  ASSERT_EQ(done["cases"].size(), 3u);
  EXPECT_EQ(done["cases"][1]["verdict"], "TIMEOUT");
  EXPECT_EQ(done["cases"][2]["verdict"], "PASS");
  std::filesystem::remove(part);
  std::filesystem::remove_all(scratch);
}

// Bad sweep input is a clear error (exit 2) before anything runs, not a different sweep.
TEST(CliSweep, BadSweepInputIsRefusedBeforeAnythingRuns) {
  const std::string out = temp_file("refused.json"), batch = temp_file("comments.txt"),
                    dir = temp_file("a-folder");
  {
    std::ofstream(batch) << "# only a comment\n\n   \n";
  }
  std::filesystem::create_directory(dir);
  const std::string tiny_check = " --no-onednn --out " + out,
                    tiny = " --no-onednn --no-cold --reps 1 --min-time 0.005 --out " + out;
  const struct {
    std::string args, says;
  } refused[] = {
      {"check --batch " + batch, "holds no case"},
      {"check --batch " + dir, "is a directory"},
      {"check --case q8_0:m1n32k32:t1 --type q4_0", "--type, --m, --n and --k make a grid"},
      {"check --batch " + std::string(AMXLAB_SOURCE_DIR) + "/harness/inputs/smoke.txt --m 4",
       "with --case or --batch each descriptor names its type and shape"},
      {"check --place foo,compact --n 64 --k 256", "--place: 'foo' is not compact, scatter or node.<i>"},
      {"check --numa lokal,local --n 64 --k 256", "--numa: 'lokal' is not local"},
      {"check --k 100 --type q8_0", "no cases to run"},
      {"check --list --k 100 --type q8_0", "no cases to list"},
      {"bench --reps 0 --case q8_0:m1n32k32:t1", "--reps"},
      {"bench --reps 1e3 --case q8_0:m1n32k32:t1", "--reps: '1e3' is not a whole number (1 to 1000000)"},
      {"bench --reps 2000000 --case q8_0:m1n32k32:t1", "--reps: 2000000 is out of range (1 to 1000000)"},
      {"bench --min-time 0 --case q8_0:m1n32k32:t1", "--min-time"},
      {"check --timeout 0 --case q8_0:m1n32k32:t1", "--timeout"},
      {"check --case q8_0:m1n32k32:t1 --case q8_0:m2n32k32:t1 --output " + temp_file("y.npy"),
       "--output writes one case's output: this sweep has 2 cases"},
      {"bench --case q8_0:m1n32k32:t1 --onednn-isa avx9", "--onednn-isa: 'avx9' is not a oneDNN ISA"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"model --manifest tiny-moe --check-only --no-check", "excludes"},
      {"model --manifest tiny-moe --threads 0", "--threads"},
      // Flags with nothing to act on: timing where nothing is timed, the check's where
      // nothing is checked.
      {"check --case q8_0:m1n32k32:t1 --reps 3", "--reps: check times nothing"},
      {"check --case q8_0:m1n32k32:t1 --paired-roofline 2", "--paired-roofline: check times nothing"},
      {"check --case q8_0:m1n32k32:t1 --paired-onednn 2", "--paired-onednn: check times nothing"},
      {"bench --case q8_0:m1n32k32:t1 --no-onednn --paired-onednn 2", "cannot go with --no-onednn"},
      {"bench --case q8_0:m1n32k32:t1 --output " + temp_file("y.npy"), "--output: bench checks nothing"},
      {"bench --case q8_0:m1n32k32:t1 --timeout 5", "--timeout: bench checks nothing"},
      {"model --manifest tiny-moe --layers 1 --check-only --no-cold", "--no-cold: model --check-only times"},
      {"model --manifest tiny-moe --layers 1 --no-check --timeout 9", "--timeout: model --no-check checks"},
      // Refused before measuring (a full calibration takes minutes).
      {"calibrate --quick --threads 1 --out " + dir, "is a directory: name a file"},
      {"calibrate --quick --threads 1 --max-bytes 4K --out " + out, "below the smallest working set"},
      {"calibrate --quick --threads 1 --max-bytes '' --out " + out, "--max-bytes: '' is not a size"},
      // The third review's (2026-12-01): each ran, or ran something else, before.
      {"check --type q4_0 --m 1 --n 64 --k 256 --kernel test.nope", "unknown test kernel 'test.nope'"},
      {"check --type q4_0 --m 1 --n 64 --k 256 --shard 1/2", "leaves shard 1 empty (at most 1 shards)"},
      {"run --quick --type q4_0 --m 1 --n 64 --k 256", "--quick shortens the default sweep"},
      {"bench --quick --case q8_0:m1n32k32:t1", "--quick"},  // run's flag alone
      {"compare " + dir + " " + dir, "is a directory, not a results file"},
      {"bench --case q8_0:m1n32k32:t1 --calibration " + dir,
       "--calibration: " + dir + " is a directory, not a"},
      {"selfcheck --seed -1", "--seed: '-1' is not a whole number"},
      {"help bogus", "help: unknown command 'bogus'"},
      {"tile-selftest --probe-count 5", "--probe-count sets the number of --dump-bf16-probes records"},
      {"tile-selftest --probe-colsb zero --json", "--json has no effect with --probe-colsb"},
  };
  for (const auto& [args, says] : refused) {
    std::filesystem::remove(out);
    const auto r = run_amxlab(args + (args.rfind("check", 0) == 0   ? tiny_check
                                      : args.rfind("bench", 0) == 0 ? tiny
                                                                    : ""));
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("measuring"), std::string::npos) << args << "\n" << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << args << ": a refused sweep wrote " << out;
  }
  // A results file passed as --calibration: its sweep's calibration, here none.
  ASSERT_EQ(run_amxlab("check --case q8_0:m1n32k32:t1" + tiny_check).status, 0);
  const auto no_cal = run_amxlab(
      "bench --case q8_0:m1n32k32:t1 --no-onednn --no-cold --reps 1 --min-time 0.005 "
      "--calibration " +
      out + " --out " + temp_file("never.json"));
  EXPECT_EQ(no_cal.status, 2) << no_cal.output;
  EXPECT_NE(no_cal.output.find("is a results file of a sweep run without --calibration"), std::string::npos)
      << no_cal.output;
  EXPECT_FALSE(std::filesystem::exists(temp_file("never.json")));
  std::filesystem::remove(out);
  setenv("AMXLAB_MAX_ISA", "Portable", 1);  // the kernels' library would ignore it: run uncapped
  const auto isa = run_amxlab("check --case q8_0:m1n32k32:t1" + tiny_check);
  unsetenv("AMXLAB_MAX_ISA");
  EXPECT_EQ(isa.status, 2) << isa.output;
  EXPECT_NE(isa.output.find("AMXLAB_MAX_ISA='Portable' is not portable, avx2"), std::string::npos)
      << isa.output;
  std::filesystem::remove(batch);
  std::filesystem::remove(dir);
}

// A case listed twice runs once, and the summary does not call the second "already in the
// file" (it said so of a new file).
TEST(CliSweep, RepeatedCasesRunOnce) {
  const std::string out = temp_file("twice.json");
  std::filesystem::remove(out);
  const auto r = run_amxlab("check --no-onednn --type q8_0 --m 1,1 --n 32 --k 32 --out " + out);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("note: 1 case(s) listed more than once run once"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 case(s) run, 0 already in the file"), std::string::npos) << r.output;
  EXPECT_EQ(read_json(out)["run"]["cases_planned"], 1) << r.output;
  std::filesystem::remove(out);
}

// With --case / --batch the "how" flags replace those fields of every listed case, lists
// multiplied; nothing else joins the sweep (no default case beside them).
TEST(CliSweep, FlagsModifyListedCases) {
  const auto r = run_amxlab(
      "check --list --case q4_0:m2n32k64:t1 --case q8_0:e4top2t3n32k64:t1 "
      "--threads 1,2 --place compact,scatter --seed 7");
  ASSERT_EQ(r.status, 0) << r.output;
  std::stringstream ss(r.output);
  std::vector<std::string> lines;
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 2u * 2 * 2) << r.output;
  EXPECT_EQ(lines[0], "q4_0:m2n32k64:t1:kernel=auto:place=compact:numa=local:aq=runtime:seed=7");
  EXPECT_EQ(lines[3], "q4_0:m2n32k64:t2:kernel=auto:place=scatter:numa=local:aq=runtime:seed=7");
  EXPECT_EQ(lines[7],
            "q8_0:e4top2t3n32k64:t2:kernel=auto:route=uniform:place=scatter:numa=local:aq=runtime:seed=7");
  // --kernel all: every registered kernel of the listed case's type, nothing of another.
  const auto all = run_amxlab("check --list --case q4_0:m2n32k64:t1 --kernel all");
  ASSERT_EQ(all.status, 0) << all.output;
  std::stringstream as(all.output);
  int n = 0;
  for (std::string l; std::getline(as, l); ++n)
    EXPECT_EQ(l.rfind("q4_0:m2n32k64:t1:kernel=q4_0_", 0), 0u) << l;
  EXPECT_GE(n, 2) << all.output;
}

// Files that give a case its shape say so when the descriptor had named another; a routing
// that names an expert twice for one token is refused.
TEST(CliSweep, FileShapesAreAnnouncedAndBrokenRoutingsRefused) {
  const std::string act = temp_file("act4.npy"), ids = temp_file("dup-ids.npy");
  const std::vector<float> a(4 * 64, 0.5f);
  const int64_t ashape[2] = {4, 64};
  io::write_npy(act, io::NpyDtype::F32, ashape, a.data(), a.size() * 4);
  const auto c = run_amxlab("check --no-isolate --no-onednn --case q8_0:m8n32k64:t1 --activations " + act +
                            " --out " + temp_file("act4.json"));
  EXPECT_EQ(c.status, 0) << c.output;
  EXPECT_NE(
      c.output.find("note: q8_0:m8n32k64:t1:kernel=auto:place=compact:numa=local:aq=runtime:seed=1 runs as "
                    "q8_0:m4n32k64"),
      std::string::npos)
      << c.output;
  const std::vector<int32_t> v = {0, 1, 3, 3, 2, 0};
  const int64_t ishape[2] = {3, 2};
  io::write_npy(ids, io::NpyDtype::I32, ishape, v.data(), v.size() * 4);
  const auto r = run_amxlab("check --no-isolate --case q8_0:e4top2t3n32k64:t1:route=file --routing " + ids +
                            " --out " + temp_file("dup.json"));
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("token 1 names expert 3 twice (slots 0 and 1)"), std::string::npos) << r.output;
  // route=file without --routing: a usage error before anything runs, no results file.
  const std::string none = temp_file("no-routing.json");
  std::filesystem::remove(none);
  const auto nr = run_amxlab("check --no-isolate --case q8_0:e4top2t3n32k64:t1:route=file --out " + none);
  EXPECT_EQ(nr.status, 2) << nr.output;
  EXPECT_NE(nr.output.find(":route=file"), std::string::npos) << nr.output;
  EXPECT_NE(nr.output.find("reads the expert ids from --routing FILE.npy, which was not given"),
            std::string::npos)
      << nr.output;
  EXPECT_FALSE(std::filesystem::exists(none)) << "a refused sweep wrote " << none;
  std::filesystem::remove(act);
  std::filesystem::remove(ids);
}

// Bad input files are refused before anything runs (exit 2), and an existing --out is
// left byte for byte as it was: a directory or a FIFO where a file belongs, activations
// of another dtype or holding NaN, a calibration missing a field, int8 cases given files
// they would not read, batch lines naming a kernel no build has, a results file without
// the header --resume needs.
TEST(CliSweep, BadInputFilesChangeNothing) {
  const std::string out = temp_file("bad-inputs-out.json");
  const std::string kept = "{\"kept\": true}\n";
  const auto expect_refused = [&](const std::string& args, const std::string& says) {
    {
      std::ofstream(out) << kept;
    }
    const auto r = run_amxlab(args + " --out " + out);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(says), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(read_text(out), kept) << args << ": --out was changed";
  };
  const std::string base = "check --no-isolate --no-onednn --case q8_0:m2n32k64:t1:kernel=golden";
  const std::string dir = temp_file("a-directory");
  std::filesystem::create_directories(dir);
  expect_refused(base + " --activations " + dir, "is a directory, not a file");
  const std::string fifo = temp_file("a-fifo.npy");
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  // A pipe nobody writes to reads as an empty .npy (a pipe with a writer is read).
  expect_refused(base + " --activations " + fifo, "a-fifo.npy");
  expect_refused(base + " --weights " + fifo + ":blk.0.attn_q.weight", "not a regular file");
  expect_refused(base + " --weights " + dir + ":blk.0.attn_q.weight", "not a regular file");

  const std::string i32 = temp_file("act-i32.npy"), nan = temp_file("act-nan.npy");
  const int64_t shape[2] = {2, 64};
  const std::vector<int32_t> ints(2 * 64, 3);
  io::write_npy(i32, io::NpyDtype::I32, shape, ints.data(), ints.size() * 4);
  expect_refused(base + " --activations " + i32, "holds <i4 values; activations are float32");
  std::vector<float> f(2 * 64, 0.25f);
  f[64 + 5] = std::nanf("");
  io::write_npy(nan, io::NpyDtype::F32, shape, f.data(), f.size() * 4);
  expect_refused(base + " --activations " + nan, "holds NaN at [1][5]");

  const std::string cal = temp_file("cal-schema-only.json");
  {
    std::ofstream(cal) << R"({"schema": "amxlab.calibration.v1"})";
  }
  expect_refused("bench --no-onednn --reps 1 --min-time 0.001 --case q8_0:m2n32k64:t1 --calibration " + cal,
                 "calibration has no field 'threads'");

  expect_refused("check --no-isolate --case s8:m2n32k64:t1:kernel=golden --activations " + i32,
                 "s8 cases run on seeded int8 data only");

  const std::string batch = temp_file("bad-kernel.txt");
  {
    std::ofstream(batch) << "q8_0:m2n32k64:t1\nq4_0:m2n32k64:t1:kernel=q8_0_gemm_4x32__avx512vnni\n";
  }
  expect_refused("check --no-isolate --no-onednn --batch " + batch,
                 "q8_0_gemm_4x32__avx512vnni reads q8_0 weights, the case is q4_0");

  // --resume of a file whose "run" header was taken out: nothing says which sweep wrote it.
  const std::string made = temp_file("no-run-header.json");
  ASSERT_EQ(run_amxlab(base + " --out " + made).status, 0);
  auto doc = read_json(made);
  doc.erase("run");
  {
    std::ofstream(made) << doc.dump(1);
  }
  const std::string before = read_text(made);
  const auto resumed = run_amxlab(
      "bench --no-onednn --reps 1 --min-time 0.001 --case q8_0:m2n32k64:t1:kernel=golden "
      "--resume " +
      made);
  EXPECT_EQ(resumed.status, 2) << resumed.output;
  EXPECT_NE(resumed.output.find("the file has no \"run\" header"), std::string::npos) << resumed.output;
  EXPECT_EQ(read_text(made), before) << "a refused --resume changed the file";
  for (const auto& p : {out, fifo, i32, nan, cal, batch, made}) std::filesystem::remove(p);
  std::filesystem::remove_all(dir);
}

// A small case's cold copies cannot total the working set that leaves the caches: the
// record says so instead of passing a cache-resident time off as cold.
TEST(CliSweep, ColdTimingOfSmallWeightsSaysItIsShort) {
  const auto c =
      run_single_case("bench --no-onednn --reps 1 --min-time 0.002 --case q8_0:m1n64k64:t1:kernel=auto");
  ASSERT_TRUE(c["timing"].contains("cold")) << c.dump(1);
  EXPECT_TRUE(c["timing"]["cold"].value("rotated_short", false)) << c["timing"]["cold"].dump(1);
  EXPECT_NE(c["timing"]["cold"].value("note", "").find("may be partly cache-resident"), std::string::npos);
}

TEST(CliSweep, ShardsMergeIntoTheUnshardedRun) {
  const std::string args =
      "check --kernel golden --type q8_0,q4_0 --m 1,3,17 --n 16 --k 64 --no-onednn --no-isolate";
  const std::string full = temp_file("all.json"), merged = temp_file("merged.json");
  ASSERT_EQ(run_amxlab(args + " --out " + full).status, 0);
  std::string shards;
  for (int i = 0; i < 3; ++i) {
    const std::string s = temp_file("shard" + std::to_string(i) + ".json");
    ASSERT_EQ(run_amxlab(args + " --shard " + std::to_string(i) + "/3 --out " + s).status, 0);
    shards += " " + s;
  }
  const auto r = run_amxlab("merge" + shards + " --out " + merged);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(descriptors(read_json(merged)), descriptors(read_json(full)));
  EXPECT_EQ(read_json(merged)["cases"].size(), 6u);
}

TEST(CliSweep, OnednnInt8EqualsGoldenBitwise) {
  const std::string out = temp_file("int8.json");
  const auto r = run_amxlab(
      "check --kernel golden --type s8,u8 --m 1,5,16 --n 1,17,64 --k 4,100 --threads 1,2 "
      "--no-isolate --out " +
      out);
  EXPECT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out);
  ASSERT_EQ(doc["cases"].size(), 2u * 3 * 3 * 2 * 2);
  for (const auto& c : doc["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    EXPECT_TRUE(c["checks"]["onednn_vs_golden"]["bitwise"].get<bool>()) << c.dump();
  }
}

TEST(CliSweep, MalformedInputNamesLineAndField) {
  const std::string batch = temp_file("bad.txt");
  {
    std::ofstream f(batch);
    f << "# ok\nq8_0:m1n16k32:t1\nq8_0:m1n16k32:t1:numa=mars\n";
  }
  const auto r = run_amxlab("check --batch " + batch);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find(batch + ":3:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("field numa"), std::string::npos) << r.output;
  const auto r2 = run_amxlab("check --type q8_0 --m 1,zero");
  EXPECT_NE(r2.status, 0);
  EXPECT_NE(r2.output.find("--m: 'zero'"), std::string::npos) << r2.output;
}

// --weights / --activations / --output on ggml's vectors reproduce ggml's outputs.
TEST(CliSweep, RealTensorsReproduceGgml) {
  const std::string out_npy = temp_file("y.npy"), out_json = temp_file("real.json");
  const auto r = run_amxlab("check --kernel golden --weights " + kData +
                            "/ggml/weights_tail.gguf:w.q4_K.n33k2304" + " --activations " + kData +
                            "/ggml/act.m7k2304.npy --output " + out_npy + " --no-isolate --out " + out_json);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out_json);
  ASSERT_EQ(doc["cases"].size(), 1u);
  EXPECT_EQ(doc["cases"][0]["shape"]["m"], 7);
  EXPECT_EQ(doc["cases"][0]["shape"]["n"], 33);
  EXPECT_EQ(doc["cases"][0]["type"], "q4_K");
  // The written output against ggml's own mul_mat within DESIGN.md's bound.
  const auto y = io::read_npy(out_npy), want = io::read_npy(kData + "/ggml/out.w.q4_K.n33k2304.m7.npy");
  ASSERT_EQ(y.shape, want.shape);
  const auto w = io::GgufFile::open(kData + "/ggml/weights_tail.gguf");
  const auto& t = w.tensor("w.q4_K.n33k2304");
  const auto a = io::read_npy(kData + "/ggml/act.m7k2304.npy");
  std::vector<std::byte> aq(row_bytes(QType::Q8_K, 2304) * 7);
  quantize_activations(QType::Q8_K, ActQuant::runtime, a.as<float>(), 7, 2304, aq);
  const auto e = golden::exact_model_quantized(QType::Q4_K, t.data, aq, {7, 33, 2304});
  const auto yv = y.as<float>(), wv = want.as<float>();
  for (size_t i = 0; i < yv.size(); ++i) {
    EXPECT_LE(std::fabs(static_cast<double>(yv[i]) - wv[i]), 2 * golden::gamma(2304) * e.sum_abs[i]) << i;
  }
}

// harness/inputs/benchdnn_matmul.txt: every line is a valid case, and benchdnn's small
// correctness shapes (K = 1, N = 1, M = 1 ...) pass for every type through `check`
// (golden bitwise or exact model + bound, oneDNN vs golden). The BERT-large M=128 lines
// are timed in results/ (too slow for a fast test's golden in double).
TEST(CliSweep, BenchdnnBatchOfThePlainTypes) {
  std::ifstream in(kData + "/../../harness/inputs/benchdnn_matmul.txt");
  ASSERT_TRUE(in) << "harness/inputs/benchdnn_matmul.txt not found";
  const std::string small = temp_file("benchdnn_small.txt"), out = temp_file("benchdnn.json");
  std::ofstream f(small);
  std::string line;
  int cases = 0, small_cases = 0;
  std::set<std::string> types;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ++cases;
    types.insert(line.substr(0, line.find(':')));
    if (line.find(":m128") == std::string::npos) {
      f << line << "\n";
      ++small_cases;
    }
  }
  f.close();
  EXPECT_EQ(cases, 80);
  EXPECT_EQ(types, (std::set<std::string>{"s8", "u8", "bf16", "f16", "f32"}));
  const auto r = run_amxlab("check --no-isolate --batch " + small + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out);
  ASSERT_EQ(doc["cases"].size(), static_cast<size_t>(small_cases));
  for (const auto& c : doc["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    // oneDNN checks every type, bf16 included where it has no bf16 matmul (its f32 matmul
    // on the widened values then; onednn_reference.h).
    const auto& o = c["checks"]["onednn_vs_golden"];
    EXPECT_FALSE(o.contains("skipped")) << o.dump();
    EXPECT_EQ(o.value("pass", false), true) << o.dump();
  }
}

// The K-quants and IQ4 types that have no ggml-computed vectors in tests/data (q4_K and
// q6_K do): a tensor of each, quantised by the golden quantiser and written with the
// project's GGUF writer, read back from the file and run by every kernel of the type,
// bitwise to golden. Kernels this CPU cannot run say why.
TEST(CliSweep, WriterGgufTensorsOfEveryOtherKQuantRun) {
  constexpr int64_t kN = 40, kK = 512;
  for (const QType t : {QType::Q2_K, QType::Q3_K, QType::Q5_K, QType::IQ4_NL, QType::IQ4_XS}) {
    SCOPED_TRACE(name(t));
    const std::string gguf = temp_file("kq.gguf"), out = temp_file("kq.json");
    FileSpec spec;
    spec.tensors.push_back({"blk.0.ffn_up.weight", static_cast<uint32_t>(traits(t).ggml_id), {kK, kN}, 0});
    Bytes b = build(spec);
    // Real blocks (the writer's byte pattern is not a valid K-quant: its scales hold NaN).
    std::vector<float> w(static_cast<size_t>(kN * kK));
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::sin(0.37f * static_cast<float>(i)) * 0.05f;
    const size_t bytes = row_bytes(t, kK) * kN;
    ASSERT_GE(b.size(), bytes);
    quantize_weights(t, w, kN, kK, std::span(b).last(bytes));
    {
      std::ofstream f(gguf, std::ios::binary);
      f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    }
    const auto r = run_amxlab("check --no-isolate --weights " + gguf + ":blk.0.ffn_up.weight --type " +
                              std::string(name(t)) + " --m 1,17 --threads 2 --kernel all --out " + out);
    std::remove(gguf.c_str());
    ASSERT_EQ(r.status, 0) << r.output;
    const auto doc = read_json(out);
    std::remove(out.c_str());
    int passed = 0;
    for (const auto& c : doc["cases"]) {
      if (c["verdict"] == "SKIPPED") {
        EXPECT_NE(c.value("reason", std::string()).find("lacks"), std::string::npos) << c.dump();
        continue;
      }
      EXPECT_EQ(c["verdict"], "PASS") << c.dump();
      EXPECT_EQ(c["shape"]["n"], kN);
      EXPECT_EQ(c["shape"]["k"], kK);
      EXPECT_TRUE(c["checks"]["golden"]["bitwise"].get<bool>()) << c.dump();
      ++passed;
    }
    // Every runnable kernel of the type: here 10 or 11 (AVX-512, AVX-VNNI, AVX2, portable,
    // AMX emulated, ...) at two M; at least the portable and AMX-emulated ones anywhere.
    EXPECT_GE(passed, 4) << r.output;
  }
}

// A GGUF F16 tensor (ggml type 1: whole F16 models, output and embedding tensors) is a
// weight type like the others: read from the file, run by the dispatcher's kernel and by
// the portable one, checked against golden's bound and oneDNN.
TEST(CliSweep, GgufF16TensorRuns) {
  const std::string gguf = temp_file("f16.gguf"), out = temp_file("f16.json");
  FileSpec spec;
  spec.tensors.push_back({"w.f16", 1, {100, 33}, 0});  // K = 100 (ne0), N = 33
  Bytes b = build(spec);
  // Finite f16 data (the writer's byte pattern would hold Inf and NaN).
  const size_t data = b.size() - 100 * 33 * 2;
  for (size_t i = 0; i < 100 * 33; ++i) {
    const uint16_t h = f32_to_fp16(static_cast<float>(static_cast<int>(i % 97) - 48) / 16.0f);
    std::memcpy(b.data() + data + 2 * i, &h, 2);
  }
  {
    std::ofstream f(gguf, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  const auto r = run_amxlab("check --no-isolate --weights " + gguf +
                            ":w.f16 --type f16 --m 1,5 --kernel auto,f16_gemm_1x32__portable --out " + out);
  std::remove(gguf.c_str());
  ASSERT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out);
  ASSERT_EQ(doc["cases"].size(), 4u);
  for (const auto& c : doc["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    EXPECT_EQ(c["type"], "f16");
    EXPECT_EQ(c["shape"]["n"], 33);
    EXPECT_EQ(c["shape"]["k"], 100);
    EXPECT_TRUE(c["checks"]["golden"]["within_bound"].get<bool>()) << c.dump();
    EXPECT_TRUE(c["checks"]["onednn_vs_golden"]["pass"].get<bool>()) << c.dump();
    // A registry kernel is also held to its own exact model, bit for bit.
    ASSERT_TRUE(c["checks"].contains("exact_model")) << c.dump();
    EXPECT_TRUE(c["checks"]["exact_model"]["bitwise"].get<bool>()) << c.dump();
  }
}

// Mixture-of-experts cases end to end (issue #13): every routing distribution and the
// types with kernels, bitwise against golden per (token, slot); s8 also against the
// per-expert oneDNN loop.
TEST(CliMoe, RoutingsBatchPassesBitwise) {
  const std::string batch = std::string(AMXLAB_SOURCE_DIR) + "/harness/inputs/moe_routings.txt",
                    out = temp_file("moe.json");
  const auto r = run_amxlab("check --no-isolate --batch " + batch + " --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out);
  std::set<std::string> routes;
  for (const auto& c : doc["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    EXPECT_TRUE(c["checks"]["golden"]["bitwise"].get<bool>()) << c.dump();
    EXPECT_EQ(c["checks"]["golden"]["mismatches"], 0) << c.dump();
    routes.insert(c["moe"]["route"].get<std::string>());
    if (c["type"] == "s8") {
      EXPECT_TRUE(c["checks"]["onednn_vs_golden"]["pass"].get<bool>()) << c.dump();
      EXPECT_GT(c["checks"]["onednn_vs_golden"]["matmuls"].get<int>(), 1) << c.dump();
    }
    if (c["moe"]["route"] == "sparse") {
      EXPECT_LE(c["moe"]["routed_experts"].get<int>(), 4) << c.dump();
    }
  }
  EXPECT_EQ(routes, (std::set<std::string>{"uniform", "zipf", "one", "sparse"}));
}

// A planted one-bit bug in a MoE output is reported with its (route, column) and rerun line.
TEST(CliMoe, PlantedBitFlipIsCaught) {
  const auto r = run_sweep_to_json("check --no-isolate --case q4_0:e4top1t17n33k64:t1:kernel=test.flipbit");
  EXPECT_EQ(r.command.status, 1) << r.command.output;
  EXPECT_NE(r.command.output.find("y[16][32]"), std::string::npos) << r.command.output;
  EXPECT_NE(r.command.output.find(
                "rerun: amxlab check --case 'q4_0:e4top1t17n33k64:t1:kernel=test.flipbit:route=uniform"),
            std::string::npos)
      << r.command.output;
}

// The reference kernels run BF16 MoE cases too: their golden is the model of the kernels
// auto would choose (the order of the BF16 sums depends on them), not an unknown kernel.
TEST(CliMoe, ReferenceKernelsRunBf16Cases) {
  const auto r = run_sweep_to_json(
      "check --no-isolate --case bf16:e4top1t17n33k64:t1:kernel=golden --case "
      "bf16:e4top1t17n33k64:t1:kernel=test.flipbit");
  EXPECT_EQ(r.command.status, 1) << r.command.output;  // the planted flip, and nothing else
  EXPECT_EQ(r.command.output.find("unknown kernel"), std::string::npos) << r.command.output;
  ASSERT_EQ(r.doc["cases"].size(), 2u) << r.command.output;
  EXPECT_EQ(r.doc["cases"][0]["verdict"], "PASS") << r.doc["cases"][0].dump();
  EXPECT_EQ(r.doc["cases"][1]["verdict"], "FAIL") << r.doc["cases"][1].dump();
  EXPECT_NE(r.command.output.find("y[16][32]"), std::string::npos) << r.command.output;
}

// Routing from a .npy of ids (numpy's default int64), the case's T and top_k taken from
// it; a bad id is refused with the file named.
TEST(CliMoe, RoutingFromNpy) {
  const std::string ids = temp_file("ids.npy"), bad = temp_file("bad ids\x1b.npy");
  const std::vector<int64_t> v = {3, 1, 0, 2, 2, 3, 1, 0, 3, 2};
  const int64_t shape[2] = {5, 2};
  io::write_npy(ids, io::NpyDtype::I64, shape, v.data(), v.size() * 8);
  auto w = v;
  w[7] = 4;
  io::write_npy(bad, io::NpyDtype::I64, shape, w.data(), w.size() * 8);
  const auto c = run_single_case("check --no-isolate --case q8_0:e4top1t1n40k64:t2 --routing " + ids);
  EXPECT_EQ(c["verdict"], "PASS") << c.dump();
  EXPECT_EQ(c["moe"]["tokens"], 5) << c.dump();
  EXPECT_EQ(c["moe"]["top_k"], 2) << c.dump();
  EXPECT_EQ(c["moe"]["route"], "file") << c.dump();
  EXPECT_NE(c["reproducer"].get<std::string>().find("--routing '" + ids + "'"), std::string::npos)
      << c.dump();
  const auto r = run_amxlab("check --no-isolate --case q8_0:e4top1t1n40k64:t2 --routing '" + bad +
                            "' --out " + temp_file("bad.json"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("id 4 of token 3 slot 1 is outside [0, 4)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad ids\\x1b.npy"), std::string::npos) << r.output;
  std::remove(ids.c_str());
  std::remove(bad.c_str());
}

// A GGUF 3-D expert tensor [K, N, E] (as ffn_gate_exps) read straight from the file.
TEST(CliMoe, GgufExpertTensorRuns) {
  const std::string gguf = temp_file("experts.gguf");
  FileSpec spec;
  spec.tensors.push_back({"blk.0.ffn_gate_exps.weight", 8, {64, 48, 6}, 0});  // q8_0: K 64, N 48, E 6
  Bytes b = build(spec);
  // Valid q8_0 blocks (the writer's byte pattern would hold NaN scales).
  std::vector<float> wf(64 * 48 * 6);
  for (size_t i = 0; i < wf.size(); ++i)
    wf[i] = static_cast<float>(static_cast<int>(i * 37 % 101) - 50) / 8.0f;
  std::vector<std::byte> q(row_bytes(QType::Q8_0, 64) * 48 * 6);
  quantize_weights(QType::Q8_0, wf, 48 * 6, 64, q);
  std::memcpy(b.data() + b.size() - q.size(), q.data(), q.size());
  {
    std::ofstream f(gguf, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  const auto c = run_single_case("check --no-isolate --case q8_0:e1top1t9n1k32:t2:route=zipf --weights " +
                                 gguf + ":blk.0.ffn_gate_exps.weight");
  EXPECT_EQ(c["verdict"], "PASS") << c.dump();
  EXPECT_EQ(c["moe"]["experts"], 6) << c.dump();
  EXPECT_EQ(c["shape"]["n"], 48) << c.dump();
  EXPECT_EQ(c["shape"]["k"], 64) << c.dump();
  // A dense case cannot take the 3-D tensor.
  const auto r = run_amxlab("check --no-isolate --case q8_0:m1n1k32:t1 --weights " + gguf +
                            ":blk.0.ffn_gate_exps.weight --out " + temp_file("dense.json"));
  EXPECT_NE(r.output.find("an expert tensor: give a MoE case"), std::string::npos) << r.output;
  std::remove(gguf.c_str());
}

// `amxlab model` end to end on the tiny manifest: every shape checked for every kernel,
// timed, projected; the results are a normal results file (`amxlab compare` reads them)
// with the projection under "model".
TEST(CliModel, TinyManifestIsCheckedTimedAndProjected) {
  const std::string out = temp_file("model.json"), check = temp_file("model-check.json"),
                    again = temp_file("model2.json");
  const auto r = run_amxlab(
      "model --manifest tiny-moe --recipe q4_k_m --layers 1 --threads 2 --reps 2 "
      "--min-time 0.005 --no-cold --out " +
      out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("matmul time per token, ours:"), std::string::npos) << r.output;
  const auto doc = read_json(out);
  const auto& p = doc["model"]["projection"];
  EXPECT_DOUBLE_EQ(p["covered_fraction"].get<double>(), 1.0);
  double sum = 0;
  for (const auto& c : p["cases"]) sum += c["decode_s"].get<double>();
  EXPECT_NEAR(sum * 1e3, p["ours"]["decode_ms_per_token"].get<double>(), 1e-9);
  EXPECT_GT(p["onednn"]["decode_tokens_per_s"].get<double>(), 0);
  EXPECT_EQ(doc["model"]["inventory"]["experts"], 16);
  // The time per tensor class (what the model plot draws): each class the sum of its
  // cases, the shares summing to 1.
  {
    std::map<std::string, std::pair<double, double>> want;  // class -> decode s, prefill s per token
    for (const auto& c : p["cases"]) {
      auto& w = want[c["class"].get<std::string>()];
      w.first += c["decode_s"].get<double>();
      w.second += c["prefill_s_per_token"].get<double>();
    }
    std::set<std::string> names;
    double decode_share = 0, prefill_share = 0;
    for (const auto& [name, v] : p["classes"].items()) {
      names.insert(name);
      ASSERT_TRUE(want.count(name)) << name;
      EXPECT_NEAR(v["decode_s"].get<double>(), want[name].first, 1e-12) << name;
      EXPECT_NEAR(v["prefill_s_per_token"].get<double>(), want[name].second, 1e-12) << name;
      decode_share += v["decode_share"].get<double>();
      prefill_share += v["prefill_share"].get<double>();
    }
    EXPECT_EQ(names, (std::set<std::string>{"attention", "MoE experts", "router", "output"}));
    EXPECT_NEAR(decode_share, 1.0, 1e-9);
    EXPECT_NEAR(prefill_share, 1.0, 1e-9);
  }
  // The model plot: time share per tensor class, one file per projection.
  if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0) {
    const std::string dir = temp_file("model-plots");
    const std::string cmd = "/usr/bin/python3 " + std::string(AMXLAB_SOURCE_DIR) + "/scripts/plot.py " + out +
                            " --out " + dir + " >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_TRUE(std::filesystem::exists(dir + "/model-tiny-moe-q4_k_m-first-1-of-2-layers-t2.png"))
        << "no model plot in " << dir;
    std::filesystem::remove_all(dir);
  }
  const auto checks = read_json(check);
  std::set<std::string> kernels;
  for (const auto& c : checks["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    kernels.insert(c["kernel"].get<std::string>());
  }
  EXPECT_TRUE(kernels.count("q4_K_gemm_32x32__amx_emulated")) << "AMX emulated kernels are checked too";
  EXPECT_TRUE(kernels.count("q4_K_gemm_1x1__portable"));
  ASSERT_EQ(
      run_amxlab("model --manifest tiny-moe --recipe q4_k_m --layers 1 --threads 2 --reps 2 --min-time 0.005 "
                 "--no-cold --no-check --rounds 2 --out " +
                 again)
          .status,
      0);
  // Two rounds: the second in its own file, each case's median over both, the spread.
  const std::string round2 = temp_file("model2-round2.json");
  const auto again_doc = read_json(again);
  const auto& rounds = again_doc["model"]["projection"]["rounds"];
  EXPECT_EQ(rounds["rounds"], 2);
  EXPECT_EQ(rounds["files"], nlohmann::json({again, round2}));
  const auto& decode = rounds["ours"]["decode_ms_per_token"];
  EXPECT_LE(decode["min"].get<double>(), decode["max"].get<double>());
  const auto& first = again_doc["cases"][0];
  const auto second = read_json(round2)["cases"][0];
  ASSERT_EQ(first["descriptor"], second["descriptor"]);
  bool projected = false;
  for (const auto& c : again_doc["model"]["projection"]["cases"]) {
    if (c["decode_descriptor"] != first["descriptor"]) continue;
    projected = true;
    EXPECT_DOUBLE_EQ(c["decode_s_each"].get<double>(), (first["timing"]["hot"]["median_s"].get<double>() +
                                                        second["timing"]["hot"]["median_s"].get<double>()) /
                                                           2);
  }
  EXPECT_TRUE(projected) << "the first case is a decode case";
  // An interrupted run continued: round 2's file lost all but its first case; --resume
  // (the run's --out) runs the rest into it and leaves every case the files held alone.
  auto cut = read_json(round2);
  const size_t whole = cut["cases"].size();
  ASSERT_GT(whole, 1u);
  cut["cases"] = nlohmann::json::array({second});
  std::ofstream(round2) << cut.dump();
  const auto resumed = run_amxlab(
      "model --manifest tiny-moe --recipe q4_k_m --layers 1 --threads 2 --reps 2 --min-time 0.005 "
      "--no-cold --no-check --rounds 2 --resume " +
      again);
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find(std::to_string(whole - 1) + " case(s) run, 1 already in the file"),
            std::string::npos)
      << resumed.output;
  const auto round2_resumed = read_json(round2);
  EXPECT_EQ(round2_resumed["cases"].size(), whole);
  EXPECT_EQ(round2_resumed["cases"][0], second);
  EXPECT_EQ(read_json(again)["cases"], again_doc["cases"]);
  const auto cmp = run_amxlab("compare " + out + " " + again);
  EXPECT_NE(cmp.status, 2) << cmp.output;
  EXPECT_NE(cmp.output.find("q4_K:e16top4t1n256k512"), std::string::npos) << cmp.output;
  for (const auto& f : {out, check, again, round2}) std::remove(f.c_str());
}

// SIGTERM during the checks stops `amxlab model` there (143): no timing runs, no
// projection is written, and --resume finishes the run.
TEST(CliModel, TerminatedDuringTheChecksStopsThere) {
  const std::string out = temp_file("model-term.json"), check = temp_file("model-term-check.json");
  const std::string args =
      "model --manifest tiny-moe --layers 1 --threads 1 --reps 2 --min-time 0.005 --no-cold --no-onednn "
      "--out " +
      out;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + kAmxlab + " " + args + " >/dev/null 2>&1").c_str(), nullptr);
    _exit(127);
  }
  size_t seen = 0;
  for (int i = 0; i < 6000 && seen == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    try {
      seen = read_json(check)["cases"].size();
    } catch (...) {  // NOLINT(bugprone-empty-catch): not written yet; the loop polls again
    }
  }
  const auto ended = terminate_and_wait(pid, 30);
  ASSERT_TRUE(ended) << "amxlab model did not end within 30 s of SIGTERM";
  const int status = *ended;
  ASSERT_GT(seen, 0u) << "the checks never started";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 143);
  EXPECT_FALSE(std::filesystem::exists(out)) << "the timing ran after SIGTERM";
  const size_t checked = read_json(check)["cases"].size();
  const auto r = run_amxlab(args.substr(0, args.find(" --out ")) + " --resume " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(std::to_string(checked) + " already in the file"), std::string::npos) << r.output;
  EXPECT_TRUE(read_json(out)["model"].contains("projection"));
  for (const auto& f : {out, check}) std::remove(f.c_str());
}

// A GGUF whose tensors include a type amxlab has no format for: listed, left out, and
// the covered fraction says how much of the model the totals hold. Bad inputs are errors.
TEST(CliModel, GgufInventoryWithAnUncoveredTypeAndBadInputs) {
  const std::string gguf = temp_file("model.gguf"), out = temp_file("model-gguf.json");
  FileSpec spec;
  spec.kvs.push_back(kv_raw("general.architecture", 8, [](Writer& w) { w.str("llama"); }));
  spec.kvs.push_back(kv_u32("llama.block_count", 1));
  spec.tensors.push_back({"blk.0.attn_q.weight", 8, {256, 64}, 0});      // q8_0
  spec.tensors.push_back({"blk.0.ffn_up.weight", 6, {256, 64}, 32768});  // q5_0: no format here
  spec.tensors.push_back({"blk.0.attn_norm.weight", 0, {256}, 65536});   // f32, not a matmul
  ASSERT_TRUE(write_gguf(gguf, spec));
  const auto r = run_amxlab("model " + gguf +
                            " --no-check --threads 1 --reps 2 --min-time 0.005 --no-cold --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("left out: q5_0"), std::string::npos) << r.output;
  const auto p = read_json(out)["model"]["projection"];
  EXPECT_EQ(p["left_out"].size(), 1u);
  // q8_0 64 x 256: 64 x 8 x 34 bytes; q5_0: 64 x 8 x 22.
  EXPECT_NEAR(p["covered_fraction"].get<double>(), 17408.0 / (17408.0 + 11264.0), 1e-12);
  EXPECT_NE(run_amxlab("model --manifest nope").output.find("unknown model 'nope'"), std::string::npos);
  EXPECT_NE(run_amxlab("model --manifest tiny-moe --recipe q9").output.find("unknown recipe 'q9'"),
            std::string::npos);
  EXPECT_NE(run_amxlab("model " + gguf + " --manifest tiny-moe").output.find("one of them"),
            std::string::npos);
  FileSpec norms;
  norms.tensors.push_back({"output_norm.weight", 0, {256}, 0});
  ASSERT_TRUE(write_gguf(gguf, norms));
  EXPECT_NE(run_amxlab("model " + gguf).output.find("no matmul weight tensor"), std::string::npos);
  std::remove(gguf.c_str());
  std::remove(out.c_str());
}

// A GGUF's inventory as a demanding user's file has it: int8 weights under ggml's name
// "i8" (the lab's s8), a 2-D weight of no known role (listed and left out, with the
// reason, not dropped from the coverage), tied embeddings (token_embd is the LM head), a
// tensor name that is not UTF-8 (escaped in the results); and metadata that contradicts
// the tensors, or flags that would be ignored, refused.
TEST(CliModel, GgufInventoryEdgesAndContradictions) {
  const std::string gguf = temp_file("edges.gguf"), out = temp_file("edges.json");
  FileSpec spec;
  spec.kvs.push_back(kv_raw("general.architecture", 8, [](Writer& w) { w.str("llama"); }));
  spec.tensors.push_back({"blk.0.attn_v.weight", 24, {256, 64}, 0});                 // i8
  spec.tensors.push_back({"blk.0.attn_q_a.weight", 8, {256, 64}, 16384});            // q8_0, no role known
  spec.tensors.push_back({"blk.0.ffn_up\xff.weight", 8, {256, 64}, 16384 + 17408});  // not UTF-8
  spec.tensors.push_back({"token_embd.weight", 8, {256, 96}, 16384 + 2 * 17408});    // q8_0, tied
  ASSERT_TRUE(write_gguf(gguf, spec));
  const auto list = run_amxlab("model " + gguf + " --list --threads 1");
  ASSERT_EQ(list.status, 0) << list.output;
  EXPECT_NE(list.output.find("s8:m1n64k256:t1"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("q8_0:m1n96k256:t1"), std::string::npos) << "the tied LM head\n" << list.output;
  const auto r = run_amxlab("model " + gguf +
                            " --no-check --threads 1 --reps 1 --min-time 0.002 --no-cold --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto p = read_json(out)["model"]["projection"];
  // The two unknown weights share a shape: one row, both names (the second escaped).
  ASSERT_EQ(p["left_out"].size(), 1u) << p.dump(1);
  const auto& row = p["left_out"][0];
  EXPECT_NE(
      row["left_out"].get<std::string>().find("no llama.cpp role matches the name blk.0.attn_q_a.weight"),
      std::string::npos)
      << row.dump();
  EXPECT_EQ(row["tensors"], nlohmann::json({"blk.0.attn_q_a.weight", "blk.0.ffn_up\\xff.weight"}))
      << row.dump();
  EXPECT_LT(p["covered_fraction"].get<double>(), 1.0);

  // Flags a GGUF file would ignore, and manifests asked for more than they hold.
  const struct {
    std::string args, says;
  } refused[] = {
      {"model " + gguf + " --recipe q8_0 --list", "--recipe and --layers shape a --manifest model"},
      {"model --manifest tiny-moe --layers 99 --list", "--layers 99: manifest tiny-moe has 2 layers"},
      {"model --manifest tiny-moe --real-weights --list", "--real-weights needs a GGUF file"},
      {"model --manifest tiny-moe --check-only --rounds 3", "--rounds times the cases"},
      {"model --manifest tiny-moe --models-dir /nonexistent/amxlab", "is not a folder"},
      {"model --manifest tiny-moe --models-dir " + std::string(AMXLAB_SOURCE_DIR) + "/harness/cli",
       "holds no manifest (<name>.json)"},
  };
  for (const auto& [args, says] : refused) {
    const auto e = run_amxlab(args);
    EXPECT_EQ(e.status, 2) << args << "\n" << e.output;
    EXPECT_NE(e.output.find(says), std::string::npos) << args << "\n" << e.output;
  }

  // Metadata that contradicts the tensors.
  FileSpec moe;
  moe.kvs.push_back(kv_raw("general.architecture", 8, [](Writer& w) { w.str("qwen3moe"); }));
  moe.kvs.push_back(kv_u32("qwen3moe.expert_count", 64));
  moe.kvs.push_back(kv_u32("qwen3moe.expert_used_count", 2));
  moe.tensors.push_back({"blk.0.ffn_up_exps.weight", 8, {256, 32, 4}, 0});
  ASSERT_TRUE(write_gguf(gguf, moe));
  const auto m = run_amxlab("model " + gguf + " --list");
  EXPECT_EQ(m.status, 2) << m.output;
  EXPECT_NE(m.output.find("the metadata says 64 experts (expert_count), the expert tensors hold 4"),
            std::string::npos)
      << m.output;
  FileSpec layers;
  layers.kvs.push_back(kv_u32("llama.block_count", 1));
  layers.kvs.push_back(kv_raw("general.architecture", 8, [](Writer& w) { w.str("llama"); }));
  layers.tensors.push_back({"blk.3.attn_q.weight", 8, {256, 64}, 0});
  ASSERT_TRUE(write_gguf(gguf, layers));
  const auto l = run_amxlab("model " + gguf + " --list");
  EXPECT_EQ(l.status, 2) << l.output;
  EXPECT_NE(l.output.find("block_count = 1, but a tensor is in layer 3"), std::string::npos) << l.output;
  layers.tensors[0].name = "blk.99999999999.attn_q.weight";
  layers.kvs.erase(layers.kvs.begin());
  ASSERT_TRUE(write_gguf(gguf, layers));
  const auto big = run_amxlab("model " + gguf + " --list");
  EXPECT_EQ(big.status, 2) << big.output;
  EXPECT_NE(big.output.find("a layer that is not a number below 1048576"), std::string::npos) << big.output;
  std::remove(gguf.c_str());
  std::remove(out.c_str());
}

// --real-weights: every shape runs on its first tensor's own bytes from the file (mmap),
// the checks on the documented prefix (the first 512 rows, of the first 16 experts).
TEST(CliModel, RealWeightsFromTheFile) {
  const std::string gguf = temp_file("real.gguf"), out = temp_file("real.json"),
                    check = temp_file("real-check.json");
  FileSpec spec;
  spec.kvs.push_back(kv_raw("general.architecture", 8, [](Writer& w) { w.str("qwen3moe"); }));
  spec.kvs.push_back(kv_u32("qwen3moe.block_count", 1));
  spec.kvs.push_back(kv_u32("qwen3moe.expert_count", 20));
  spec.kvs.push_back(kv_u32("qwen3moe.expert_used_count", 2));
  // attn_q and attn_output: two shapes whose checks (the first 512 rows) share one
  // descriptor, each to be checked on its own tensor's bytes.
  const int64_t qn = 640, on = 576, en = 64, experts = 20, k = 256;
  const size_t q_bytes = row_bytes(QType::Q8_0, k) * qn, o_bytes = row_bytes(QType::Q8_0, k) * on,
               e_bytes = row_bytes(QType::Q4_0, k) * en * experts;
  const size_t o_at = (q_bytes + 31) / 32 * 32, e_at = o_at + (o_bytes + 31) / 32 * 32;
  spec.tensors.push_back({"blk.0.attn_q.weight", 8, {256, 640}, 0});
  spec.tensors.push_back({"blk.0.attn_output.weight", 8, {256, 576}, o_at});
  spec.tensors.push_back({"blk.0.ffn_up_exps.weight", 2, {256, 64, 20}, e_at});
  Bytes b = build(spec);
  // Valid blocks (the writer's byte pattern would hold NaN scales), at the tensors' places.
  const auto put = [&](QType t, int64_t rows, size_t at, size_t bytes) {
    std::vector<float> wf(static_cast<size_t>(rows * k));
    for (size_t i = 0; i < wf.size(); ++i)
      wf[i] = static_cast<float>(static_cast<int>(i * 29 % 61) - 30) / 8.0f;
    std::vector<std::byte> q(bytes);
    quantize_weights(t, wf, rows, k, q);
    std::memcpy(b.data() + at, q.data(), q.size());
  };
  const io::GgufFile parsed = io::GgufFile::parse(b, "real.gguf");
  put(QType::Q8_0, qn, parsed.tensors()[0].file_offset, q_bytes);
  put(QType::Q8_0, on, parsed.tensors()[1].file_offset, o_bytes);
  put(QType::Q4_0, en * experts, parsed.tensors()[2].file_offset, e_bytes);
  {
    std::ofstream f(gguf, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  const auto r = run_amxlab("model " + gguf +
                            " --real-weights --threads 2 --reps 1 --min-time 0.005 --no-cold --out " + out);
  ASSERT_EQ(r.status, 0) << r.output;
  // Every check of the shared descriptors ran once per tensor, not once for the file.
  std::map<std::string, int> q_checks, o_checks;
  bool moe_sampled = false;
  const auto checks = read_json(check);
  for (const auto& c : checks["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    const auto src = c["data_source"].get<std::string>();
    EXPECT_NE(src.find("weights=" + gguf + ":blk.0."), std::string::npos) << src;
    const auto d = c["descriptor"].get<std::string>();
    if (src.find("attn_q.weight (first 512 rows)") != std::string::npos) ++q_checks[d];
    if (src.find("attn_output.weight (first 512 rows)") != std::string::npos) ++o_checks[d];
    moe_sampled |=
        src.find("ffn_up_exps.weight (first 64 rows of the first 16 experts)") != std::string::npos;
  }
  EXPECT_FALSE(q_checks.empty());
  EXPECT_EQ(q_checks, o_checks) << "a check shared by two tensors ran on one of them";
  for (const auto& [d, n] : q_checks) EXPECT_EQ(n, 1) << d;
  EXPECT_TRUE(moe_sampled);
  // --resume takes the run's --out and finds every check of each tensor there: nothing
  // reruns, nothing is added. A file that was never written is refused.
  const auto again = run_amxlab("model " + gguf + " --real-weights --threads 2 --check-only --resume " + out);
  ASSERT_EQ(again.status, 0) << again.output;
  const auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = again.output.find(what); at != std::string::npos; at = again.output.find(what, at + 1))
      ++n;
    return n;
  };
  EXPECT_EQ(count("\n0 case(s) run, "), 3u) << again.output;  // a sweep per shape
  EXPECT_EQ(count(" case(s) run, "), 3u) << again.output;
  EXPECT_EQ(read_json(check)["cases"], checks["cases"]);
  const auto none = run_amxlab("model " + gguf + " --check-only --resume " + out + ".none");
  EXPECT_NE(none.status, 0);
  EXPECT_NE(none.output.find("nothing to continue"), std::string::npos) << none.output;
  const auto doc = read_json(out);
  for (const auto& c : doc["cases"]) {
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
    EXPECT_EQ(c["data_source"].get<std::string>().find("(first"), std::string::npos)
        << "timed on whole tensors";
  }
  EXPECT_DOUBLE_EQ(doc["model"]["projection"]["covered_fraction"].get<double>(), 1.0);
  // The checks read the file's own bytes: the same file with other weights in attn_q gives
  // attn_q's checks other outputs and leaves attn_output's as they were.
  const auto outputs = [](const nlohmann::json& cases, const std::string& tensor) {
    std::map<std::string, std::string> m;  // descriptor -> output checksum
    for (const auto& c : cases)
      if (c["data_source"].get<std::string>().find(tensor) != std::string::npos)
        m[c["descriptor"].get<std::string>()] = c["output_checksum"].get<std::string>();
    return m;
  };
  const std::string gguf2 = temp_file("real2.gguf"), out2 = temp_file("real2.json"),
                    check2 = temp_file("real2-check.json");
  {
    std::vector<float> wf(static_cast<size_t>(qn * k));
    for (size_t i = 0; i < wf.size(); ++i)
      wf[i] = static_cast<float>(static_cast<int>(i * 13 % 47) - 23) / 4.0f;
    std::vector<std::byte> q(q_bytes);
    quantize_weights(QType::Q8_0, wf, qn, k, q);
    std::memcpy(b.data() + parsed.tensors()[0].file_offset, q.data(), q.size());
    std::ofstream f(gguf2, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  const auto r2 = run_amxlab("model " + gguf2 + " --real-weights --threads 2 --check-only --out " + out2);
  ASSERT_EQ(r2.status, 0) << r2.output;
  const auto checks2 = read_json(check2)["cases"];
  const auto q1 = outputs(checks["cases"], "attn_q.weight"), q2 = outputs(checks2, "attn_q.weight");
  const auto o1 = outputs(checks["cases"], "attn_output.weight"), o2 = outputs(checks2, "attn_output.weight");
  ASSERT_FALSE(q1.empty());
  ASSERT_EQ(q1.size(), q2.size());
  for (const auto& [d, sum] : q1) EXPECT_NE(q2.at(d), sum) << d << ": the same output from other weights";
  EXPECT_EQ(o1, o2) << "attn_output's bytes did not change, nor may its outputs";
  for (const auto& f : {gguf, out, check, gguf2, out2, check2}) std::remove(f.c_str());
}

// Timing: hot, rotating routings, and the per-expert oneDNN loop, with rates on the
// routed work.
TEST(CliMoe, BenchRecordsHotRotatingAndOnednnLoop) {
  const auto c =
      run_single_case("bench --no-isolate --reps 2 --min-time 0.01 --case q4_0:e16top4t8n64k256:t2");
  ASSERT_EQ(c["verdict"], "PASS") << c.dump();
  const auto& t = c["timing"];
  EXPECT_GT(t["hot"]["median_s"].get<double>(), 0) << c.dump();
  EXPECT_EQ(t["cold"]["rotating_routings"], 64) << c.dump();
  EXPECT_GT(t["gops"].get<double>(), 0) << c.dump();
  EXPECT_GT(c["onednn_timing"]["matmuls"].get<int>(), 1) << c.dump();
  EXPECT_GT(c["onednn_timing"]["gops"].get<double>(), 0) << c.dump();
  EXPECT_GT(c["pack_seconds"].get<double>(), 0) << c.dump();
}

// The paired references of an MoE case: its routed experts' bytes are the read loop's
// working set hot, the rotation's touched copies cold, and the ratio is against the
// routed bytes one call reads.
TEST(CliMoe, PairedReferencesUseTheRoutedBytes) {
  const auto c = run_single_case(
      "bench --no-isolate --reps 2 --min-time 0.01 --no-onednn --paired-ceiling 2 --paired-roofline 2 "
      "--case q4_0:e16top4t8n64k256:t2");
  ASSERT_EQ(c["verdict"], "PASS") << c.dump();
  const auto& t = c["timing"];
  if (t["format_ceiling_paired"].contains("skipped")) {  // neither AVX-512 VNNI nor AVX2: no mix loop
    EXPECT_FALSE(cpu_features().avx2 && cpu_features().fma) << t.dump(1);
    EXPECT_NE(t["format_ceiling_paired"].value("skipped", "").find("AVX2"), std::string::npos) << t.dump(1);
  } else {
    EXPECT_EQ(t["format_ceiling_paired"]["rounds"].size(), 2u) << t.dump(1);
  }
  const std::pair<const char*, const char*> sets[] = {{"hot", "routed_weight_bytes"},
                                                      {"cold", "rotated_bytes"}};
  for (const auto& [mode, set_key] : sets) {
    const auto& p = t[mode]["roofline_paired"];
    ASSERT_EQ(p["rounds"].size(), 2u) << t.dump(1);
    const double set = t[mode][set_key];
    EXPECT_LE(p["working_set_bytes"].get<double>(), set) << t.dump(1);
    EXPECT_GT(p["working_set_bytes"].get<double>(), set - 2 * 512) << t.dump(1);
    const double routed = t[mode]["routed_weight_bytes"];
    for (const auto& r : p["rounds"]) {
      const double s = r["kernel_s"], gbps = r["read_gbps"];
      EXPECT_NEAR(r["time_vs_roofline"].get<double>(), s / (routed / (gbps * 1e9)), 1e-9 * s * gbps);
    }
  }
}

}  // namespace
}  // namespace amxlab::testing

namespace amxlab::testing {
namespace {

TEST(CliInfo, JsonIsValidAndExplainsAmx) {
  const auto r = run_amxlab("info --json");
  ASSERT_EQ(r.status, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  ASSERT_TRUE(j.contains("amx"));
  if (!j["amx"]["cpuid_tile"].get<bool>()) {
    EXPECT_FALSE(j["amx"]["usable"].get<bool>());
    EXPECT_EQ(j["amx"]["reason"], "CPU lacks AMX");
  }
  if (!j["amx"]["usable"].get<bool>()) {
    EXPECT_FALSE(j["amx"]["reason"].get<std::string>().empty());
  }
  EXPECT_FALSE(j["onednn"]["version"].get<std::string>().empty());
  EXPECT_GE(j["topology"]["numa_nodes"].size(), 1u);
}

TEST(CliPlot, DrawsThroughputFromAResultsFile) {
  // Debian's interpreter, where python3-matplotlib lives (a pyenv python3 may come first on PATH).
  if (std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3-matplotlib is not installed (scripts/bootstrap.sh installs it)";
  }
  const std::string out = temp_file("plot.json"), dir = temp_file("plots");
  ASSERT_EQ(
      run_amxlab("bench --kernel golden --type s8 --m 1,4 --n 64 --k 64 --reps 2 --min-time 0.005 --no-cold "
                 "--out " +
                 out)
          .status,
      0);
  // MoE cases go to their own plot (GOPS vs T), not into the dense ones.
  const std::string moe = temp_file("plot-moe.json");
  ASSERT_EQ(run_amxlab("bench --case q4_0:e8top2t1n64k64:t1 --case q4_0:e8top2t16n64k64:t1 --reps 2 "
                       "--min-time 0.005 --out " +
                       moe)
                .status,
            0);
  const std::string cmd = "/usr/bin/python3 " + std::string(AMXLAB_SOURCE_DIR) + "/scripts/plot.py " + out +
                          " " + moe + " --out " + dir;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/throughput-s8-n64k64-t1.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/moe-q4_0-e8top2n64k64-t1.png"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/throughput-q4_0-n64k64-t1.png"));
  std::filesystem::remove_all(dir);
  std::remove(moe.c_str());
  std::remove(out.c_str());
}

}  // namespace
}  // namespace amxlab::testing

namespace amxlab::testing {
namespace {

// The ISA cap acts once per process: each cap's timing comes from its own subprocess and
// records the implementation oneDNN chose under it.
TEST(CliSweep, OnednnTimedPerIsaCapInSubprocesses) {
  const std::string out = temp_file("isa.json");
  const auto r = run_amxlab(
      "bench --kernel golden --type s8 --m 4 --n 64 --k 64 --reps 2 --min-time 0.005 --no-cold "
      "--onednn-isa avx2,avx512_core_vnni --out " +
      out);
  ASSERT_EQ(r.status, 0) << r.output;
  const auto by_isa = read_json(out)["cases"][0]["onednn_timing_by_isa"];
  for (const char* isa : {"avx2", "avx512_core_vnni"}) {
    ASSERT_TRUE(by_isa.contains(isa)) << by_isa.dump();
    EXPECT_FALSE(by_isa[isa].contains("error")) << by_isa[isa].dump();
    EXPECT_FALSE(by_isa[isa]["impl"].get<std::string>().empty());
    EXPECT_GT(by_isa[isa]["median_s"].get<double>(), 0.0);
  }
}

// The main job's flags: a calibration gives roofline percentages, --max-isa caps the
// dispatcher (and its subprocesses), huge pages (the default) are recorded, for our
// weights and oneDNN's, and --no-hugepages turns them off on both sides.
TEST(CliSweep, CalibrationIsaCapAndHugepagesFlags) {
  const std::string cal = temp_file("cal.json"), out = temp_file("capped.json");
  ASSERT_EQ(run_amxlab("calibrate --quick --threads 1 --max-bytes 16M --out " + cal).status, 0);
  {
    // A 16 MiB curve cannot reach past the L3 of most machines: the cold working set is
    // then twice the last-level cache the machine reports, with a note.
    const auto calj = read_json(cal);
    const uint64_t llc = calj.value("llc_bytes", uint64_t{0});
    if (llc > 0) {
      EXPECT_GE(calj["cold_bytes"]["1"].get<uint64_t>(), 2 * llc) << calj.dump();
    }
  }
  const auto r = run_amxlab("run --case q8_0:m2n64k256:t1:kernel=auto --calibration " + cal +
                            " --max-isa portable --reps 1 --min-time 0.001 --no-cold --out " + out);
  EXPECT_EQ(r.status, 0) << r.output;
  const auto doc = read_json(out);
  EXPECT_EQ(doc["run"]["isa_cap"], "portable");
  EXPECT_EQ(doc["run"]["hugepages"], true);
  const auto c = doc["cases"][0];
  EXPECT_EQ(c["verdict"], "PASS") << c["reason"];
  EXPECT_NE(c["kernel"].get<std::string>().find("__portable"), std::string::npos) << c["kernel"];
  EXPECT_TRUE(c["timing"].contains("roofline_pct")) << c["timing"].dump();
  EXPECT_GT(c["timing"]["hot"].value("time_vs_memory_roofline", 0.0), 0.0) << c["timing"].dump();
  EXPECT_EQ(c["numa"]["hugepages_requested"], true);
  EXPECT_NE(c["numa"]["memory"].get<std::string>().find("MADV_HUGEPAGE"), std::string::npos)
      << c["numa"]["memory"];
  EXPECT_EQ(c["onednn_timing"]["weights_memory"].get<std::string>().rfind("huge pages", 0), 0u)
      << c["onednn_timing"].dump();
  EXPECT_EQ(c["reproducer"].get<std::string>().find("hugepages"), std::string::npos) << c["reproducer"];
  // kernel=auto chose under the cap: the rerun line carries it.
  EXPECT_NE(c["reproducer"].get<std::string>().find(" --max-isa portable"), std::string::npos)
      << c["reproducer"];

  const auto four_k = run_amxlab(
      "run --case q8_0:m2n64k256:t1:kernel=auto --no-hugepages --reps 1 "
      "--min-time 0.001 --no-cold --out " +
      out);
  EXPECT_EQ(four_k.status, 0) << four_k.output;
  const auto doc4k = read_json(out);
  EXPECT_EQ(doc4k["run"]["hugepages"], false);
  const auto c4k = doc4k["cases"][0];
  EXPECT_EQ(c4k["verdict"], "PASS") << c4k["reason"];
  EXPECT_EQ(c4k["numa"]["hugepages_requested"], false);
  EXPECT_EQ(c4k["numa"]["memory"].get<std::string>().find("MADV_HUGEPAGE"), std::string::npos)
      << c4k["numa"]["memory"];
  EXPECT_EQ(c4k["onednn_timing"]["weights_memory"].get<std::string>().rfind("oneDNN's allocation", 0), 0u)
      << c4k["onednn_timing"].dump();
  EXPECT_NE(c4k["reproducer"].get<std::string>().find(" --no-hugepages"), std::string::npos)
      << c4k["reproducer"];
  std::filesystem::remove(cal);
  std::filesystem::remove(out);
}

}  // namespace
}  // namespace amxlab::testing
