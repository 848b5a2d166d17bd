#include "harness/runner/runner.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <span>
#include <vector>

#include "harness/io/npy.h"
#include "harness/io/printable.h"
#include "harness/runner/checks.h"
#include "harness/runner/kernel_under_test.h"
#include "harness/runner/moe_case.h"
#include "harness/runner/onednn_reference.h"
#include "harness/runner/throughput.h"
#include "kernels/core/error.h"
#include "kernels/core/fpenv.h"
#include "kernels/isa.h"
#include "kernels/pack/packed_weights.h"
#include "kernels/registry.h"

namespace amxlab::harness {
namespace {

bool int_output(QType t) {
  return t == QType::S8 || t == QType::U8;
}

std::vector<float> activation_values(const Case& c, const CaseData& d) {
  if (!d.a_f32.empty()) return d.a_f32;
  std::vector<float> a(d.a_plain.size());
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = c.type == QType::U8 ? static_cast<float>(static_cast<uint8_t>(d.a_plain[i]))
                               : static_cast<float>(static_cast<int8_t>(d.a_plain[i]));
  }
  return a;
}

void check_case(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o,
                nlohmann::json& rec, std::string& verdict, std::string& reason) {
  const size_t mn = static_cast<size_t>(c.out_rows() * c.n);
  const bool is_int = int_output(c.type);
  std::vector<uint32_t> want(mn), got(mn);
  run_golden(c, d, want.data());

  // Poison dst: a kernel that accumulates into it, or skips an element, cannot pass.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (auto& v : got) std::memcpy(&v, &nan, 4);
  k.run(c, d, got.data());
  if (!mxcsr_is_default()) {
    verdict = "FAIL";
    reason = "the kernel left MXCSR changed";
  }
  // The output's bits in one word, so that two runs (two revisions: scripts/ab.sh) can
  // tell whether any bit moved even when both pass their checks.
  rec["output_checksum"] = fmt::format("{:016x}", checksum_bytes(std::as_bytes(std::span(got))));
  if (!o.output_npy.empty()) {
    const int64_t shape[2] = {c.out_rows(), c.n};
    if (is_int) {
      io::write_npy_i32(o.output_npy, shape, {reinterpret_cast<const int32_t*>(got.data()), mn});
    } else {
      io::write_npy_f32(o.output_npy, shape, {reinterpret_cast<const float*>(got.data()), mn});
    }
  }

  if (!c.moe() && (c.type == QType::BF16 || c.type == QType::F16 || c.type == QType::F32)) {
    // No two float implementations agree bitwise: ULP + analytic bound vs the exact model.
    const auto e = exact_reference(c, d);
    const BoundCheck b = compare_within({reinterpret_cast<const float*>(got.data()), mn}, e.y, e.bound, c.n);
    rec["checks"]["golden"] = b.to_json();
    if (!b.pass() && verdict == "PASS") {
      verdict = "FAIL";
      reason = fmt::format("y[{}][{}] = {} is {:.3g} bounds away from exact {}", b.first_m, b.first_n, b.got,
                           b.max_ratio, b.exact);
    }
    // A registry kernel also equals its own exact model (its operation order) bit for bit.
    std::vector<float> model;
    if (const KernelDesc* kd = find_kernel(k.name()); kd != nullptr && run_kernel_model(c, d, *kd, model)) {
      const BitwiseCheck m = compare_bitwise(got.data(), model.data(), c.m, c.n, false);
      rec["checks"]["exact_model"] = m.to_json();
      if (!m.pass() && verdict == "PASS") {
        verdict = "FAIL";
        reason = fmt::format(
            "{} of {} outputs differ from the kernel's exact model; first y[{}][{}] = {}, model {}",
            m.mismatches, mn, m.first_m, m.first_n, m.got, m.want);
      }
    }
  } else {
    const BitwiseCheck b = compare_bitwise(got.data(), want.data(), c.out_rows(), c.n, is_int);
    rec["checks"]["golden"] = b.to_json();
    if (c.moe()) {
      rec["checks"]["golden"]["definition"] =
          traits(c.type).block_quantized || is_int
              ? "per (token, slot) the single-expert golden GEMM"
              : "per (token, slot) the kernels' exact model (reference/golden/kernel_models.h)";
    }
    if (!b.pass() && verdict == "PASS") {
      verdict = "FAIL";
      reason = fmt::format("{} of {} outputs differ from golden; first y[{}][{}] = {}, golden {}",
                           b.mismatches, mn, b.first_m, b.first_n, b.got, b.want);
    }
  }

  const ZeroTrust z = zero_trust(activation_values(c, d), dequantized_weights(c, d), got.data(),
                                 static_cast<int64_t>(mn), is_int);
  rec["checks"]["zero_trust"] = z.to_json();
  if (!z.trusted && verdict == "PASS") {
    verdict = "MISTRUSTED";
    reason = z.reason;
  }

  if (o.onednn) {
    nlohmann::json j = c.moe() ? onednn_moe_check(c, d, want.data()) : onednn_check(c, d, want.data());
    if (!j.value("pass", true) && verdict == "PASS") {
      verdict = "FAIL";
      reason = "oneDNN disagrees with golden: " + j.value("detail", std::string());
    }
    rec["checks"]["onednn_vs_golden"] = std::move(j);
  }
}

}  // namespace

