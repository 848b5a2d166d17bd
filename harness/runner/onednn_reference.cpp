#include "harness/runner/onednn_reference.h"

#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "harness/numa/planner.h"
#include "harness/runner/case_placement.h"
#include "harness/runner/checks.h"
#include "harness/runner/throughput.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "reference/golden/output_chunks.h"
#include "reference/onednn/matmul.h"
#include "reference/onednn/omp_pinning.h"
#include "reference/onednn/runtime.h"

namespace amxlab::harness {
namespace {

std::span<const uint16_t> as_u16(const std::vector<std::byte>& v) {
  return {reinterpret_cast<const uint16_t*>(v.data()), v.size() / 2};
}
std::span<const float> as_f32(const std::vector<std::byte>& v) {
  return {reinterpret_cast<const float*>(v.data()), v.size() / 4};
}

// Why oneDNN has no matmul of this kind on this CPU under its ISA cap ("" when it has
// one): oneDNN 2.6 answers "unimplemented" for bf16 without AVX-512 (an AVX2-only CPU).
// The reference is then skipped with that reason, and the case is still checked against
// golden. One probe primitive (1 x 1 x 1) per kind and cap.
std::string onednn_missing(onednn::MatmulKind kind) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  const std::string key = onednn::name(kind) + "@" + onednn::isa_cap_name();
  const std::lock_guard<std::mutex> lock(mu);
  if (const auto it = known.find(key); it != known.end()) return it->second;
  std::string why;
  try {
    const onednn::Matmul probe(kind, 1, 1, 1);
  } catch (const Error& e) {
    if (std::strstr(e.what(), "unimplemented") == nullptr) throw;
    why = e.what();
  }
  return known[key] = why;
}

}  // namespace

bool bf16_widened_to_f32(const Case& c) {
  return c.type == QType::BF16 && onednn_kind_of(c.type) == onednn::MatmulKind::f32f32f32;
}

onednn::MatmulKind onednn_kind_of(QType t) {
  switch (t) {
    case QType::S8: return onednn::MatmulKind::s8s8s32;
    case QType::U8: return onednn::MatmulKind::u8s8s32;
    // Without AVX-512 oneDNN 2.6 has no bf16 matmul: the bf16 case is then compared with
    // its f32 matmul on the values widened exactly to f32 (bf16_widened_to_f32).
    case QType::BF16:
      return onednn_missing(onednn::MatmulKind::bf16bf16f32).empty() ? onednn::MatmulKind::bf16bf16f32
                                                                     : onednn::MatmulKind::f32f32f32;
    case QType::F32:
    // oneDNN 2.6 has no f16-weights x f32 matmul on CPUs without AVX512-FP16: the f16 case
    // is compared with the same GEMM on weights widened to f32 (twice the weight bytes).
    case QType::F16: return onednn::MatmulKind::f32f32f32;
    default: return onednn::MatmulKind::u8s8s32;
  }
}

onednn::WeightPages weight_pages(const RunOptions& o) {
  return o.placement.hugepages ? onednn::WeightPages::huge : onednn::WeightPages::library;
}

std::vector<std::byte> filled_for_timing(int64_t count, size_t elem, std::mt19937& rng) {
  std::vector<std::byte> v(static_cast<size_t>(count) * elem);
  for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
    const float f = static_cast<float>(static_cast<int>(rng() % 64) - 32) / 16.0f;
    if (elem == 4) {
      std::memcpy(v.data() + 4 * i, &f, 4);
    } else if (elem == 2) {
      const uint16_t h = f32_to_bf16(f);
      std::memcpy(v.data() + 2 * i, &h, 2);
    } else {
      v[i] = static_cast<std::byte>(rng() % 64);
    }
  }
  return v;
}

OnednnTiming::OnednnTiming(const Case& c)
    : cpus(onednn_cpus(c)),
      pinning(cpus),
      kind(onednn_kind_of(c.type)),
      elem(onednn::input_elem_bytes(kind)),
      rng(static_cast<uint32_t>(c.seed)) {}

std::vector<int> onednn_cpus(const Case& c) {
  std::vector<int> cpus;
  for (const auto& s : numa::plan_workers(machine_topology(), numa::parse_placement(c.place), c.threads))
    cpus.push_back(s.cpu);
  return cpus;
}

