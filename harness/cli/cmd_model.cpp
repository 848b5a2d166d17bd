// `amxlab model`: a model's matmuls as cases (harness/model), checked for every kernel
// that can run them and timed, with the per-token projection (DESIGN.md "Model
// workloads"). Two results files: <out> (the timed cases and the projection under
// "model") and <out stem>-check.json (the bitwise checks).
#include <fmt/core.h>

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "harness/cli/commands.h"
#include "harness/cli/sweep_flags.h"
#include "harness/cli/time_tag.h"
#include "harness/cli/whole_number.h"
#include "harness/io/atomic_write.h"
#include "harness/io/gguf_reader.h"
#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/model/manifest.h"
#include "harness/model/projection.h"
#include "harness/results/results_file.h"
#include "harness/sweep/case.h"
#include "harness/sweep/sweep.h"
#include "kernels/core/error.h"
#include "kernels/registry.h"

namespace amxlab::cli {
namespace {

struct ModelFlags {
  std::string file, manifest, recipe = "q4_0", models_dir;
  int64_t layers = 0;
  int threads = 0, rounds = 1;
  bool no_check = false, check_only = false, real_weights = false, list_cases = false;
  bool recipe_given = false;  // --recipe on the command line (its default applies to manifests)
  SweepFlags sweep;
};

std::string default_models_dir() {
  // The source tree's manifests; a bundle without it names --models-dir.
  const std::string in_tree = std::string(AMXLAB_SOURCE_DIR) + "/harness/inputs/models";
  return std::filesystem::exists(in_tree) ? in_tree : "harness/inputs/models";
}

std::vector<harness::Case> parse_all(const std::vector<std::string>& descriptors) {
  std::vector<harness::Case> out;
  out.reserve(descriptors.size());
  for (const auto& d : descriptors) out.push_back(harness::parse_case(d));
  return out;
}

void print_projection(const nlohmann::json& p, const nlohmann::json& inv) {
  fmt::print(
      "\nmodel: {} ({} layers{}), {} threads\n", inv["source"].get<std::string>(),
      inv["layers"].get<int64_t>(),
      inv["experts"].get<int64_t>() > 0
          ? fmt::format(", {} experts, top-{}", inv["experts"].get<int64_t>(), inv["top_k"].get<int64_t>())
          : "",
      p["threads"].get<int>());
  fmt::print("{:<38} {:>10} {:>6} {:>12} {:>7} {:>14}\n", "case (type shape, class)", "tensors", "",
             "decode us", "share", "prefill us/tok");
  for (const auto& r : p["cases"]) {
    fmt::print("{:<38} {:>10} {:>6} {:>12.1f} {:>6.1f}% {:>14.2f}\n",
               fmt::format("{} {} {}", r["type"].get<std::string>(), r["shape"].get<std::string>(),
                           r["class"].get<std::string>()),
               r["count"].get<int64_t>(), "", r["decode_s"].get<double>() * 1e6,
               100.0 * r["decode_share"].get<double>(), r["prefill_s_per_token"].get<double>() * 1e6);
  }
  for (const auto& r : p["left_out"]) {
    fmt::print("left out: {} {} {} x{}: {}\n", r["type"].get<std::string>(), r["shape"].get<std::string>(),
               r["class"].get<std::string>(), r["count"].get<int64_t>(), r["left_out"].get<std::string>());
  }
  const auto& o = p["ours"];
  const auto& d = p["onednn"];
  fmt::print(
      "matmul time per token, ours:   decode {:.3f} ms ({:.1f} tokens/s), prefill {:.3f} ms ({:.1f} "
      "tokens/s)\n",
      o["decode_ms_per_token"].get<double>(), o["decode_tokens_per_s"].get<double>(),
      o["prefill_ms_per_token"].get<double>(), o["prefill_tokens_per_s"].get<double>());
  if (d.contains("note") && d["decode_ms_per_token"].get<double>() == 0 &&
      d["prefill_ms_per_token"].get<double>() == 0) {
    fmt::print(
        "matmul time per token, oneDNN: not measured (--no-onednn, or no oneDNN matmul for these types)\n");
  } else {
    fmt::print(
        "matmul time per token, oneDNN: decode {:.3f} ms ({:.1f} tokens/s), prefill {:.3f} ms ({:.1f} "
        "tokens/s){}\n",
        d["decode_ms_per_token"].get<double>(), d["decode_tokens_per_s"].get<double>(),
        d["prefill_ms_per_token"].get<double>(), d["prefill_tokens_per_s"].get<double>(),
        d.contains("note") ? " (" + d["note"].get<std::string>() + ")" : "");
  }
  if (p.contains("rounds")) {
    const auto& sp = p["rounds"];
    const auto range = [&](const char* side, const char* total) {
      const auto& v = sp[side][total];
      return fmt::format("{:.3f} [{:.3f}, {:.3f}]", v["median"].get<double>(), v["min"].get<double>(),
                         v["max"].get<double>());
    };
    fmt::print(
        "{} rounds (the totals above: each case's median over them); the rounds' own totals, ms per token, "
        "median [min, max]:\n",
        sp["rounds"].get<int>());
    for (const char* side : {"ours", "onednn"})
      fmt::print("  {:<7} decode {}, decode hot {}, prefill {}\n", side, range(side, "decode_ms_per_token"),
                 range(side, "decode_hot_ms_per_token"), range(side, "prefill_ms_per_token"));
  }
  fmt::print("covered: {:.1f} % of the matmul weight bytes\n", 100.0 * p["covered_fraction"].get<double>());
}

int run_model(ModelFlags& f) {
  apply_isa_cap(f.sweep);
  if (f.file.empty() == f.manifest.empty())
    throw Error("amxlab model: give a GGUF file or --manifest NAME (one of them)");
  if (f.layers < 0) throw Error("--layers must be >= 0");
  // Flags that would be ignored are refused: a user who gave one expected it to act.
  if (!f.file.empty() && (f.recipe_given || f.layers > 0))
    throw Error("--recipe and --layers shape a --manifest model; a GGUF file's types and layers are its own");
  if (!f.manifest.empty() && f.real_weights)
    throw Error("--real-weights needs a GGUF file (a manifest has no tensor data)");
  if (f.check_only && f.rounds > 1) throw Error("--rounds times the cases: it has no use with --check-only");
  if (!f.models_dir.empty() && !std::filesystem::is_directory(f.models_dir))
    throw Error("--models-dir " + io::printable(f.models_dir, 200) + " is not a folder");
  const int threads =
      f.threads > 0 ? f.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  harness::model::ModelInventory inv;
  if (!f.file.empty()) {
    const io::GgufFile file = io::GgufFile::open(f.file);
    inv = harness::model::inventory_from_gguf(file);
  } else {
    const auto m =
        harness::model::load_manifest(f.models_dir.empty() ? default_models_dir() : f.models_dir, f.manifest);
    if (f.layers > m.layers)
      throw Error("--layers " + std::to_string(f.layers) + ": manifest " + io::printable(f.manifest, 80) +
                  " has " + std::to_string(m.layers) + " layers");
    inv = harness::model::manifest_inventory(m, f.recipe, f.layers);
  }
  const auto cases = harness::model::model_cases(inv);
  const auto timed_descriptors = [&](const harness::model::ModelCase& c) {
    std::vector<std::string> d = {c.decode_descriptor(threads)};
    if (!c.lm_head) d.push_back(c.prefill_descriptor(threads));
    return d;
  };
  if (f.list_cases) {  // a batch file of the timed cases (scripts/ab.sh --manifest)
    for (const auto& c : cases)
      if (c.excluded.empty())
        for (const auto& d : timed_descriptors(c)) fmt::print("{}\n", d);
    return 0;
  }
  const nlohmann::json inv_json = harness::model::inventory_json(inv);
  fmt::print("amxlab model: {}: {} tensors, {} matmul shapes\n", io::printable(inv.source, 200),
             inv.tensors.size(), cases.size());

  // --resume names the run's --out: it continues that file, its check file and its rounds'
  // files, each where it exists (an interrupted run may not have reached the timing).
  const bool resuming = !f.sweep.resume.empty();
  if (resuming && !f.sweep.out.empty() && f.sweep.out != f.sweep.resume)
    throw Error("--resume and --out name different files");
  std::string out = resuming ? f.sweep.resume : f.sweep.out;
  if (out.empty()) out = "results/local/model-" + utc_time_tag() + ".json";
  const std::filesystem::path op(out);
  const std::string check_out = (op.parent_path() / (op.stem().string() + "-check.json")).string();
  const auto round_path = [&](int r) {
    return r == 1
               ? out
               : (op.parent_path() / (op.stem().string() + "-round" + std::to_string(r) + ".json")).string();
  };
  if (resuming && !std::filesystem::exists(out) && !std::filesystem::exists(check_out))
    throw Error("--resume " + io::printable(out, 200) + ": neither it nor its check file " +
                io::printable(check_out, 200) +
                " exists, so there is nothing to continue (--resume takes the --out of the model run)");
  if (f.real_weights && f.file.empty()) throw Error("--real-weights needs a GGUF file");
  // The sweeps' outcome together (exit_code). One stopped by Ctrl-C or SIGTERM stops the
  // command: no later sweep runs and nothing is projected; --resume continues.
  bool failed = false, interrupted = false, terminated = false;
  const auto stopped = [&] { return interrupted || terminated; };
  // One sweep into `path` (appending after the first call, or from the first with
  // --resume); with --real-weights one per shape, on the bytes of its first tensor.
  std::map<std::string, bool> started;
  // `digest`: of every case the file will hold, so that the appending sweeps are one sweep
  // to --resume's check (harness/results/same_sweep.h).
  const auto sweep = [&](const std::string& mode, const std::vector<std::string>& descriptors,
                         const std::string& path, const std::string& tensor, const std::string& digest) {
    if (stopped()) return path;
    SweepFlags g = f.sweep;
    const bool append = started[path] || (resuming && std::filesystem::exists(path));
    g.out = append ? "" : path;
    g.resume = append ? path : "";
    g.weights = tensor.empty() ? "" : f.file + ":" + tensor;
    g.sources_per_case = f.real_weights;
    std::string written;
    const harness::SweepSummary summary = run_cases(mode, parse_all(descriptors), {}, g, &written, digest);
    failed |= summary.failed();
    interrupted |= summary.interrupted;
    terminated |= summary.terminated;
    started[path] = true;
    return written;
  };
  const auto each_shape =
      [&](const std::string& mode, const std::string& path,
          const std::function<std::vector<std::string>(const harness::model::ModelCase&)>& of) {
        // A descriptor two shapes share runs once: the checks' first 512 rows of two N,
        // or one shape in two tensor classes. With --real-weights the checks are of the
        // tensors' bytes, so each shape's run on its own tensor (results_file.h, case_key).
        const bool per_tensor = f.real_weights && mode == "check";
        std::vector<std::string> all;
        std::vector<std::pair<std::vector<std::string>, std::string>> per_shape;  // descriptors, tensor
        std::set<std::string> queued;
        for (const auto& c : cases) {
          if (!c.excluded.empty()) continue;
          if (per_tensor) queued.clear();
          std::vector<std::string> d;
          for (auto& x : of(c))
            if (queued.insert(x).second) d.push_back(std::move(x));
          if (d.empty()) continue;
          all.insert(all.end(), d.begin(), d.end());
          per_shape.emplace_back(d, c.tensors.front());
        }
        const std::string digest = harness::sweep_digest(parse_all(all));
        if (!f.real_weights) return sweep(mode, all, path, "", digest);
        std::string written = path;
        for (const auto& [d, tensor] : per_shape) written = sweep(mode, d, path, tensor, digest);
        return written;
      };
  if (!f.no_check) {
    // Every kernel that can run each shape (AMX emulated included), bitwise against golden.
    each_shape("check", check_out, [&](const harness::model::ModelCase& c) {
      std::vector<std::string> kernels = {"auto"}, out_d;
      for (const auto& k : kernel_registry())
        if (k.weight_type == *c.type && kernel_runnable(k)) kernels.emplace_back(k.name);
      for (const auto& k : kernels)
        for (const auto& d : c.check_descriptors(k, threads)) out_d.push_back(d);
      return out_d;
    });
  }
  const auto rc = [&] { return exit_code(failed, interrupted, terminated); };
  if (f.check_only || stopped()) return rc();
  // Round 1 into <out>, round r > 1 into <out stem>-round<r>.json: each a whole sweep of
  // the timed cases, one after the other, so the rounds see the machine at different
  // moments. The projection takes each case's median over the rounds; the rounds' own
  // projections give the spread.
  std::vector<std::map<std::string, nlohmann::json>> rounds;
  std::vector<nlohmann::json> round_projections;
  nlohmann::json round_files = nlohmann::json::array();
  std::string path;  // round 1's file: it receives the projection
  nlohmann::json doc;
  for (int r = 1; r <= f.rounds; ++r) {
    const std::string written = each_shape("bench", round_path(r), timed_descriptors);
    if (stopped()) return rc();
    nlohmann::json round_doc = harness::read_results(written);
    std::map<std::string, nlohmann::json> records;
    for (const auto& rec : round_doc["cases"]) records[rec.value("descriptor", "")] = rec;
    round_projections.push_back(harness::model::project(cases, records, threads));
    rounds.push_back(std::move(records));
    round_files.push_back(written);
    if (r == 1) {
      path = written;
      doc = std::move(round_doc);
    }
  }
  // One round: its own projection; several: the projection of each case's median.
  nlohmann::json projection =
      f.rounds == 1 ? round_projections.front()
                    : harness::model::project(cases, harness::model::merge_rounds(rounds), threads);
  if (f.rounds > 1) {
    projection["rounds"] = harness::model::round_spread(round_projections);
    projection["rounds"]["files"] = round_files;
    projection["rules"] =
        projection["rules"].get<std::string>() +
        "; each case's median over the rounds (rounds: the spread of the rounds' own totals)";
  }
  doc["model"] = {{"inventory", inv_json},
                  {"projection", projection},
                  {"check_results", f.no_check ? nlohmann::json(nullptr) : nlohmann::json(check_out)}};
  io::write_file_atomically(path, io::dump_json(doc, 1));
  print_projection(projection, inv_json);
  fmt::print("results: {}{}\n", path, f.no_check ? "" : " (checks: " + check_out + ")");
  return rc();
}

}  // namespace

void register_model_command(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  auto* cmd = app.add_subcommand(
      "model",
      "a model's matmuls (GGUF file or --manifest): checked for every kernel, timed, projected per token");
  cmd->add_option("file", f->file, "GGUF model file (its tensor inventory; no tensor data is read)");
  cmd->add_option("--manifest", f->manifest, "a built-in model (harness/inputs/models/<name>.json)");
  std::string recipes;
  for (const auto& r : harness::model::recipe_names()) recipes += (recipes.empty() ? "" : ", ") + r;
  cmd->add_option("--recipe", f->recipe, "with --manifest: " + recipes + " (default q4_0)")
      ->each([f](const std::string&) { f->recipe_given = true; });
  cmd->add_option("--layers", f->layers, "with --manifest: keep the first N layers (0: all)")
      ->check(whole_number(0, 1u << 20));
  cmd->add_option("--threads", f->threads, "threads of every case (one count; default: all CPUs)")
      ->default_str("all CPUs")
      ->check(whole_number(1, 4096));
  cmd->add_option(
         "--rounds", f->rounds,
         "time every case this many times, a whole sweep per round (round r > 1 into <out>-round<r>.json): "
         "the projection takes each case's median and prints the rounds' spread")
      ->check(whole_number(1, 100));
  cmd->add_option("--models-dir", f->models_dir, "where the manifests are (default: the source tree's)");
  cmd->add_flag("--no-check", f->no_check, "time and project only");
  cmd->add_flag(
      "--real-weights", f->real_weights,
      "with a GGUF file: run each shape on the bytes of its first tensor in the file (checks: the first "
      "512 rows of the first 16 experts)");
  auto* check_only = cmd->add_flag("--check-only", f->check_only, "check only (no timing, no projection)");
  check_only->excludes("--no-check");
  // --list, as the sweep commands call it, is the same flag.
  cmd->add_flag("--list-cases,--list", f->list_cases,
                "print the timed cases' descriptors (a batch file) and exit, running nothing");
  add_run_flags(cmd, f->sweep);
  cmd->add_flag("--no-onednn", f->sweep.no_onednn, "skip oneDNN");
  group_mode_flags(cmd);
  cmd->callback([f, cmd] {
    refuse_idle_flags(*cmd, !f->no_check, !f->check_only,
                      f->check_only ? "model --check-only" : "model --no-check");
    const int rc = run_model(*f);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace amxlab::cli