std::string reproducer(const Case& c, const RunOptions& o) {
  std::string cmd = "amxlab check --case '" + c.descriptor() + "'";
  if (!o.sources.weights.empty()) cmd += " --weights " + io::shell_word(o.sources.weights);
  if (!o.sources.activations.empty()) cmd += " --activations " + io::shell_word(o.sources.activations);
  if (!o.sources.routing.empty()) cmd += " --routing " + io::shell_word(o.sources.routing);
  // The cap picks the kernel of kernel=auto (and skips kernels above it): part of the case.
  if (isa_cap() != IsaLevel::amx) cmd += std::string(" --max-isa ") + name(isa_cap());
  if (!o.placement.hugepages) cmd += " --no-hugepages";
  if (o.placement.page_query != "move_pages") cmd += " --page-query " + o.placement.page_query;
  return cmd;
}

nlohmann::json case_record_head(const Case& c, const RunOptions& o) {
  nlohmann::json rec = {{"descriptor", c.descriptor()}, {"kernel", c.kernel},
                        {"type", name(c.type)},         {"shape", {{"m", c.m}, {"n", c.n}, {"k", c.k}}},
                        {"threads", c.threads},         {"reproducer", reproducer(c, o)}};
  if (const auto src = sources_json(o.sources); !src.is_null()) rec["sources"] = src;
  return rec;
}

nlohmann::json run_case(const Case& c, const RunOptions& o) {
  nlohmann::json rec = case_record_head(c, o);
  if (c.moe()) rec["moe"] = {{"experts", c.experts}, {"top_k", c.top_k}, {"tokens", c.m}, {"route", c.route}};
  rec["numa"] = {{"policy", c.numa}, {"place", c.place}, {"observed", nullptr}};
  std::string verdict = "PASS", reason;
  try {
    const CaseData d = make_case_data(c, o.sources);
    rec["data_source"] = d.source;
    auto k = make_kernel_under_test(c, d, o.placement);
    rec["kernel"] = k->name();
    rec["engine"] = k->engine();
    // Packing once per weight tensor: timed apart from the GEMM, reported separately.
    const auto pack_start = std::chrono::steady_clock::now();
    k->prepare(c, d);
    rec["pack_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - pack_start).count();
    if (!k->placement().is_null()) rec["numa"] = k->placement();
    if (c.moe()) rec["moe"]["routed_experts"] = std::set<int32_t>(d.ids.begin(), d.ids.end()).size();
    if (!k->placement_flag().empty()) {
      // The weights are not where the policy says: any figure would be mislabelled.
      verdict = "FAIL";
      reason = "NUMA placement differs from numa=" + c.numa + ": " + k->placement_flag();
    }
    if (o.check) check_case(c, d, *k, o, rec, verdict, reason);
    if (o.bench && k->engine() == "emulated") {
      // The emulator's speed says nothing about the hardware's: AMX timings on a machine
      // without AMX come from the Sapphire Rapids model (kernels/amx/README.md), never
      // from a stopwatch, and are not mixed with measured figures.
      rec["timing"] = c.moe()
                          ? model_moe_timing(c, d, *k)
                          : nlohmann::json{{"kind", "model"},
                                           {"note",
                                            "emulated AMX kernel: not timed (the emulator's speed is not "
                                            "the hardware's), nor oneDNN, cold or paired rounds beside it; "
                                            "kernels/amx/README.md has the Sapphire Rapids model"}};
    } else if (o.bench) {
      rec["timing"] = c.moe() ? time_moe_kernel(c, d, *k, o) : time_kernel(c, d, *k, o);
      const auto& cold = rec["timing"].contains("cold") ? rec["timing"]["cold"] : nlohmann::json();
      if (cold.is_object() && cold.contains("placement_flag") && verdict == "PASS") {
        verdict = "FAIL";
        reason = "NUMA placement differs from numa=" + c.numa +
                 " in the cold timing: " + cold["placement_flag"].get<std::string>();
      }
      if (o.onednn) rec["onednn_timing"] = c.moe() ? onednn_moe_time(c, d, o) : onednn_time(c, o);
      if (!o.onednn_isas.empty() && !c.moe()) rec["onednn_timing_by_isa"] = onednn_time_per_isa(c, o);
    }
    rec["kernel_info"] = k->info();
  } catch (const CaseSkipped& e) {
    verdict = "SKIPPED";
    reason = e.what();
  } catch (const Error& e) {
    verdict = std::string(e.what()).find("CPU lacks") != std::string::npos ||
                      std::string(e.what()).find("AMX unusable") != std::string::npos ||
                      std::string(e.what()).find("ISA capped") != std::string::npos
                  ? "SKIPPED"
                  : "ERROR";
    reason = e.what();
  } catch (const std::exception& e) {
    verdict = "ERROR";
    reason = e.what();
  }
  rec["verdict"] = verdict;
  rec["reason"] = reason;
  rec["checked"] = o.check;  // bench: timed only; its PASS says it ran, not that it is right
  return rec;
}

}  // namespace amxlab::harness