namespace {

// Q4_1's min term uses the Q8_1 block's stored fp16 s, not the exact d * sum(q) that a
// dequantised f32 matmul sees: per output, sum over blocks of |m_w| * |s - d * sum(q)|.
// The activation factor depends on (row, block) only and |m_w| on (column, block) only:
// each is computed once, the M x N x blocks products on every CPU.
std::vector<double> q4_1_sum_slack(const Case& c, const std::vector<std::byte>& w,
                                   const std::vector<std::byte>& aq) {
  if (c.type != QType::Q4_1) return {};
  const auto blocks = static_cast<size_t>(c.k / kQK);
  std::vector<double> a_gap(static_cast<size_t>(c.m) * blocks), w_min(static_cast<size_t>(c.n) * blocks);
  for (size_t ib = 0; ib < a_gap.size(); ++ib) {
    BlockQ8_1 a;
    std::memcpy(&a, aq.data() + ib * sizeof a, sizeof a);
    int q = 0;
    for (int8_t v : a.qs) q += v;
    const double exact_s = static_cast<double>(fp16_to_f32(a.d)) * q;
    a_gap[ib] = std::fabs(fp16_to_f32(a.s) - exact_s);
  }
  for (size_t jb = 0; jb < w_min.size(); ++jb) {
    BlockQ4_1 wb;
    std::memcpy(&wb, w.data() + jb * sizeof wb, sizeof wb);
    w_min[jb] = std::fabs(static_cast<double>(fp16_to_f32(wb.m)));
  }
  std::vector<double> slack(static_cast<size_t>(c.m * c.n), 0.0);
  golden::for_each_output(c.m, c.n, static_cast<int64_t>(blocks), [&](size_t i, size_t j, size_t ij) {
    double sum = 0;
    for (size_t b = 0; b < blocks; ++b) sum += w_min[j * blocks + b] * a_gap[i * blocks + b];
    slack[ij] = sum;
  });
  return slack;
}

nlohmann::json skipped_because(const std::string& why) {
  return {{"skipped", "oneDNN has no implementation here: " + why}};
}

}  // namespace

golden::ExactModel exact_reference(const Case& c, const CaseData& d) {
  const golden::Shape s{c.m, c.n, c.k};
  if (c.type == QType::BF16) return golden::exact_model_bf16(as_u16(d.a_plain), as_u16(d.w), s, true);
  if (c.type == QType::F16) return golden::exact_model_f32(d.a_f32, dequantized_weights(c, d), s);
  return golden::exact_model_f32(d.a_f32, as_f32(d.w), s);
}

