// `amxlab check | bench | run`: cases from flags (lists multiplied into a sweep), from
// batch files and from --case descriptors; results to one JSON file; a summary table;
// a non-zero exit when any case failed. Also the hidden `case-worker` used for isolation.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "harness/calibrate/calibration.h"
#include "harness/cli/commands.h"
#include "harness/cli/machine_info.h"
#include "harness/cli/sweep_flags.h"
#include "harness/cli/time_tag.h"
#include "harness/cli/whole_number.h"
#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/io/read_file.h"
#include "harness/numa/planner.h"
#include "harness/results/results_file.h"
#include "harness/runner/case_data.h"
#include "harness/runner/case_placement.h"
#include "harness/runner/onednn_reference.h"
#include "harness/runner/sweep_runner.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"
#include "kernels/isa.h"
#include "kernels/registry.h"
#include "reference/onednn/runtime.h"

namespace amxlab::cli {
namespace {

// The default sweep of `amxlab run` with no case flags: every registered kernel that can
// run here on a few small shapes, 1 and all threads; then what an LLM user runs, with the
// dispatcher's choice (kernel=auto) for the two most common formats: a decode step's
// GEMVs (M=1, N=K=4096 and the FFN's N=4096 K=14336) at 1 and all threads, and a prompt's
// GEMM (M=512, N=K=4096) at all threads (its check alone takes ~11 s here, so one thread
// count). `amxlab run --quick` plus the rest of the main job stays under 3 minutes on a
// 2-core machine.
std::vector<harness::SweepSpec> default_specs(bool quick) {
  harness::SweepSpec small;
  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  small.threads = all > 1 ? std::vector<int>{1, all} : std::vector<int>{1};
  small.m = quick ? std::vector<int64_t>{1, 16} : std::vector<int64_t>{1, 16, 128};
  if (quick) {
    // Every registered kernel (~120 since the eighteenth session) once, on all threads,
    // but the stand-ins (Engine::stand_in: the tests and `amxlab check --kernel all` run
    // them): the quick run (the main job's) stays within its 3 minutes on 2 cores.
    small.threads = {all};
    small.m = {16};
    small.all_without_stand_ins = true;
  }
  small.n = {quick ? 256 : 1024};
  small.k = {quick ? 512 : 2048};
  small.types.clear();
  for (const auto& k : kernel_registry()) {
    if (std::find(small.types.begin(), small.types.end(), k.weight_type) == small.types.end())
      small.types.push_back(k.weight_type);
  }
  small.kernels = {"all"};
  if (small.types.empty()) return {small};

  std::vector<QType> llm_types;
  for (QType t : {QType::Q4_0, QType::Q8_0, QType::Q4_K}) {
    if (std::find(small.types.begin(), small.types.end(), t) != small.types.end()) llm_types.push_back(t);
  }
  harness::SweepSpec decode;
  decode.kernels = {"auto"};
  decode.types = llm_types;
  decode.m = {1};
  decode.threads = small.threads;
  harness::SweepSpec decode_ffn = decode;
  decode.n = {4096};
  decode.k = {4096};
  decode_ffn.n = {4096};
  decode_ffn.k = {14336};
  harness::SweepSpec prompt = decode;
  prompt.m = {512};
  prompt.threads = {all};
  std::vector<harness::SweepSpec> specs{small};
  if (!llm_types.empty()) specs.insert(specs.end(), {decode, decode_ffn, prompt});
  return specs;
}

// The quick sweep's seconds per repetition: still hundreds of calls per sample for the
// small cases (~15 us a call) and tens for the decode GEMVs, at 2/5 of the default's cost,
// so that the main job (calibration, this sweep, the NUMA and model runs) stays within 3
// minutes on a 2-core machine with ~120 runnable kernels.
constexpr double kQuickMinTimeS = 0.02;

// The "how" lists (kernel, threads, placement, NUMA policy, quantiser, seed): a grid's
// axes, or modifiers of listed cases. Every item is checked here, so that a typo is an
// error rather than a dropped combination.
harness::CaseModifiers how_lists(const SweepFlags& f) {
  harness::CaseModifiers h;
  if (!f.kernel.empty()) h.kernels = harness::parse_string_list("--kernel", f.kernel);
  if (!f.threads.empty()) {
    for (int64_t t : harness::parse_int_list("--threads", f.threads)) {
      if (t > 4096) throw Error("--threads: " + std::to_string(t) + " is more than 4096");
      h.threads.push_back(static_cast<int>(t));
    }
  }
  if (!f.place.empty()) {
    h.place = harness::parse_string_list("--place", f.place);
    for (const auto& v : h.place) {
      if (!harness::valid_place(v)) throw Error("--place: '" + v + "' is not compact, scatter or node.<i>");
    }
  }
  if (!f.numa.empty()) {
    h.numa = harness::parse_string_list("--numa", f.numa);
    for (const auto& v : h.numa) {
      if (!harness::valid_numa(v))
        throw Error("--numa: '" + v + "' is not local, bind.<node>, remote, interleave or replicate");
    }
  }
  require_nodes_exist(h.place, h.numa);
  if (!f.aq.empty()) {
    for (const auto& v : harness::parse_string_list("--aq", f.aq)) {
      const auto q = parse_act_quant(v);
      if (!q) throw Error("--aq: '" + v + "' is not runtime or ref");
      h.act_quant.push_back(*q);
    }
  }
  if (!f.seed.empty()) {
    for (int64_t v : harness::parse_int_list("--seed", f.seed)) h.seeds.push_back(static_cast<uint64_t>(v));
  }
  return h;
}

std::vector<harness::Case> collect_cases(const SweepFlags& f, bool default_sweep,
                                         std::vector<std::string>& dropped, std::string* digest = nullptr) {
  std::vector<harness::Case> cases;
  cases.reserve(f.cases.size());
  for (const auto& d : f.cases) cases.push_back(harness::parse_case(d));
  for (const auto& b : f.batches) {
    auto more = harness::read_batch_file(b);
    cases.insert(cases.end(), more.begin(), more.end());
  }
  const harness::CaseModifiers how = how_lists(f);
  const bool what_lists = !f.type.empty() || !f.m.empty() || !f.n.empty() || !f.k.empty();
  bool default_used = false;
  if (!cases.empty()) {
    // Listed cases name their type and shape; a grid of types or shapes beside them would
    // be a second sweep in the same file, which nobody asked for.
    if (what_lists) {
      throw Error(
          "--type, --m, --n and --k make a grid; with --case or --batch each descriptor names its "
          "type and shape (--kernel, --threads, --place, --numa, --aq and --seed apply to the listed "
          "cases). Run the grid as a separate command, or write its cases into the batch file");
    }
    if (!how.empty()) {
      auto e = harness::modify(cases, how);
      cases = std::move(e.cases);
      dropped.insert(dropped.end(), e.dropped.begin(), e.dropped.end());
    }
  } else if (what_lists || !how.empty() || !default_sweep) {
    harness::SweepSpec s;
    if (!how.kernels.empty()) s.kernels = how.kernels;
    if (!f.type.empty()) s.types = harness::parse_type_list("--type", f.type);
    if (!f.m.empty()) s.m = harness::parse_int_list("--m", f.m);
    if (!f.n.empty()) s.n = harness::parse_int_list("--n", f.n);
    if (!f.k.empty()) s.k = harness::parse_int_list("--k", f.k);
    if (!how.threads.empty()) s.threads = how.threads;
    if (!how.place.empty()) s.place = how.place;
    if (!how.numa.empty()) s.numa = how.numa;
    if (!how.act_quant.empty()) s.act_quant = how.act_quant;
    if (!how.seeds.empty()) s.seeds = how.seeds;
    auto e = harness::expand(s);
    cases.insert(cases.end(), e.cases.begin(), e.cases.end());
    dropped.insert(dropped.end(), e.dropped.begin(), e.dropped.end());
  } else {
    default_used = true;
    for (auto spec : default_specs(f.quick)) {
      if (spec.types.empty()) {
        // Nothing registered yet: the golden model and oneDNN on every format still run.
        spec.kernels = {"golden"};
        spec.types = {QType::Q8_0, QType::Q4_0, QType::Q4_K, QType::S8, QType::BF16};
      }
      auto e = harness::expand(spec);
      cases.insert(cases.end(), e.cases.begin(), e.cases.end());
      dropped.insert(dropped.end(), e.dropped.begin(), e.dropped.end());
    }
  }
  if (!f.weights.empty() || !f.activations.empty() || !f.routing.empty()) {
    // The files' shapes replace the descriptor's (the results and reproducers carry the
    // shape that ran); say so where a descriptor had named another.
    for (auto& c : cases) {
      const harness::Case given = c;
      c = harness::case_from_sources(c, {f.weights, f.activations, f.routing});
      if (c.type != given.type || c.shape() != given.shape()) {
        fmt::print(stderr,
                   "note: {} runs as {}:{} (the shape and type of --weights / --activations / --routing)\n",
                   given.descriptor(), name(c.type), c.shape());
      }
    }
  }
  // route=file without the file can run nowhere: a usage error before anything runs, not
  // a case's ERROR in a results file.
  if (f.routing.empty()) {
    for (const auto& c : cases)
      if (c.moe() && c.route == "file")
        throw Error(io::printable(c.descriptor(), 200) +
                    ": route=file reads the expert ids from --routing FILE.npy, which was not given");
  }
  if (f.quick && !default_used)
    throw Error("--quick shortens the default sweep (`run` without case flags); these cases are as given");
  cases = run_once(std::move(cases));
  if (digest != nullptr) *digest = harness::sweep_digest(cases);
  if (!f.shard.empty()) {
    int i = 0, n = 1;
    harness::parse_shard(f.shard, i, n);
    const size_t all = cases.size();
    cases = harness::shard(cases, i, n);
    if (cases.empty() && all > 0)
      throw Error(fmt::format("--shard {}: a sweep of {} case(s) leaves shard {} empty (at most {} shards)",
                              io::printable(f.shard, 40), all, i, all));
  }
  return cases;
}

nlohmann::json load_calibration(const std::string& path) {
  if (path.empty()) return nullptr;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw Error("--calibration: " + io::printable(path, 300) +
                " is a directory, not a calibration file (amxlab calibrate --out FILE writes one)");
  const std::string text = [&] {
    try {
      return io::read_regular_file(path, "calibration file");
    } catch (const Error& e) {
      throw Error(std::string("--calibration: ") + e.what());
    }
  }();
  nlohmann::json j;
  try {
    j = io::parse_bounded_json(text);
  } catch (const std::exception& e) {  // not JSON, or nested too deep
    throw Error("--calibration: " + io::printable(path, 300) +
                " cannot be read as JSON: " + io::printable(e.what(), 200));
  }
  // A results file carries the calibration its sweep ran with (results/README.md): that
  // one is used; a results file swept without one has none to give.
  const bool results = j.is_object() && j.value("schema", nlohmann::json()) == harness::kResultsSchema;
  if (results && !j.value("calibration", nlohmann::json()).is_object())
    throw Error("--calibration: " + io::printable(path, 300) +
                " is a results file of a sweep run without --calibration: it holds none (amxlab calibrate "
                "--out FILE writes one)");
  nlohmann::json cal = results ? j["calibration"] : j;
  const std::string schema = cal.is_object() && cal.contains("schema") && cal["schema"].is_string()
                                 ? cal["schema"].get<std::string>()
                                 : std::string();
  if (schema != "amxlab.calibration.v1") {
    throw Error("--calibration: " + io::printable(path, 300) + " is not a calibration (schema '" +
                io::printable(schema, 80) +
                "', not amxlab.calibration.v1; amxlab calibrate --out FILE writes one)");
  }
  // Read whole now, as every case will read it: a calibration missing a field is one
  // error before anything runs, not every case's ERROR in a results file.
  try {
    (void)calibrate::calibration_from_json(cal);
  } catch (const std::exception& e) {
    throw Error("--calibration: " + io::printable(path, 300) + ": " + io::printable(e.what(), 300));
  }
  return cal;
}

}  // namespace

std::vector<harness::Case> run_once(std::vector<harness::Case> cases) {
  std::set<std::string> seen;
  std::vector<harness::Case> unique;
  size_t repeats = 0;
  std::string first_repeat;
  for (auto& c : cases) {
    if (seen.insert(c.descriptor()).second) {
      unique.push_back(std::move(c));
    } else if (repeats++ == 0) {
      first_repeat = c.descriptor();
    }
  }
  if (repeats > 0)
    fmt::print(stderr, "note: {} case(s) listed more than once run once (first: {})\n", repeats,
               io::printable(first_repeat, 200));
  return unique;
}

void require_nodes_exist(const std::vector<std::string>& place, const std::vector<std::string>& numa) {
  const topo::Topology& topology = harness::machine_topology();
  const auto check = [&](const char* flag, const std::string& v, std::string_view word) {
    const std::string prefix = std::string(word) + ".";
    if (v.rfind(prefix, 0) != 0) return;
    int node = -1;
    const bool found = numa::parse_indexed(v, word, node) &&
                       std::any_of(topology.numa_nodes.begin(), topology.numa_nodes.end(),
                                   [&](const topo::NumaNode& n) { return n.os_index == node; });
    if (!found)
      throw Error(std::string(flag) + ": " + v + ": NUMA node " + v.substr(prefix.size()) +
                  " does not exist here (nodes: " + numa::node_list(topology) + ")");
  };
  for (const auto& v : place) check("--place", v, "node");
  for (const auto& v : numa) check("--numa", v, "bind");
}

void apply_isa_cap(const SweepFlags& f) {
  if (!f.max_isa.empty()) {
    IsaLevel l;
    if (!parse_isa_level(f.max_isa, l))
      throw Error("--max-isa: '" + f.max_isa + "' is not portable, avx2, avx512_vnni or amx");
    set_isa_cap(l);
    setenv("AMXLAB_MAX_ISA", f.max_isa.c_str(), 1);  // subprocesses inherit the cap
  }
}

harness::SweepSummary run_cases(const std::string& mode, const std::vector<harness::Case>& cases,
                                const std::vector<std::string>& dropped, const SweepFlags& f,
                                std::string* results_path, const std::string& digest) {
  if (cases.empty())
    throw Error("no cases to run" + (dropped.empty() ? std::string() : ": " + dropped.front()));
  if (!f.output.empty() && cases.size() != 1)
    throw Error("--output writes one case's output: this sweep has " + std::to_string(cases.size()) +
                " cases");
  for (const auto& isa : f.onednn_isa.empty() ? std::vector<std::string>{}
                                              : harness::parse_string_list("--onednn-isa", f.onednn_isa)) {
    onednn::Isa parsed{};
    if (!onednn::parse_isa(isa, parsed))
      throw Error("--onednn-isa: '" + isa +
                  "' is not a oneDNN ISA (e.g. avx2, avx2_vnni, avx512_core, avx512_core_vnni, "
                  "avx512_core_bf16, avx512_core_amx)");
  }
  if (f.no_onednn && f.paired_onednn > 0)
    throw Error("--paired-onednn times oneDNN beside the kernel: it cannot go with --no-onednn");
  if (f.no_onednn && !f.onednn_isa.empty())
    throw Error("--onednn-isa times oneDNN under each cap: it cannot go with --no-onednn");
  const int cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto over =
      std::count_if(cases.begin(), cases.end(), [&](const auto& c) { return c.threads > cpus; });
  if (over > 0) {
    fmt::print(stderr,
               "note: {} case(s) ask for more threads than this machine's {} CPUs: they run, "
               "oversubscribed, and their timings say so\n",
               over, cpus);
  }
  harness::parse_page_query(f.page_query);  // a bad value is an error before anything runs
  const bool check = mode != "bench", bench = mode != "check";
  harness::SweepOptions o;
  o.run.check = check;
  o.run.bench = bench;
  o.run.onednn = !f.no_onednn;
  o.run.repetitions = f.repetitions;
  o.run.min_time_s = f.min_time_s;
  o.run.paired_ceiling_rounds = f.paired_ceiling;
  o.run.paired_roofline_rounds = f.paired_roofline;
  o.run.paired_onednn_rounds = f.paired_onednn;
  o.run.cold = !f.no_cold;
  o.run.sources = {f.weights, f.activations, f.routing};
  o.run.output_npy = f.output;
  o.run.calibration = load_calibration(f.calibration);
  o.run.placement.hugepages = f.hugepages;
  o.run.placement.page_query = f.page_query;
  o.isolate = !f.no_isolate && check;
  o.case_timeout_s = f.timeout_s;
  o.self_exe = std::filesystem::read_symlink("/proc/self/exe").string();
  o.run.self_exe = o.self_exe;
  if (!f.onednn_isa.empty()) o.run.onednn_isas = harness::parse_string_list("--onednn-isa", f.onednn_isa);
  o.resume = !f.resume.empty();
  o.results_path = !f.resume.empty() ? f.resume
                   : !f.out.empty()  ? f.out
                                     : "results/local/" + mode + "-" + utc_time_tag() + ".json";
  if (!f.resume.empty() && !f.out.empty() && f.out != f.resume)
    throw Error("--resume and --out name different files");
  // A new file's folder is made; --resume's must exist (ResultsFile refuses a missing file).
  if (f.resume.empty())
    std::filesystem::create_directories(std::filesystem::absolute(o.results_path).parent_path());

  nlohmann::json header;
  const nlohmann::json info = machine_info();
  header["machine"] = {{"cpu", info["cpu"]}, {"amx", info["amx"]}, {"topology", info["topology"]}};
  header["build"] = info["build"];
  header["build"]["onednn"] = info["onednn"];
  header["calibration"] = o.run.calibration;
  header["run"] = {
      {"mode", mode},
      {"started", utc_time_tag()},
      {"isa_cap", name(isa_cap())},
      {"omp_wait_policy", std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "(unset)"},
      {"isolated", o.isolate},
      {"hugepages", o.run.placement.hugepages},
      {"shard", f.shard},
      {"cases_planned", cases.size()},  // merge tells a complete shard from a cut one
      {"sweep_digest", digest.empty() ? harness::sweep_digest(cases) : digest},
      {"dropped_combinations", dropped},
      // Part of what the cases are (same_sweep.h): oneDNN checked / timed or not, and the
      // real data they run on (null: seeded). `amxlab model --real-weights` appends one
      // sweep per tensor to one file: there each record's own "sources" say which.
      {"onednn", o.run.onednn},
      {"sources", f.sources_per_case ? nlohmann::json("per case (each record's \"sources\")")
                                     : harness::sources_json(o.run.sources)}};
  // What changes the timings of a bench / run sweep: a file timed under other settings
  // is not continued (--resume) or merged with this one (harness/results/same_sweep.h).
  if (bench) {
    header["run"]["timing"] = {{"repetitions", o.run.repetitions},
                               {"min_time_s", o.run.min_time_s},
                               {"cold", o.run.cold},
                               {"onednn", o.run.onednn},
                               {"onednn_isas", o.run.onednn_isas},
                               {"paired_ceiling_rounds", o.run.paired_ceiling_rounds},
                               {"paired_roofline_rounds", o.run.paired_roofline_rounds},
                               {"paired_onednn_rounds", o.run.paired_onednn_rounds}};
  }

  o.banner = fmt::format("amxlab {}: {} case(s) -> {}\n", mode, cases.size(), o.results_path);
  for (const auto& d : dropped) o.banner += fmt::format("  not a case: {}\n", d);
  auto summary = harness::run_sweep(cases, o, header);
  fmt::print("{}", harness::summary_table(summary));
  fmt::print("results: {}\n", o.results_path);
  if (results_path != nullptr) *results_path = o.results_path;
  return summary;
}

int exit_code(bool failed, bool interrupted, bool terminated) {
  if (terminated) return 143;  // 128 + SIGTERM, as the shell reports a process it ended
  return failed ? 1 : (interrupted ? 130 : 0);
}

int exit_code(const harness::SweepSummary& s) {
  return exit_code(s.failed(), s.interrupted, s.terminated);
}

namespace {

constexpr const char* kTimingFlags[] = {
    "--reps",          "--min-time", "--paired-ceiling", "--paired-roofline",
    "--paired-onednn", "--no-cold",  "--calibration",    "--onednn-isa"};
// (--no-isolate asks for what a command without a check does anyway: allowed.)
constexpr const char* kCheckingFlags[] = {"--timeout", "--output"};

}  // namespace

void group_mode_flags(CLI::App* cmd) {
  for (const char* flag : kTimingFlags)
    if (auto* o = cmd->get_option_no_throw(flag)) o->group("Timing (refused where nothing is timed)");
  for (const char* flag : kCheckingFlags)
    if (auto* o = cmd->get_option_no_throw(flag)) o->group("Check (refused where nothing is checked)");
}

void refuse_idle_flags(const CLI::App& cmd, bool checks, bool times, const std::string& what) {
  const auto refuse = [&](const auto& names, const char* does_not) {
    for (const char* flag : names) {
      if (cmd.get_option_no_throw(flag) != nullptr && cmd.count(flag) > 0)
        throw Error(fmt::format("{}: {} {}; it has no effect here", flag, what, does_not));
    }
  };
  if (!times) refuse(kTimingFlags, "times nothing (timing flags apply to bench and run)");
  if (!checks) refuse(kCheckingFlags, "checks nothing (the case timeout and --output belong to the check)");
}

namespace {

int run_mode(const std::string& mode, const SweepFlags& f) {
  apply_isa_cap(f);
  std::vector<std::string> dropped;
  std::string digest;
  const auto cases = collect_cases(f, mode == "run", dropped, &digest);
  if (f.list) {
    // The descriptors on stdout (a batch file); what was dropped, and why, on stderr.
    for (const auto& c : cases) fmt::print("{}\n", c.descriptor());
    for (const auto& d : dropped) fmt::print(stderr, "not a case: {}\n", d);
    if (cases.empty())
      throw Error("no cases to list" +
                  (dropped.empty() ? std::string() : " (every combination was dropped)"));
    return 0;
  }
  return exit_code(run_cases(mode, cases, dropped, f, nullptr, digest));
}

}  // namespace

void add_run_flags(CLI::App* cmd, SweepFlags& f) {
  cmd->add_option("--out", f.out, "results file (default results/local/<mode>-<time>.json)");
  cmd->add_option("--resume", f.resume, "continue this results file, skipping the cases it holds");
  cmd->add_option("--calibration", f.calibration, "calibration JSON (from amxlab calibrate) for roofline %");
  cmd->add_option("--max-isa", f.max_isa, "cap the kernels' ISA: portable, avx2, avx512_vnni, amx");
  cmd->add_option("--reps", f.repetitions, "timing repetitions")->check(whole_number(1, 1000000));
  cmd->add_option("--min-time", f.min_time_s, "minimum seconds per repetition")
      ->check(CLI::Range(1e-6, 3600.0));
  cmd->add_option("--paired-ceiling", f.paired_ceiling,
                  "N rounds, each timing the kernel and its block format's golden-mix loop (the "
                  "format ceiling) on the same CPUs back to back: % of the ceiling from one moment")
      ->check(whole_number(0, 1000));
  cmd->add_option(
         "--paired-roofline", f.paired_roofline,
         "N rounds, each timing the kernel (hot, and cold unless --no-cold) and the read loop over "
         "the same working set on the same CPUs back to back: x of the read roofline from one moment")
      ->check(whole_number(0, 1000));
  cmd->add_option("--paired-onednn", f.paired_onednn,
                  "N rounds, each timing the kernel (hot) and oneDNN's matmul of the case on the same CPUs "
                  "back to back: the speed ratio to oneDNN from one moment (MoE cases: its per-expert loop)")
      ->check(whole_number(0, 1000));
  cmd->add_option("--timeout", f.timeout_s, "seconds before a case is killed (check isolation)")
      ->check(CLI::Range(0.1, 1e7));
  cmd->add_flag("--no-cold", f.no_cold, "skip the cold-cache timing");
  cmd->add_flag("--no-isolate", f.no_isolate, "run cases in this process (no crash isolation)");
  // Two flags rather than CLI11's "--hugepages,!--no-hugepages", which --help shows as
  // "{false}", read as the default by users (it is on).
  cmd->add_flag_callback(
      "--hugepages", [&f] { f.hugepages = true; },
      "weights on huge pages, madvise(MADV_HUGEPAGE), ours and oneDNN's, as the calibrated read "
      "roofline's buffer (on by default; whether the kernel took it is recorded)");
  cmd->add_flag_callback("--no-hugepages", [&f] { f.hugepages = false; }, "weights on 4 KiB pages");
  cmd->add_option(
         "--page-query", f.page_query,
         "(testing) where page nodes are read: move_pages, lie:<node> (plants a mismatch), unavailable")
      ->group("");
}

namespace {

void add_sweep_flags(CLI::App* cmd, SweepFlags& f) {
  add_run_flags(cmd, f);
  cmd->add_option("--kernel", f.kernel,
                  "kernels: registry names, all, auto, golden, test.<fault> (comma list; default auto)");
  // The lists' defaults make the one case check and bench run without case flags:
  // q8_0:m1n4096k4096:t1:kernel=auto (`run` without them runs the default sweep instead).
  cmd->add_option("--type", f.type, "weight types, e.g. q4_0,q8_0 (default q8_0)");
  cmd->add_option("--m", f.m, "M values, e.g. 1,16,512 (default 1)");
  cmd->add_option("--n", f.n, "N values (default 4096)");
  cmd->add_option("--k", f.k, "K values (default 4096)");
  cmd->add_option("--threads", f.threads, "thread counts (default 1)");
  cmd->add_option("--place", f.place, "thread placements: compact, scatter, node.<i> (default compact)");
  cmd->add_option("--numa", f.numa,
                  "NUMA policies: local, bind.<node>, remote, interleave, replicate (default local)");
  cmd->add_option("--aq", f.aq, "activation quantisers: runtime, ref (default runtime)");
  cmd->add_option("--seed", f.seed, "data seeds (default 1)");
  cmd->add_option("--case", f.cases,
                  "a case descriptor (repeatable); --kernel, --threads, --place, --numa, --aq and --seed "
                  "then replace those fields (lists multiply), --type/--m/--n/--k are refused");
  cmd->add_option("--batch", f.batches,
                  "a batch file of descriptors (repeatable), e.g. harness/inputs/smoke.txt; as --case");
  cmd->add_option("--shard", f.shard, "run shard i/n of the sweep (0 <= i < n)");
  cmd->add_option("--weights", f.weights, "FILE.gguf:TENSOR instead of random weights");
  cmd->add_option("--activations", f.activations, "F32 [M][K] .npy instead of random activations");
  cmd->add_option("--routing", f.routing, "MoE cases: expert ids, int32/int64 [T][top_k] .npy (route=file)");
  cmd->add_option("--output", f.output, "write the kernel's output as .npy (single case)");
  cmd->add_option(
      "--onednn-isa", f.onednn_isa,
      "also time oneDNN under each ISA cap, one subprocess each (e.g. avx512_core_vnni,avx512_core_amx)");
  cmd->add_flag("--no-onednn", f.no_onednn, "skip oneDNN (check and timing)");
  cmd->add_flag("--list", f.list, "print the sweep's case descriptors (a batch file) and run nothing");
  group_mode_flags(cmd);
}

}  // namespace

void register_sweep_commands(CLI::App& app) {
  static const char* kModes[][2] = {
      {"check", "correctness of every case (golden, oneDNN, zero trust)"},
      {"bench", "timing of every case (Google Benchmark, hot and cold)"},
      {"run", "check and time every case; the default sweep without case flags"}};
  for (const auto& [mode, help] : kModes) {
    auto flags = std::make_shared<SweepFlags>();
    auto* cmd = app.add_subcommand(mode, help);
    add_sweep_flags(cmd, *flags);
    // Only `run` has a default sweep to shorten (check and bench default to one case).
    if (std::string(mode) == "run")
      cmd->add_flag(
          "--quick", flags->quick,
          "the default sweep with smaller shapes and --min-time 0.02 unless given (the main job's)");
    const std::string m = mode;
    cmd->callback([flags, m, cmd] {
      refuse_idle_flags(*cmd, m != "bench", m != "check", m);
      // The quick sweep's repetitions last 0.02 s (the default 0.05): its ~95 small cases
      // then take ~0.6 s each instead of ~1.3 s on 2 cores (kQuickMinTimeS says why).
      if (flags->quick && cmd->count("--min-time") == 0) flags->min_time_s = kQuickMinTimeS;
      const int rc = run_mode(m, *flags);
      if (rc != 0) throw CLI::RuntimeError(rc);
    });
  }
  auto* worker = app.add_subcommand("case-worker", "(internal) run one case for an isolating sweep");
  worker->group("");  // hidden
  auto desc = std::make_shared<std::string>();
  auto opts = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  worker->add_option("--case", *desc)->required();
  worker->add_option("--options", *opts)->required();
  worker->add_option("--out", *out)->required();
  {
    auto* t =
        app.add_subcommand("onednn-time", "(internal) time oneDNN on one case under an ISA cap, print JSON");
    t->group("");
    auto tc = std::make_shared<std::string>();
    auto isa = std::make_shared<std::string>();
    auto reps = std::make_shared<int>(5);
    auto min_time = std::make_shared<double>(0.05);
    auto hugepages = std::make_shared<bool>(true);
    t->add_option("--case", *tc)->required();
    t->add_option("--isa", *isa)->required();
    t->add_option("--reps", *reps);
    t->add_option("--min-time", *min_time);
    t->add_flag("--hugepages,!--no-hugepages", *hugepages);
    t->callback([=] { harness::run_onednn_time_worker(*tc, *isa, *reps, *min_time, *hugepages); });
  }
  worker->callback([desc, opts, out] {
    const int rc = harness::run_case_worker(*desc, *opts, *out);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace amxlab::cli
