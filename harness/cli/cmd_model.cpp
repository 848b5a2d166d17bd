// `amxlab model`: a model's matmuls as cases (harness/model), checked for every kernel
// that can run them and timed, with the per-token projection (DESIGN.md "Model
// workloads"). Two results files: <out> (the timed cases and the projection under
// "model") and <out stem>-check.json (the bitwise checks).
#include <fmt/core.h>

#include <filesystem>
#include <thread>

#include "harness/cli/commands.h"
#include "harness/cli/sweep_flags.h"
#include "harness/io/atomic_write.h"
#include "harness/io/gguf_reader.h"
#include "harness/io/printable.h"
#include "harness/model/manifest.h"
#include "harness/model/projection.h"
#include "harness/results/results_file.h"
#include "harness/sweep/case.h"
#include "kernels/core/error.h"
#include "kernels/registry.h"

namespace amxlab::cli {
namespace {

struct ModelFlags {
  std::string file, manifest, recipe = "q4_0", models_dir;
  int64_t layers = 0;
  int threads = 0;
  bool no_check = false, check_only = false;
  SweepFlags sweep;
};

std::string default_models_dir() {
  // The source tree's manifests; a bundle without it names --models-dir.
  const std::string in_tree = std::string(AMXLAB_SOURCE_DIR) + "/harness/inputs/models";
  return std::filesystem::exists(in_tree) ? in_tree : "harness/inputs/models";
}

std::vector<harness::Case> parse_all(const std::vector<std::string>& descriptors) {
  std::vector<harness::Case> out;
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
  fmt::print(
      "matmul time per token, oneDNN: decode {:.3f} ms ({:.1f} tokens/s), prefill {:.3f} ms ({:.1f} "
      "tokens/s)\n",
      d["decode_ms_per_token"].get<double>(), d["decode_tokens_per_s"].get<double>(),
      d["prefill_ms_per_token"].get<double>(), d["prefill_tokens_per_s"].get<double>());
  fmt::print("covered: {:.1f} % of the matmul weight bytes\n", 100.0 * p["covered_fraction"].get<double>());
}

int run_model(ModelFlags& f) {
  apply_isa_cap(f.sweep);
  if (f.file.empty() == f.manifest.empty())
    throw Error("amxlab model: give a GGUF file or --manifest NAME (one of them)");
  if (f.layers < 0) throw Error("--layers must be >= 0");
  const int threads =
      f.threads > 0 ? f.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  harness::model::ModelInventory inv;
  if (!f.file.empty()) {
    const io::GgufFile file = io::GgufFile::open(f.file);
    inv = harness::model::inventory_from_gguf(file);
  } else {
    const auto m =
        harness::model::load_manifest(f.models_dir.empty() ? default_models_dir() : f.models_dir, f.manifest);
    inv = harness::model::manifest_inventory(m, f.recipe, f.layers);
  }
  const auto cases = harness::model::model_cases(inv);
  const nlohmann::json inv_json = harness::model::inventory_json(inv);
  fmt::print("amxlab model: {}: {} tensors, {} matmul shapes\n", io::printable(inv.source, 200),
             inv.tensors.size(), cases.size());

  const std::string out = !f.sweep.out.empty() ? f.sweep.out : "results/local/model.json";
  const std::filesystem::path op(out);
  const std::string check_out = (op.parent_path() / (op.stem().string() + "-check.json")).string();
  int rc = 0;
  if (!f.no_check) {
    // Every kernel that can run each shape (AMX emulated included), bitwise against golden.
    std::vector<std::string> checks;
    for (const auto& c : cases) {
      if (!c.excluded.empty()) continue;
      std::vector<std::string> kernels = {"auto"};
      for (const auto& k : kernel_registry())
        if (k.weight_type == *c.type && kernel_runnable(k)) kernels.emplace_back(k.name);
      for (const auto& k : kernels)
        for (const auto& d : c.check_descriptors(k, threads)) checks.push_back(d);
    }
    SweepFlags cf = f.sweep;
    cf.out = check_out;
    rc = std::max(rc, exit_code(run_cases("check", parse_all(checks), {}, cf)));
  }
  if (f.check_only) return rc;

  std::vector<std::string> benches;
  for (const auto& c : cases) {
    if (!c.excluded.empty()) continue;
    benches.push_back(c.decode_descriptor(threads));
    if (!c.lm_head) benches.push_back(c.prefill_descriptor(threads));
  }
  SweepFlags bf = f.sweep;
  bf.out = out;
  std::string path;
  rc = std::max(rc, exit_code(run_cases("bench", parse_all(benches), {}, bf, &path)));
  nlohmann::json doc = harness::read_results(path);
  std::map<std::string, nlohmann::json> records;
  for (const auto& r : doc["cases"]) records[r.value("descriptor", "")] = r;
  const nlohmann::json projection = harness::model::project(inv, cases, records, threads);
  doc["model"] = {{"inventory", inv_json},
                  {"projection", projection},
                  {"check_results", f.no_check ? nlohmann::json(nullptr) : nlohmann::json(check_out)}};
  io::write_file_atomically(path, doc.dump(1));
  print_projection(projection, inv_json);
  fmt::print("results: {}{}\n", path, f.no_check ? "" : " (checks: " + check_out + ")");
  return rc;
}

}  // namespace

void register_model_command(CLI::App& app) {
  auto f = std::make_shared<ModelFlags>();
  auto* cmd = app.add_subcommand(
      "model",
      "a model's matmuls (GGUF file or --manifest): checked for every kernel, timed, projected per token");
  cmd->add_option("file", f->file, "GGUF model file (its tensor inventory; no tensor data is read)");
  cmd->add_option("--manifest", f->manifest, "a built-in model (harness/inputs/models/<name>.json)");
  cmd->add_option("--recipe", f->recipe, "with --manifest: q4_0, q8_0, q4_k_m (default q4_0)");
  cmd->add_option("--layers", f->layers, "with --manifest: keep the first N layers (0: all)");
  cmd->add_option("--threads", f->threads, "threads of every case (default: all CPUs)");
  cmd->add_option("--models-dir", f->models_dir, "where the manifests are (default: the source tree's)");
  cmd->add_flag("--no-check", f->no_check, "time and project only");
  cmd->add_flag("--check-only", f->check_only, "check only (no timing, no projection)");
  add_run_flags(cmd, f->sweep);
  cmd->add_flag("--no-onednn", f->sweep.no_onednn, "skip oneDNN");
  cmd->callback([f] {
    const int rc = run_model(*f);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace amxlab::cli
