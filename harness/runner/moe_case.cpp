#include "harness/runner/moe_case.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "harness/runner/checks.h"
#include "harness/runner/onednn_reference.h"
#include "harness/runner/throughput.h"
#include "harness/sweep/routing.h"
#include "harness/threading/thread_pool.h"
#include "harness/timing/timing.h"
#include "kernels/amx/amx_kernels.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "kernels/isa.h"
#include "kernels/moe/expert_pack.h"
#include "kernels/moe/moe_dispatch.h"
#include "kernels/moe/moe_gemm.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/golden_moe.h"
#include "reference/golden/kernel_models.h"
#include "reference/onednn/omp_pinning.h"
#include "reference/onednn/runtime.h"

namespace amxlab::harness {
namespace {

// Routings the rotating timing cycles through (seeds seed + 1 ...): a decode step then
// reads other experts' weights on each call, as consecutive tokens do (64 top-8 routings
// of 128 experts touch ~98 % of them).
constexpr int kRotations = 64;
constexpr int64_t kMaxStackCopies = 4;

golden::MoeShape moe_shape(const Case& c) {
  return {c.experts, c.m, c.top_k, c.n, c.k};
}

size_t expert_src_bytes(const Case& c) {
  return row_bytes(c.type, c.k) * static_cast<size_t>(c.n);
}

// GGUF bytes of the experts a routing reads.
double routed_weight_bytes(const Case& c, std::span<const int32_t> ids) {
  const std::set<int32_t> used(ids.begin(), ids.end());
  return static_cast<double>(used.size()) * static_cast<double>(expert_src_bytes(c));
}

class MoeKernel : public PlacedKernel {
 public:
  MoeKernel(moe::MoeKernels ks, std::string why, PlacementOptions placement)
      : PlacedKernel(std::move(placement)), ks_(ks), why_(std::move(why)) {}
  std::string name() const override { return ks_.name(); }
  std::string engine() const override { return amxlab::name(ks_.large->engine); }

  PackedWeights pack(const Case& c, const CaseData& d, const ParallelFor& on_workers) override {
    return moe::pack_experts(*ks_.large, c.type, d.w, c.experts, c.n, c.k, default_memory_resource(),
                             on_workers);
  }
  void on_placed() override {
    threading::ThreadPool* pool = &placed().pool();
    parallel_ = [pool](int64_t count, const std::function<void(int64_t)>& fn) {
      pool->for_first_workers(static_cast<int>(count), fn);
    };
  }

  void run(const Case& c, const CaseData& d, void* y) override { run_routing(c, d, d.ids, y); }

  // The call with another routing of the same shape (the rotating timing).
  void run_routing(const Case& c, const CaseData& d, std::span<const int32_t> ids, void* y) {
    const KernelDesc& large = *ks_.large;
    const size_t arow = row_bytes(large.act_type, c.k);
    threading::ThreadPool& pool = placed().pool();
    if (large.quantize != nullptr) {
      // Once per token (T rows), whatever the number of routes.
      aq_.resize(arow * static_cast<size_t>(c.m));
      threading::quantize_parallel(pool, large, c.act_quant, d.a_f32, c.m, c.k, aq_);
    }
    const ActivationView a{large.act_type, large.quantize != nullptr ? aq_.data() : d.a_plain.data(), arow,
                           c.m, c.k};
    const OutputView out{y, static_cast<size_t>(c.n), c.out_rows(), c.n};
    const int workers = threading::workers_for(large, c.out_rows(), c.n, c.k, pool.size());
    moe::moe_gemm(ks_, placed().weights_of_worker(), a, {ids, c.m, c.top_k}, out, workers, parallel_,
                  scratch_);
  }

  const moe::MoeKernels& kernels() const { return ks_; }

  nlohmann::json info() const override {
    return {{"layout", amxlab::name(ks_.large->layout)},
            {"large", std::string(ks_.large->name)},
            {"small", std::string(ks_.small->name)},
            {"large_min_rows", ks_.large_min_rows},
            {"isa", isa_names(ks_.large->isa | ks_.small->isa)},
            {"chosen_because", why_}};
  }