nlohmann::json onednn_check(const Case& c, const CaseData& d, const void* y_golden) {
  // The quantised types are checked through oneDNN's f32 matmul (below).
  const bool quantised = traits(c.type).block_quantized;
  if (const std::string why =
          onednn_missing(quantised ? onednn::MatmulKind::f32f32f32 : onednn_kind_of(c.type));
      !why.empty())
    return skipped_because(why);
  const size_t mn = static_cast<size_t>(c.m * c.n);
  nlohmann::json j;
  onednn::set_threads(c.threads);
  if (c.type == QType::S8 || c.type == QType::U8) {
    onednn::Matmul mm(onednn_kind_of(c.type), c.m, c.n, c.k);
    mm.set_weights(d.w.data());
    std::vector<int32_t> y(mn);
    mm.run(d.a_plain.data(), y.data());
    const BitwiseCheck b = compare_bitwise(y.data(), y_golden, c.m, c.n, true);
    j = b.to_json();
    j["pass"] = b.pass();
    j["impl"] = mm.impl();
    if (!b.pass())
      j["detail"] = fmt::format("y[{}][{}] oneDNN {} golden {}", b.first_m, b.first_n, b.got, b.want);
    return j;
  }
  std::vector<float> y(mn);
  golden::ExactModel e;
  std::string impl;
  if (bf16_widened_to_f32(c)) {
    const std::vector<float> ww = dequantized_weights(c, d);  // exact widening
    std::vector<float> wa(static_cast<size_t>(c.m * c.k));
    dequantize(QType::BF16, d.a_plain, c.m, c.k, wa);
    onednn::Matmul mm(onednn::MatmulKind::f32f32f32, c.m, c.n, c.k);
    mm.set_weights(ww.data());
    mm.run(wa.data(), y.data());
    impl = mm.impl();
    e = golden::exact_model_f32(wa, ww, {c.m, c.n, c.k});
  } else if (c.type == QType::BF16 || c.type == QType::F16 || c.type == QType::F32) {
    onednn::Matmul mm(onednn_kind_of(c.type), c.m, c.n, c.k);
    const std::vector<float> wide = c.type == QType::F16 ? dequantized_weights(c, d) : std::vector<float>();
    mm.set_weights(c.type == QType::F16 ? static_cast<const void*>(wide.data()) : d.w.data());
    mm.run(c.type == QType::BF16 ? static_cast<const void*>(d.a_plain.data()) : d.a_f32.data(), y.data());
    impl = mm.impl();
    e = exact_reference(c, d);
  } else {
    // Quantised: f32 matmul over dequantised W and dequantised quantised activations.
    const QType act = traits(c.type).act_type;
    std::vector<std::byte> aq(row_bytes(act, c.k) * static_cast<size_t>(c.m));
    quantize_activations(act, c.act_quant, d.a_f32, c.m, c.k, aq);
    std::vector<float> af(static_cast<size_t>(c.m * c.k)), wf(static_cast<size_t>(c.n * c.k));
    dequantize(act, aq, c.m, c.k, af);
    dequantize(c.type, d.w, c.n, c.k, wf);
    onednn::Matmul mm(onednn::MatmulKind::f32f32f32, c.m, c.n, c.k);
    mm.set_weights(wf.data());
    mm.run(af.data(), y.data());
    impl = mm.impl();
    // Compare oneDNN with golden (not with an exact model): both are fp32 sums, each
    // within gamma(K) * sum |w a| of the exact one; only that magnitude is computed.
    const std::vector<double> sum_abs = golden::sum_abs_products(af, wf, {c.m, c.n, c.k});
    const auto* yg = static_cast<const float*>(y_golden);
    const auto s_slack = q4_1_sum_slack(c, d.w, aq);
    e.y.assign(yg, yg + mn);
    e.bound.resize(mn);
    for (size_t i = 0; i < mn; ++i)
      e.bound[i] = 2 * golden::gamma(c.k) * sum_abs[i] + (s_slack.empty() ? 0.0 : s_slack[i]);
  }
  const BoundCheck b = compare_within(y, e.y, e.bound, c.n);
  j = b.to_json();
  j["pass"] = b.pass();
  j["impl"] = impl;
  if (!b.pass()) {
    j["detail"] = fmt::format("y[{}][{}] oneDNN {} reference {} bound {}", b.first_m, b.first_n, b.got,
                              b.exact, b.bound);
  }
  return j;
}

namespace {

// oneDNN's matmul of a case, ready to time: its OpenMP team pinned to the CPUs the
// harness's pool uses (the planner's slots, in order: the case's threads and placement
// for oneDNN too), its weights reordered once (timed apart: it happens once per weight
// tensor), data filled for timing (values do not matter for speed; int sums in range).
struct TimedMatmul : OnednnTiming {
  TimedMatmul(const Case& c, const RunOptions& o)
      : OnednnTiming(c),
        mm(kind, c.m, c.n, c.k, weight_pages(o)),
        a(filled_for_timing(c.m * c.k, elem, rng)),
        w(filled_for_timing(c.n * c.k, elem, rng)),
        y(static_cast<size_t>(c.m * c.n)) {
    const auto reorder_start = std::chrono::steady_clock::now();
    mm.set_weights(w.data());
    reorder_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - reorder_start).count();
  }
  void run() { mm.run(a.data(), y.data()); }

  onednn::Matmul mm;
  std::vector<std::byte> a, w;
  std::vector<int32_t> y;
  double reorder_s = 0;
};

}  // namespace

