// What the sweep commands (check, bench, run, numa) share: their flags and the call
// that runs a list of cases into one results file (cmd_sweep.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/runner/sweep_runner.h"
#include "harness/sweep/case.h"

namespace amxlab::cli {

struct SweepFlags {
  std::string kernel, type, m, n, k, threads, place, numa, aq, seed;
  std::vector<std::string> cases, batches;
  std::string shard, out, resume, weights, activations, routing, output, calibration, max_isa, onednn_isa;
  int repetitions = 5;
  int paired_ceiling = 0;   // --paired-ceiling N (RunOptions::paired_ceiling_rounds)
  int paired_roofline = 0;  // --paired-roofline N (RunOptions::paired_roofline_rounds)
  int paired_onednn = 0;    // --paired-onednn N (RunOptions::paired_onednn_rounds)
  double min_time_s = 0.05, timeout_s = 900;
  bool no_cold = false, no_onednn = false, no_isolate = false, quick = false;
  bool hugepages = true;  // --no-hugepages: 4 KiB pages (harness/runner/case_placement.h says why)
  bool list = false;      // print the cases' descriptors (a batch file) and run nothing
  std::string page_query = "move_pages";
  // Set by `amxlab model --real-weights`, whose sweeps into one file each run on another
  // tensor: the header says the sources are per case instead of naming one.
  bool sources_per_case = false;
};

// --out, --resume, --calibration, --max-isa, --reps, --min-time, --timeout, --no-cold,
// --no-isolate, --hugepages / --no-hugepages (and the hidden --page-query).
void add_run_flags(CLI::App* cmd, SweepFlags& f);

// A flag that cannot act on what the command runs is refused, not ignored: the timing
// flags (--reps, --min-time, --paired-*, --no-cold, --calibration, --onednn-isa) where
// nothing is timed, the check's (--timeout, --output) where nothing is checked. `what` names the command for
// the message ("check", "model --check-only").
void refuse_idle_flags(const CLI::App& cmd, bool checks, bool times, const std::string& what);
// Puts those flags under two --help headings that say so.
void group_mode_flags(CLI::App* cmd);

// Placements (node.<i>) and NUMA policies (bind.<node>) given on the command line must
// name nodes this machine has: an error before anything runs (a batch file's case that
// names a missing node is that case's ERROR, with the reason).
void require_nodes_exist(const std::vector<std::string>& place, const std::vector<std::string>& numa);

// --max-isa: caps this process and, through AMXLAB_MAX_ISA, its subprocesses.
void apply_isa_cap(const SweepFlags& f);

// A case listed twice would run once and be counted "already in the file" the second
// time: each runs once, and a note on stderr says how many repeated.
std::vector<harness::Case> run_once(std::vector<harness::Case> cases);

// Runs `cases` in `mode` ("check", "bench", "run" or "numa": check and time), prints the
// summary table, and says where the results went.
// `digest`: sweep_digest() of the whole sweep before --shard (default: of `cases`).
harness::SweepSummary run_cases(const std::string& mode, const std::vector<harness::Case>& cases,
                                const std::vector<std::string>& dropped, const SweepFlags& f,
                                std::string* results_path = nullptr, const std::string& digest = "");

// 143 when terminated (SIGTERM), else 1 when a case failed, else 130 when interrupted
// (Ctrl-C), else 0: of one sweep, or of several taken together (amxlab model).
int exit_code(bool failed, bool interrupted, bool terminated);
int exit_code(const harness::SweepSummary& s);

}  // namespace amxlab::cli