 private:
  moe::MoeKernels ks_;
  std::string why_;
  ParallelFor parallel_;
  moe::MoeScratch scratch_;
  std::vector<std::byte> aq_;
};

}  // namespace

void run_golden_moe(const Case& c, const CaseData& d, void* y) {
  const golden::MoeShape s = moe_shape(c);
  const auto n = static_cast<size_t>(c.n), k = static_cast<size_t>(c.k);
  const size_t rows = static_cast<size_t>(c.out_rows());
  if (traits(c.type).block_quantized) {
    golden::gemm_moe(c.type, d.w, d.a_f32, d.ids, s, c.act_quant, {static_cast<float*>(y), rows * n});
    return;
  }
  const golden::Shape one{1, c.n, c.k};
  const size_t wbytes = traits(c.type).block_bytes;  // bytes per element of the plain type
  const std::vector<float> widened =
      c.type == QType::F16 || c.type == QType::F32 ? dequantized_weights(c, d) : std::vector<float>();
  // BF16: the order of the case's kernels (one for both kernels of a set: check_moe_kernels).
  const golden::Bf16Model bf16_model = c.type == QType::BF16 && moe_kernels_of(c, d.ids).large->on_tdpbf16ps()
                                           ? golden::Bf16Model::tdpbf16ps
                                           : golden::Bf16Model::vdpbf16ps;
  golden::for_each_route(d.ids, s, [&](int64_t t, int64_t j, int64_t e) {
    const size_t route = static_cast<size_t>(t * c.top_k + j), ue = static_cast<size_t>(e),
                 ut = static_cast<size_t>(t);
    const std::byte* w = d.w.data() + ue * n * k * wbytes;
    switch (c.type) {
      case QType::S8:
        golden::gemm_s8s8({reinterpret_cast<const int8_t*>(d.a_plain.data()) + ut * k, k},
                          {reinterpret_cast<const int8_t*>(w), n * k}, one,
                          {static_cast<int32_t*>(y) + route * n, n});
        break;
      case QType::U8:
        golden::gemm_u8s8({reinterpret_cast<const uint8_t*>(d.a_plain.data()) + ut * k, k},
                          {reinterpret_cast<const int8_t*>(w), n * k}, one,
                          {static_cast<int32_t*>(y) + route * n, n});
        break;
      case QType::BF16:
        golden::model_bf16(bf16_model, {reinterpret_cast<const uint16_t*>(d.a_plain.data()) + ut * k, k},
                           {reinterpret_cast<const uint16_t*>(w), n * k}, one,
                           {static_cast<float*>(y) + route * n, n});
        break;
      default:  // F16, F32: the FMA model on exactly widened weights
        golden::model_fma_f32({d.a_f32.data() + ut * k, k}, {widened.data() + ue * n * k, n * k}, one,
                              {static_cast<float*>(y) + route * n, n});
        break;
    }
  });
}

moe::MoeKernels moe_kernels_of(const Case& c, std::span<const int32_t> ids, std::string* why) {
  // golden / test.* stand for what auto would run (the BF16 golden follows its order).
  return c.kernel == "auto" || is_reference_kernel(c.kernel)
             ? moe::choose_moe_kernels(c.type, ids, c.experts, why)
             : moe::moe_kernels_named(c.kernel, c.type);
}

std::unique_ptr<KernelUnderTest> make_moe_kernel(const Case& c, std::span<const int32_t> ids,
                                                 const PlacementOptions& placement) {
  std::string why = "named in the case";
  const moe::MoeKernels ks = moe_kernels_of(c, ids, &why);
  if (ks.large->engine == Engine::emulated || ks.small->engine == Engine::emulated) request_amx_permission();
  return std::make_unique<MoeKernel>(ks, why, placement);
}

nlohmann::json time_moe_kernel(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o) {
  auto* moe_kernel = dynamic_cast<MoeKernel*>(&k);
  std::vector<uint32_t> y(static_cast<size_t>(c.out_rows() * c.n));
  nlohmann::json j;
  j["kind"] = "measured";
  const threading::CallerBinding bind_caller(k.caller_cpu());
  const auto hot =
      time_body(k.name() + "/hot/" + c.descriptor(), [&](int64_t) { k.run(c, d, y.data()); }, o, false);
  const double hot_bytes = routed_weight_bytes(c, d.ids);
  j["hot"] = timing_json(hot);
  j["hot"]["routed_weight_bytes"] = hot_bytes;
  add_memory_roofline(j["hot"], c, hot.median_s, hot_bytes, hot_bytes, o);
  add_paired_hot(j, c, d, k, o, y.data(), hot_bytes);
  if (o.cold && moe_kernel != nullptr && c.route != "file") {
    // Consecutive decode steps read other experts, and a model's expert stacks together
    // are far larger than any cache: kRotations routings of the same distribution, one
    // per iteration, over enough copies of the packed stack that their routed experts
    // exceed the last cache knee (as the dense cold timing rotates weight copies).
    std::vector<std::vector<int32_t>> routings;
    std::set<int32_t> touched;
    double bytes = 0;
    for (int i = 0; i < kRotations; ++i) {
      routings.push_back(make_routing(route_kind(c.route), c.m, c.top_k, c.experts, c.seed + 1 + i));
      bytes += routed_weight_bytes(c, routings.back()) / kRotations;
      touched.insert(routings.back().begin(), routings.back().end());
    }
    const double touched_bytes =
        static_cast<double>(touched.size()) * static_cast<double>(expert_src_bytes(c));
    const int64_t copies = std::min<int64_t>(
        kMaxStackCopies,
        timing::cold_buffer_copies(static_cast<uint64_t>(touched_bytes), cold_bytes_for(c, o)));
    std::vector<std::unique_ptr<KernelUnderTest>> stacks;
    for (int64_t i = 1; i < copies; ++i) {
      stacks.push_back(make_moe_kernel(c, d.ids, o.placement));
      stacks.back()->prepare_copy(c, d, k);
    }
    const auto copy = [&](int64_t it) -> MoeKernel& {
      const int64_t i = it % copies;
      return i == 0 ? *moe_kernel : dynamic_cast<MoeKernel&>(*stacks[static_cast<size_t>(i - 1)]);
    };
    const auto rot = time_body(
        k.name() + "/rotating/" + c.descriptor(),
        [&](int64_t it) {
          copy(it).run_routing(c, d, routings[static_cast<size_t>(it % kRotations)], y.data());
        },
        o, true);
    j["cold"] = timing_json(rot);
    j["cold"]["rotating_routings"] = kRotations;
    j["cold"]["stack_copies"] = copies;
    j["cold"]["routed_weight_bytes"] = bytes;
    j["cold"]["rotated_bytes"] = static_cast<double>(copies) * touched_bytes;
    j["cold"]["weight_gbps"] = bytes / rot.median_s * 1e-9;
    j["cold"]["note"] =
        "routings of the same distribution, one per iteration, over copies of the packed experts (route=one "
        "reads the same experts each time)";
    // Roofline: the routed experts' GGUF bytes at the read bandwidth of the working set
    // the rotation streams (every copy's touched experts).
    add_memory_roofline(j["cold"], c, rot.median_s, bytes, static_cast<double>(copies) * touched_bytes, o);
    if (o.paired_roofline_rounds > 0) {
      j["cold"]["roofline_paired"] = paired_roofline(
          c, k, o,
          [&](int64_t it) {
            copy(it).run_routing(c, d, routings[static_cast<size_t>(it % kRotations)], y.data());
          },
          bytes, static_cast<double>(copies) * touched_bytes, "cold");
    }
  }
  add_rates(j, c, hot.median_s, hot_bytes, o);
  return j;
}

nlohmann::json model_moe_timing(const Case& c, const CaseData& d, const KernelUnderTest& k) {
  const auto* mk = dynamic_cast<const MoeKernel*>(&k);
  nlohmann::json j = {{"kind", "model"}, {"label", tile::kSapphireRapidsModelLabel}};
  if (mk == nullptr || mk->kernels().large->engine != Engine::emulated) {
    j["note"] = "not an emulated AMX kernel set";
    return j;
  }
  const moe::MoeKernels& ks = mk->kernels();
  std::vector<int64_t> rows(static_cast<size_t>(c.experts), 0);
  for (const int32_t e : d.ids) ++rows[static_cast<size_t>(e)];
  std::map<int64_t, double> seconds_of;  // per distinct group size
  double seconds = 0;
  int64_t modelled_rows = 0, other_rows = 0;
  for (const int64_t r : rows) {
    if (r == 0) continue;
    if (r < ks.large_min_rows && ks.small != ks.large) {
      other_rows += r;
      continue;
    }
    auto it = seconds_of.find(r);
    if (it == seconds_of.end())
      it = seconds_of.emplace(r, amx::model_gemm(c.type, r, c.n, c.k).model.seconds).first;
    seconds += it->second;
    modelled_rows += r;
  }
  const double ops =
      2.0 * static_cast<double>(modelled_rows) * static_cast<double>(c.n) * static_cast<double>(c.k);
  j["modelled_seconds_one_core"] = seconds;
  j["modelled_gops_one_core"] = seconds > 0 ? ops / seconds * 1e-9 : 0.0;
  j["modelled_rows"] = modelled_rows;
  j["rows_on_small_kernel_not_modelled"] = other_rows;
  j["note"] =
      "each AMX group's tile counts from the count-only emulator through the Sapphire Rapids model, "
      "one core, groups in sequence; not a measurement";
  return j;
}

namespace {

// oneDNN matmuls, one per expert that has rows, over the rows gathered by expert.
struct OnednnMoeLoop {
  onednn::MatmulKind kind;
  std::vector<onednn::Matmul> mms;
  std::vector<int64_t> first_row;  // grouped row of each matmul's first row
  std::vector<int64_t> route_of_row;
  std::vector<std::byte> a;  // [R][K] grouped activations
  std::vector<std::byte> y;  // [R][N] grouped outputs (4-byte elements)
  size_t elem = 1;

