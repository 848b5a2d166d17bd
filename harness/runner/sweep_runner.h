// Runs a list of cases into one results file: case by case, atomically appended,
// resumable, interruptible (Ctrl-C stops after the current case), with each case's
// check isolated in a subprocess so a crashing or hanging kernel is that case's
// failure and the sweep goes on. An isolated sweep sent SIGTERM (kill, Slurm's scancel,
// a CI timeout) ends at once: it kills the running case's process group, removes that
// case's scratch files and closes the results file as interrupted, the case left for
// --resume.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/runner/runner.h"
#include "harness/sweep/case.h"

namespace amxlab::harness {

struct SweepOptions {
  RunOptions run;
  std::string results_path;
  bool resume = false;
  bool isolate = true;          // one subprocess per case
  double case_timeout_s = 900;  // a case running longer is killed: TIMEOUT
  std::string self_exe;         // the amxlab binary, for subprocesses
  bool progress = true;         // a progress bar, drawn only when stderr is a TTY
  // Printed once the results file is open: a refused --resume prints only its error.
  std::string banner;
};

struct SweepSummary {
  // PASS, timed (bench), FAIL, MISTRUSTED, SKIPPED, ERROR, CRASHED, TIMEOUT
  std::map<std::string, int> verdicts;
  // --resume: the verdicts of the cases the file already held (a FAIL there fails the
  // sweep as it did the run that wrote it), and those records that are not PASS / SKIPPED.
  std::map<std::string, int> resumed_verdicts;
  std::vector<nlohmann::json> resumed_failures;
  int ran = 0, resumed = 0;
  bool interrupted = false;
  bool terminated = false;              // by SIGTERM (isolated sweeps), the running case abandoned
  std::vector<nlohmann::json> records;  // of this invocation
  bool failed() const;
};

SweepSummary run_sweep(const std::vector<Case>& cases, const SweepOptions& o, nlohmann::json header);

// The subprocess side: runs one case with options given as JSON and writes its record.
int run_case_worker(const std::string& descriptor, const std::string& options_json_path,
                    const std::string& out_path);

nlohmann::json run_options_to_json(const RunOptions& o);
RunOptions run_options_from_json(const nlohmann::json& j);

// A human summary: one line per case and the reproducers of every failure.
std::string summary_table(const SweepSummary& s);

}  // namespace amxlab::harness