nlohmann::json onednn_time(const Case& c, const RunOptions& o) {
  const onednn::MatmulKind kind = onednn_kind_of(c.type);
  if (const std::string why = onednn_missing(kind); !why.empty()) return skipped_because(why);
  const bool quantised = traits(c.type).block_quantized;
  TimedMatmul tm(c, o);
  const timing::TimingResult t = time_body("onednn/" + c.descriptor(), [&](int64_t) { tm.run(); }, o, false);
  nlohmann::json j = timing_json(t);
  j["impl"] = tm.mm.impl();
  j["weights_reorder_seconds"] = tm.reorder_s;
  j["kind"] =
      quantised              ? "u8s8s32 (int8 speed reference of a quantised case)"
      : c.type == QType::F16 ? "f32f32f32 (f16 weights widened: oneDNN 2.6 has no f16 x f32 GEMM here)"
      : bf16_widened_to_f32(c)
          ? "f32f32f32 (bf16 weights and activations widened: oneDNN 2.6 has no bf16 matmul on this CPU)"
          : onednn::name(kind);
  j["omp_wait_policy"] = onednn::omp_wait_policy();
  j["threads"] = {{"place", c.place},
                  {"requested_cpus", tm.cpus},
                  {"observed_cpus", tm.pinning.observed()},
                  {"openmp_binds_too", onednn::OmpPinning::runtime_binds_threads()}};
  j["weights_memory"] = tm.mm.weight_pages() +
                        ", written by oneDNN's reorder on the calling thread; numa= policies apply to the "
                        "kernel's packed weights only";
  add_rates(j, c, t.median_s, static_cast<double>(tm.mm.weight_bytes()), o);
  return j;
}

nlohmann::json paired_onednn_rounds(const Case& c, const RunOptions& o, const std::string& kernel_name,
                                    const std::function<void(int64_t)>& kernel,
                                    const std::function<void(int64_t)>& onednn, const std::string& impl) {
  const std::string tag = c.descriptor();
  const PairTimes t = time_pairs(o.paired_onednn_rounds, kernel_name + "/paired-onednn/" + tag, kernel,
                                 "onednn/paired/" + tag, onednn, o);
  nlohmann::json rounds = nlohmann::json::array();
  std::vector<double> speed;
  for (size_t r = 0; r < t.a_s.size(); ++r) {
    speed.push_back(t.b_s[r] / t.a_s[r]);
    rounds.push_back({{"kernel_s", t.a_s[r]}, {"onednn_s", t.b_s[r]}, {"speed_vs_onednn", speed.back()}});
  }
  nlohmann::json j = spread("speed_vs_onednn", speed, std::move(rounds));
  j["impl"] = impl;
  return j;
}

nlohmann::json paired_onednn(const Case& c, const RunOptions& o, const std::string& kernel_name,
                             const std::function<void(int64_t)>& kernel) {
  require(!c.moe(), "paired_onednn: an MoE case pairs with oneDNN's per-expert loop (paired_onednn_moe)");
  const onednn::MatmulKind kind = onednn_kind_of(c.type);
  if (const std::string why = onednn_missing(kind); !why.empty()) return skipped_because(why);
  TimedMatmul tm(c, o);
  return paired_onednn_rounds(c, o, kernel_name, kernel, [&](int64_t) { tm.run(); }, tm.mm.impl());
}

nlohmann::json onednn_time_per_isa(const Case& c, const RunOptions& o) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& isa : o.onednn_isas) {
    const std::string cmd = "'" + o.self_exe + "' onednn-time --case '" + c.descriptor() + "' --isa " + isa +
                            " --reps " + std::to_string(o.repetitions) + " --min-time " +
                            std::to_string(o.min_time_s) + (o.placement.hugepages ? "" : " --no-hugepages") +
                            " 2>&1";
    std::string text;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
      const int status = pclose(p);
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (status != 0 || j.is_discarded()) {
        out[isa] = {{"error", "oneDNN subprocess for ISA " + isa + " failed: " + text.substr(0, 400)}};
      } else {
        out[isa] = std::move(j);
      }
    } else {
      out[isa] = {{"error", "cannot start " + o.self_exe}};
    }
  }
  return out;
}

int run_onednn_time_worker(const std::string& descriptor, const std::string& isa, int repetitions,
                           double min_time_s, bool hugepages) {
  onednn::Isa cap;
  if (!onednn::parse_isa(isa, cap)) throw Error("--isa: unknown oneDNN ISA '" + isa + "'");
  onednn::set_max_isa(cap);  // first oneDNN call of this process: the cap takes effect
  const Case c = parse_case(descriptor);
  RunOptions o;
  o.repetitions = repetitions;
  o.min_time_s = min_time_s;
  o.placement.hugepages = hugepages;
  nlohmann::json j = onednn_time(c, o);
  j["isa_cap"] = onednn::isa_cap_name();
  j["effective_isa"] = onednn::effective_isa_name();
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace amxlab::harness