  // w_of(e): expert e's [N][K] weights in the kind's input type; pages: where each
  // matmul's reordered copy lives.
  OnednnMoeLoop(const Case& c, std::span<const int32_t> ids, const std::function<const void*(int64_t)>& w_of,
                const std::function<const std::byte*(int64_t token)>& a_of, onednn::WeightPages pages)
      : kind(onednn_kind_of(c.type)), elem(onednn::input_elem_bytes(kind)) {
    const int64_t routes = c.out_rows();
    std::vector<int64_t> count;  // the groups' first rows, as moe_gemm groups them
    moe::group_by_expert(ids, c.experts, count, route_of_row);
    const size_t arow = static_cast<size_t>(c.k) * elem;
    a.resize(static_cast<size_t>(routes) * arow);
    y.resize(static_cast<size_t>(routes * c.n) * 4);
    for (int64_t i = 0; i < routes; ++i)
      std::memcpy(a.data() + static_cast<size_t>(i) * arow,
                  a_of(route_of_row[static_cast<size_t>(i)] / c.top_k), arow);
    for (int64_t e = 0; e < c.experts; ++e) {
      const int64_t r0 = count[static_cast<size_t>(e)], r1 = count[static_cast<size_t>(e + 1)];
      if (r0 == r1) continue;
      mms.emplace_back(kind, r1 - r0, c.n, c.k, pages);
      mms.back().set_weights(w_of(e));
      first_row.push_back(r0);
    }
  }

