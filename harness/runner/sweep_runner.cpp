#include "harness/runner/sweep_runner.h"

#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/results/results_file.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

std::atomic<bool> g_stop{false};       // SIGINT: stop after the running case
std::atomic<bool> g_terminate{false};  // SIGTERM: stop now

void on_sigint(int) {
  g_stop.store(true);
}

void on_sigterm(int) {
  g_terminate.store(true);
  g_stop.store(true);
}

// SIGINT always; SIGTERM only where the cases run in subprocesses, which the sweep can
// end at once (an in-process case cannot be abandoned midway, so there SIGTERM keeps its
// default action and the file stays as it was after the last case, without run_end).
struct SignalGuard {
  struct sigaction old_int{}, old_term{};
  bool term = false;
  explicit SignalGuard(bool handle_term) : term(handle_term) {
    struct sigaction sa{};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    if (term) {
      sa.sa_handler = on_sigterm;
      sigaction(SIGTERM, &sa, &old_term);
    }
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int, nullptr);
    if (term) sigaction(SIGTERM, &old_term, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

void draw_progress(size_t done, size_t total, const std::string& current) {
  if (!isatty(STDERR_FILENO)) return;
  constexpr int kWidth = 30;
  const int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  fmt::print(stderr, "\r\033[K[{}] {}/{} {}", bar, done, total, current.substr(0, 60));
  if (done == total) fmt::print(stderr, "\n");
}

// In TMPDIR (or /tmp), so a caller that may kill the sweep can give it a folder of its own.
std::string temp_path(const std::string& tag) {
  return (std::filesystem::temp_directory_path() /
          fmt::format("amxlab-{}-{}-{}.json", tag, getpid(),
                      std::chrono::steady_clock::now().time_since_epoch().count()))
      .string();
}

nlohmann::json failure_record(const Case& c, const RunOptions& o, const std::string& verdict,
                              const std::string& why) {
  nlohmann::json rec = case_record_head(c, o);
  rec["verdict"] = verdict;
  rec["reason"] = why;
  return rec;
}

// Runs the case in `amxlab case-worker`, in its own process group (so Ctrl-C reaches only
// the sweep, which then stops after this case), with a watchdog. nullopt: SIGTERM came
// while it ran; the worker's group is killed and its files removed, no record.
std::optional<nlohmann::json> run_isolated(const Case& c, const SweepOptions& o) {
  const std::string opts_path = temp_path("options"), out_path = temp_path("case");
  {
    std::ofstream f(opts_path);
    f << run_options_to_json(o.run).dump();
  }
  const std::string desc = c.descriptor();
  std::vector<std::string> args = {o.self_exe,  "case-worker", "--case", desc,
                                   "--options", opts_path,     "--out",  out_path};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, o.self_exe.c_str(), nullptr, &attr, argv.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    std::remove(opts_path.c_str());
    return failure_record(c, o.run, "ERROR", "cannot start " + o.self_exe + ": " + std::strerror(rc));
  }
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  bool timed_out = false;
  while (true) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (g_terminate.load()) {
      kill(-pid, SIGKILL);  // the worker leads its own group; its files go below
      waitpid(pid, &status, 0);
      break;
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > o.case_timeout_s) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // A worker ended by SIGTERM is most often one process of a job-wide termination
  // (scancel signals every process of the job, one after the other): give the sweep's own
  // signal a moment to arrive, so the case is left for --resume rather than recorded as
  // CRASHED. A worker killed alone still counts as CRASHED after that wait.
  for (int i = 0; i < 40 && !g_terminate.load() && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (g_terminate.load()) {
    std::remove(opts_path.c_str());
    std::remove(out_path.c_str());
    return std::nullopt;
  }
  std::remove(opts_path.c_str());
  nlohmann::json rec;
  if (timed_out) {
    rec = failure_record(c, o.run, "TIMEOUT", fmt::format("killed after {} s", o.case_timeout_s));
    rec["reproducer"] = rec["reproducer"].get<std::string>() + fmt::format(" --timeout {}", o.case_timeout_s);
  } else if (WIFSIGNALED(status)) {
    rec = failure_record(
        c, o.run, "CRASHED",
        fmt::format("the case died with signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status))));
  } else {
    std::ifstream in(out_path);
    std::stringstream ss;
    ss << in.rdbuf();
    try {
      rec = nlohmann::json::parse(ss.str());
    } catch (const std::exception&) {
      rec = failure_record(c, o.run, "CRASHED",
                           fmt::format("the case exited with status {} and no result", WEXITSTATUS(status)));
    }
  }
  std::remove(out_path.c_str());
  return rec;
}

// A bench case that ran was timed, not checked: shown and counted as "timed" (its JSON
// verdict stays PASS, with "checked": false).
std::string shown_verdict(const nlohmann::json& rec) {
  const std::string v = rec.value("verdict", "ERROR");
  return v == "PASS" && !rec.value("checked", true) ? "timed" : v;
}

}  // namespace

bool SweepSummary::failed() const {
  for (const auto* counts : {&verdicts, &resumed_verdicts}) {
    for (const auto& [v, n] : *counts) {
      if (n > 0 && is_failure(v)) return true;
    }
  }
  return false;
}

nlohmann::json run_options_to_json(const RunOptions& o) {
  return {{"check", o.check},
          {"bench", o.bench},
          {"onednn", o.onednn},
          {"repetitions", o.repetitions},
          {"min_time_s", o.min_time_s},
          {"cold", o.cold},
          {"paired_ceiling_rounds", o.paired_ceiling_rounds},
          {"paired_roofline_rounds", o.paired_roofline_rounds},
          {"paired_onednn_rounds", o.paired_onednn_rounds},
          {"cold_bytes", o.cold_bytes},
          {"weights", o.sources.weights},
          {"activations", o.sources.activations},
          {"routing", o.sources.routing},
          {"output_npy", o.output_npy},
          {"calibration", o.calibration},
          {"onednn_isas", o.onednn_isas},
          {"self_exe", o.self_exe},
          {"hugepages", o.placement.hugepages},
          {"page_query", o.placement.page_query}};
}

RunOptions run_options_from_json(const nlohmann::json& j) {
  RunOptions o;
  o.check = j.value("check", true);
  o.bench = j.value("bench", false);
  o.onednn = j.value("onednn", true);
  o.repetitions = j.value("repetitions", 5);
  o.min_time_s = j.value("min_time_s", 0.05);
  o.cold = j.value("cold", true);
  o.paired_ceiling_rounds = j.value("paired_ceiling_rounds", 0);
  o.paired_roofline_rounds = j.value("paired_roofline_rounds", 0);
  o.paired_onednn_rounds = j.value("paired_onednn_rounds", 0);
  o.cold_bytes = j.value("cold_bytes", uint64_t{0});
  o.sources.weights = j.value("weights", "");
  o.sources.activations = j.value("activations", "");
  o.sources.routing = j.value("routing", "");
  o.output_npy = j.value("output_npy", "");
  o.calibration = j.value("calibration", nlohmann::json());
  o.onednn_isas = j.value("onednn_isas", std::vector<std::string>{});
  o.self_exe = j.value("self_exe", "");
  o.placement.hugepages = j.value("hugepages", false);
  o.placement.page_query = j.value("page_query", "move_pages");
  return o;
}

int run_case_worker(const std::string& descriptor, const std::string& options_json_path,
                    const std::string& out_path) {
  std::ifstream in(options_json_path);
  std::stringstream ss;
  ss << in.rdbuf();
  const RunOptions o = run_options_from_json(nlohmann::json::parse(ss.str()));
  const nlohmann::json rec = run_case(parse_case(descriptor), o);
  std::ofstream out(out_path);
  out << io::dump_json(rec, -1);
  return out ? 0 : 1;
}

SweepSummary run_sweep(const std::vector<Case>& cases, const SweepOptions& o, nlohmann::json header) {
  SweepSummary s;
  ResultsFile file(o.results_path, std::move(header), o.resume);
  fmt::print("{}", o.banner);
  std::fflush(stdout);  // before the cases' own output (isolated: other processes)
  const SignalGuard guard(o.isolate);
  g_stop.store(false);
  g_terminate.store(false);
  size_t done = 0;
  const nlohmann::json sources = sources_json(o.run.sources);  // every case's: one run's data
  for (const Case& c : cases) {
    const std::string d = c.descriptor();
    if (const nlohmann::json* held = file.find_case(case_key(d, sources))) {
      const std::string v = shown_verdict(*held);
      s.resumed_verdicts[v]++;
      if (is_failure(v)) s.resumed_failures.push_back(*held);
      ++s.resumed;
      ++done;
      continue;
    }
    if (g_stop.load()) {
      s.interrupted = true;
      break;
    }
    if (o.progress) draw_progress(done, cases.size(), d);
    std::optional<nlohmann::json> ran;
    if (o.isolate) {
      ran = run_isolated(c, o);
    } else {
      ran = run_case(c, o.run);
    }
    if (!ran) break;  // terminated: the case is not in the file, --resume runs it
    nlohmann::json& rec = *ran;
    file.append(rec);
    s.verdicts[shown_verdict(rec)]++;
    s.records.push_back(std::move(rec));
    ++s.ran;
    ++done;
  }
  if (o.progress && !s.interrupted) draw_progress(done, cases.size(), "");
  if (g_stop.load()) s.interrupted = true;
  s.terminated = g_terminate.load();
  file.set_field("run_end", {{"interrupted", s.interrupted},
                             {"terminated", s.terminated},
                             {"cases_in_file", file.document()["cases"].size()}});
  return s;
}

namespace {

// A line per record whose timing holds `key` (a --paired-* measurement): "<label>
// <descriptor>: " and what `measured` says of it, or "not measured: <why>".
void paired_lines(std::string& out, const SweepSummary& s, const char* key, const char* label,
                  const std::function<std::string(const nlohmann::json&)>& measured) {
  for (const auto& r : s.records) {
    if (!r.contains("timing") || !r["timing"].contains(key)) continue;
    const nlohmann::json& p = r["timing"][key];
    out += fmt::format("{} {}: {}\n", label, r.value("descriptor", ""),
                       p.contains("skipped") ? "not measured: " + p.value("skipped", "") : measured(p));
  }
}

}  // namespace

std::string summary_table(const SweepSummary& s) {
  std::string out =
      fmt::format("{:<72} {:<10} {:>10} {:>9} {:>9}\n", "case", "verdict", "median", "GOPS", "vs oneDNN");
  for (const auto& r : s.records) {
    std::string median = "-", gops = "-", vs = "-";
    if (r.contains("timing") && r["timing"].contains("hot")) {
      median = fmt::format("{:.1f}us", r["timing"]["hot"].value("median_s", 0.0) * 1e6);
      gops = fmt::format("{:.1f}", r["timing"].value("gops", 0.0));
      if (r.contains("onednn_timing") && r["onednn_timing"].contains("median_s")) {
        vs = fmt::format(
            "{:.2f}x", r["onednn_timing"].value("median_s", 0.0) / r["timing"]["hot"].value("median_s", 1.0));
      }
    }
    out += fmt::format("{:<72} {:<10} {:>10} {:>9} {:>9}\n", r.value("descriptor", ""), shown_verdict(r),
                       median, gops, vs);
  }
  std::string counts, held;
  for (const auto& [v, n] : s.verdicts) counts += fmt::format("{} {}  ", v, n);
  for (const auto& [v, n] : s.resumed_verdicts)
    held += fmt::format("{}{} {}", held.empty() ? "" : ", ", v, n);
  out += fmt::format("\n{} case(s) run, {} already in the file{}; {}{}\n", s.ran, s.resumed,
                     held.empty() ? "" : " (" + held + ")", counts,
                     s.terminated    ? "(terminated by SIGTERM: rerun with --resume to finish)"
                     : s.interrupted ? "(interrupted: rerun with --resume to finish)"
                                     : "");
  for (const auto& r : s.records) {
    const std::string v = r.value("verdict", "");
    if (v != "PASS" && v != "SKIPPED") {
      out += fmt::format("{}: {}\n  {}\n  rerun: {}\n", v, r.value("descriptor", ""), r.value("reason", ""),
                         r.value("reproducer", ""));
    }
  }
  // Strings from the file: escaped.
  for (const auto& r : s.resumed_failures) {
    out +=
        fmt::format("{} (already in the file): {}\n  {}\n  rerun: {}\n",
                    io::printable(r.value("verdict", ""), 20), io::printable(r.value("descriptor", ""), 300),
                    io::printable(r.value("reason", ""), 300), io::printable(r.value("reproducer", ""), 400));
  }
  paired_lines(out, s, "format_ceiling_paired", "paired ceiling", [](const nlohmann::json& p) {
    return fmt::format("{:.1f} % of {} (median of {} rounds; {:.1f} to {:.1f})", p.value("pct_median", 0.0),
                       p.value("mix", ""), p["rounds"].size(), p.value("pct_min", 0.0),
                       p.value("pct_max", 0.0));
  });
  paired_lines(out, s, "onednn_paired", "paired oneDNN", [](const nlohmann::json& p) {
    return fmt::format("{:.2f}x oneDNN's speed ({}; median of {} rounds; {:.2f} to {:.2f})",
                       p.value("speed_vs_onednn_median", 0.0), p.value("impl", ""), p["rounds"].size(),
                       p.value("speed_vs_onednn_min", 0.0), p.value("speed_vs_onednn_max", 0.0));
  });
  for (const auto& r : s.records) {
    for (const char* mode : {"hot", "cold"}) {
      if (!r.contains("timing") || !r["timing"].contains(mode) ||
          !r["timing"][mode].contains("roofline_paired"))
        continue;
      const nlohmann::json& p = r["timing"][mode]["roofline_paired"];
      if (p.contains("skipped")) {
        out += fmt::format("paired roofline {} {}: not measured: {}\n", mode, r.value("descriptor", ""),
                           p.value("skipped", ""));
      } else {
        out += fmt::format(
            "paired roofline {} {}: {:.2f}x of GGUF bytes / read bandwidth at {:.1f} MiB "
            "(median of {} rounds; {:.2f} to {:.2f})\n",
            mode, r.value("descriptor", ""), p.value("time_vs_roofline_median", 0.0),
            p.value("working_set_bytes", 0.0) / (1 << 20), p["rounds"].size(),
            p.value("time_vs_roofline_min", 0.0), p.value("time_vs_roofline_max", 0.0));
      }
    }
  }
  for (const auto& r : s.records) {
    if (r.value("verdict", "") == "SKIPPED")
      out += fmt::format("SKIPPED {}: {}\n", r.value("descriptor", ""), r.value("reason", ""));
  }
  return out;
}

}  // namespace amxlab::harness