  void run(const Case& c) {
    const size_t arow = static_cast<size_t>(c.k) * elem, yrow = static_cast<size_t>(c.n) * 4;
    for (size_t i = 0; i < mms.size(); ++i) {
      const auto r0 = static_cast<size_t>(first_row[i]);
      mms[i].run(a.data() + r0 * arow, y.data() + r0 * yrow);
    }
  }
};

}  // namespace

nlohmann::json onednn_moe_check(const Case& c, const CaseData& d, const void* y_golden) {
  if (c.type != QType::S8 && c.type != QType::U8) {
    // No "pass": a comparison that did not run passed nothing (results/README.md).
    return {{"skipped", "oneDNN has no matmul for this weight type's MoE; it is the timing reference only"}};
  }
  onednn::set_threads(c.threads);
  const size_t nk = static_cast<size_t>(c.n * c.k);
  OnednnMoeLoop loop(
      c, d.ids, [&](int64_t e) -> const void* { return d.w.data() + static_cast<size_t>(e) * nk; },
      [&](int64_t t) { return d.a_plain.data() + static_cast<size_t>(t * c.k); },
      onednn::WeightPages::library);
  loop.run(c);
  std::vector<int32_t> got(static_cast<size_t>(c.out_rows() * c.n));
  for (size_t i = 0; i < loop.route_of_row.size(); ++i) {
    std::memcpy(got.data() + static_cast<size_t>(loop.route_of_row[i] * c.n),
                loop.y.data() + i * static_cast<size_t>(c.n) * 4, static_cast<size_t>(c.n) * 4);
  }
  const BitwiseCheck b = compare_bitwise(got.data(), y_golden, c.out_rows(), c.n, true);
  nlohmann::json j = b.to_json();
  j["pass"] = b.pass();
  j["impl"] = loop.mms.empty() ? "" : loop.mms.front().impl();
  j["matmuls"] = loop.mms.size();
  if (!b.pass())
    j["detail"] = fmt::format("y[{}][{}] oneDNN {} golden {}", b.first_m, b.first_n, b.got, b.want);
  return j;
}

namespace {

// oneDNN's per-expert loop of a case, ready to time: its OpenMP team pinned to the case's
// CPUs, one weight buffer for every expert (each matmul reorders its own copy; the
// reorders timed apart), data filled for timing.
struct TimedMoeLoop : OnednnTiming {
  TimedMoeLoop(const Case& c, const CaseData& d, const RunOptions& o)
      : OnednnTiming(c),
        w(filled_for_timing(c.n * c.k, elem, rng)),
        a(filled_for_timing(c.m * c.k, elem, rng)),
        reorder_start(std::chrono::steady_clock::now()),
        loop(
            c, d.ids, [this](int64_t) -> const void* { return w.data(); },
            [this, &c](int64_t t) { return a.data() + static_cast<size_t>(t * c.k) * elem; },
            weight_pages(o)),
        setup_s(std::chrono::duration<double>(std::chrono::steady_clock::now() - reorder_start).count()) {}
  std::string impl() const { return loop.mms.empty() ? "" : loop.mms.front().impl(); }

  std::vector<std::byte> w, a;
  std::chrono::steady_clock::time_point reorder_start;
  OnednnMoeLoop loop;
  double setup_s;
};

}  // namespace

nlohmann::json onednn_moe_time(const Case& c, const CaseData& d, const RunOptions& o) {
  TimedMoeLoop tm(c, d, o);
  const timing::TimingResult t =
      time_body("onednn-moe/" + c.descriptor(), [&](int64_t) { tm.loop.run(c); }, o, false);
  nlohmann::json j = timing_json(t);
  j["impl"] = tm.impl();
  j["matmuls"] = tm.loop.mms.size();
  j["weights_memory"] = tm.loop.mms.empty() ? "" : tm.loop.mms.front().weight_pages();
  j["weights_reorder_seconds"] = tm.setup_s;
  j["kind"] = std::string(onednn::name(tm.kind)) +
              " per expert over the routed rows (gathered before timing; one primitive and one reordered "
              "weight copy per expert)";
  j["threads"] = {{"place", c.place}, {"requested_cpus", tm.cpus}, {"observed_cpus", tm.pinning.observed()}};
  add_rates(j, c, t.median_s, routed_weight_bytes(c, d.ids), o);
  return j;
}

nlohmann::json paired_onednn_moe(const Case& c, const CaseData& d, const RunOptions& o,
                                 const std::string& kernel_name, const std::function<void(int64_t)>& kernel) {
  TimedMoeLoop tm(c, d, o);
  return paired_onednn_rounds(c, o, kernel_name, kernel, [&](int64_t) { tm.loop.run(c); }, tm.impl());
}

}  // namespace amxlab::harness
