#include "harness/runner/throughput.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <vector>

#include "harness/calibrate/calibration.h"
#include "harness/runner/moe_case.h"
#include "harness/runner/onednn_reference.h"
#include "harness/threading/thread_pool.h"
#include "kernels/core/error.h"
#include "kernels/core/qtype.h"

namespace amxlab::harness {
namespace {

// Without a calibration the cold mode still has to leave the caches behind: rotate at
// least this much (above the last knee measured on the development machines, 64 MiB).
constexpr uint64_t kDefaultColdBytes = uint64_t{256} << 20;
constexpr int64_t kMaxColdCopies = 32;

double weight_bytes_of(const Case& c) {
  return static_cast<double>(row_bytes(c.type, c.k)) * static_cast<double>(c.n);
}

}  // namespace

uint64_t cold_bytes_for(const Case& c, const RunOptions& o) {
  uint64_t cold_bytes = o.cold_bytes;
  if (cold_bytes == 0 && o.calibration.is_object()) {
    cold_bytes = calibrate::calibration_from_json(o.calibration).cold_bytes(c.threads);
  }
  return cold_bytes == 0 ? kDefaultColdBytes : cold_bytes;
}

timing::TimingResult time_body(const std::string& name, const std::function<void(int64_t)>& body,
                               const RunOptions& o, bool cold) {
  timing::TimingOptions t;
  t.repetitions = o.repetitions;
  t.min_time_s = o.min_time_s;
  t.cold = cold;
  t.untimed_first_call = !cold;  // a hot timing starts hot (timing.h says why)
  return timing::time_function(name, body, t);
}

nlohmann::json timing_json(const timing::TimingResult& t) {
  return {{"median_s", t.median_s},
          {"mean_s", t.mean_s},
          {"min_s", t.min_s},
          {"cv", t.cv},
          {"repetitions", t.seconds_per_iter.size()},
          {"iterations", t.iterations},
          {"samples_s", t.seconds_per_iter}};
}

void add_rates(nlohmann::json& j, const Case& c, double seconds, double weight_bytes, const RunOptions& o) {
  // MoE: T * top_k routed rows.
  const double ops =
      2.0 * static_cast<double>(c.out_rows()) * static_cast<double>(c.n) * static_cast<double>(c.k);
  j["gops"] = ops / seconds * 1e-9;
  j["weight_bytes"] = weight_bytes;
  j["weight_gbps"] = weight_bytes / seconds * 1e-9;
  if (o.calibration.is_null() || !o.calibration.is_object()) return;
  const calibrate::Calibration cal = calibrate::calibration_from_json(o.calibration);
  if (std::find(cal.threads.begin(), cal.threads.end(), c.threads) == cal.threads.end()) {
    j["roofline_note"] = "the calibration has no figures for " + std::to_string(c.threads) + " thread(s)";
    return;
  }
  // Memory roofline: the GGUF weight bytes at the read bandwidth measured for a working
  // set of that size (a kernel that streams an unpacked copy is not credited for it).
  const double gbps = cal.bandwidth_at(weight_bytes, c.threads);
  const double mem_gops = gbps > 0 ? ops / (weight_bytes / (gbps * 1e9)) * 1e-9 : 0;
  const auto& peaks = cal.peaks_for(c.threads);
  const auto& peak = c.type == QType::F32 || c.type == QType::F16 ? peaks.peak_fp32_gflops
                     : c.type == QType::BF16                      ? peaks.peak_bf16_gflops
                                                                  : peaks.peak_int8_gops;
  double roof = mem_gops;
  std::string kind = "memory: " + std::to_string(gbps) + " GB/s at this working set";
  if (peak.present && (mem_gops <= 0 || peak.value < mem_gops)) {
    roof = peak.value;
    kind = "compute: " + peak.isa;
  }
  if (roof > 0) {
    j["roofline_gops"] = roof;
    j["roofline_pct"] = 100.0 * j["gops"].get<double>() / roof;
    j["roofline_kind"] = kind;
  }
  // The block format's own ceiling (issue #11): its golden instruction mix on this core.
  if (const calibrate::FormatCeiling* f = calibrate::format_ceiling(peaks, name(c.type))) {
    j["format_ceiling_gops"] = f->gops.value;
    j["format_ceiling_pct"] = 100.0 * j["gops"].get<double>() / f->gops.value;
    j["format_ceiling_mix"] = f->mix;
  }
}

void add_memory_roofline(nlohmann::json& j, const Case& c, double seconds, double weight_bytes,
                         double working_set_bytes, const RunOptions& o) {
  if (!o.calibration.is_object()) return;
  const calibrate::Calibration cal = calibrate::calibration_from_json(o.calibration);
  if (std::find(cal.threads.begin(), cal.threads.end(), c.threads) == cal.threads.end()) return;
  const double gbps = cal.bandwidth_at(working_set_bytes, c.threads);
  if (gbps <= 0) return;
  // DESIGN.md / issue #6: time against (GGUF weight bytes / read bandwidth measured at
  // the working-set size that was actually streamed: one copy hot, the rotation cold).
  j["memory_roofline_gbps"] = gbps;
  j["time_vs_memory_roofline"] = seconds / (weight_bytes / (gbps * 1e9));
}

// The order alternates so that whichever runs second does not always meet the other's
// after-effects (turbo, a neighbour waking up). A repetition runs for
// RunOptions::min_time_s (tens of calls), so the first call of each, which finds the
// caches holding the other's data, weighs little.
PairTimes time_pairs(int rounds, const std::string& a_name, const std::function<void(int64_t)>& a,
                     const std::string& b_name, const std::function<void(int64_t)>& b, const RunOptions& o) {
  RunOptions one = o;
  one.repetitions = 1;
  PairTimes t;
  for (int r = 0; r < rounds; ++r) {
    const auto time_a = [&] { t.a_s.push_back(time_body(a_name, a, one, false).median_s); };
    const auto time_b = [&] { t.b_s.push_back(time_body(b_name, b, one, false).median_s); };
    if (r % 2 == 0) {
      time_a();
      time_b();
    } else {
      time_b();
      time_a();
    }
  }
  return t;
}

namespace {

// Calls f(w) once on each worker of the case's pool and returns the sum of what the
// workers returned; nullopt (f not called) for a kernel that runs on the calling thread.
std::optional<double> sum_on_workers(KernelUnderTest& k, int workers, const std::function<double(int)>& f) {
  std::vector<double> v(static_cast<size_t>(workers), 0.0);
  const bool pooled = k.run_on_workers([&](int64_t w) {
    if (w < 0 || w >= workers) throw std::logic_error("paired timing: worker index out of range");
    v[static_cast<size_t>(w)] = f(static_cast<int>(w));
  });
  if (!pooled) return std::nullopt;
  return std::accumulate(v.begin(), v.end(), 0.0);
}

nlohmann::json not_on_a_pool(const KernelUnderTest& k) {
  return {{"skipped", "kernel " + k.name() + " runs on the calling thread, not on a pool"}};
}

}  // namespace

nlohmann::json spread(const std::string& key, const std::vector<double>& v, nlohmann::json rounds) {
  return {{"rounds", std::move(rounds)},
          {key + "_median", timing::summarize(v, 1).median_s},
          {key + "_min", *std::min_element(v.begin(), v.end())},
          {key + "_max", *std::max_element(v.begin(), v.end())}};
}

nlohmann::json paired_ceiling(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o,
                              void* y) {
  const std::string mix = calibrate::format_mix_of(name(c.type));
  if (mix.empty()) return {{"skipped", std::string("type ") + name(c.type) + " has no block-format mix"}};
  // What the case is before what the machine lacks: a kernel off the pool is never paired.
  if (!sum_on_workers(k, c.threads, [](int) { return 0.0; })) return not_on_a_pool(k);
  if (const std::string why = calibrate::format_mix_unavailable(); !why.empty()) return {{"skipped", why}};
  // One loop per worker; the multiply-adds of a call, summed over the workers.
  const auto mix_call = [&] {
    return sum_on_workers(k, c.threads, [&](int w) {
      return calibrate::run_format_mix(mix, 1.0f + static_cast<float>(w) / 64.0f);
    });
  };
  const std::optional<double> macs_per_call = mix_call();
  if (!macs_per_call) return not_on_a_pool(k);
  const double ops =
      2.0 * static_cast<double>(c.out_rows()) * static_cast<double>(c.n) * static_cast<double>(c.k);
  const std::string tag = c.descriptor();
  const PairTimes t = time_pairs(
      o.paired_ceiling_rounds, k.name() + "/paired/" + tag, [&](int64_t) { k.run(c, d, y); },
      "format_mix/" + mix + "/paired/" + tag, [&](int64_t) { mix_call(); }, o);
  nlohmann::json rounds = nlohmann::json::array();
  std::vector<double> pct;
  for (size_t r = 0; r < t.a_s.size(); ++r) {
    const double kernel_gops = ops / t.a_s[r] * 1e-9, mix_gops = 2.0 * *macs_per_call / t.b_s[r] * 1e-9;
    pct.push_back(100.0 * kernel_gops / mix_gops);
    rounds.push_back({{"kernel_gops", kernel_gops}, {"ceiling_gops", mix_gops}, {"pct", pct.back()}});
  }
  nlohmann::json j = spread("pct", pct, std::move(rounds));
  j["mix"] = mix;
  return j;
}

nlohmann::json paired_roofline(const Case& c, KernelUnderTest& k, const RunOptions& o,
                               const std::function<void(int64_t)>& kernel, double weight_bytes,
                               double working_set_bytes, const std::string& label) {
  std::unique_ptr<calibrate::ReadBuffer> buf;
  try {
    buf = std::make_unique<calibrate::ReadBuffer>(static_cast<uint64_t>(working_set_bytes), c.threads);
  } catch (const Error& e) {
    return {{"skipped", e.what()}};
  }
  // Each worker's share read this many times per call: at least 64 MiB, so that the
  // hand-off to the workers costs well under 1 % (the calibration reads 512 MiB per call).
  const int64_t passes = std::max<int64_t>(1, static_cast<int64_t>((uint64_t{64} << 20) / buf->share()) + 1);
  // The first call touches each worker's share before reading it; the bytes of a call,
  // summed over the workers.
  const std::optional<double> bytes_per_call = sum_on_workers(k, c.threads, [&](int w) {
    buf->touch(w);
    return buf->read(w, passes);
  });
  if (!bytes_per_call) return not_on_a_pool(k);
  const std::string tag = c.descriptor();
  const PairTimes t = time_pairs(
      o.paired_roofline_rounds, k.name() + "/paired-" + label + "/" + tag, kernel,
      "read/paired-" + label + "/" + tag,
      [&](int64_t) { sum_on_workers(k, c.threads, [&](int w) { return buf->read(w, passes); }); }, o);
  nlohmann::json rounds = nlohmann::json::array();
  std::vector<double> ratio;
  for (size_t r = 0; r < t.a_s.size(); ++r) {
    const double gbps = *bytes_per_call / t.b_s[r] * 1e-9;
    ratio.push_back(t.a_s[r] / (weight_bytes / (gbps * 1e9)));
    rounds.push_back({{"kernel_s", t.a_s[r]}, {"read_gbps", gbps}, {"time_vs_roofline", ratio.back()}});
  }
  nlohmann::json j = spread("time_vs_roofline", ratio, std::move(rounds));
  j["working_set_bytes"] = static_cast<double>(buf->share()) * c.threads;
  return j;
}

void add_paired_hot(nlohmann::json& j, const Case& c, const CaseData& d, KernelUnderTest& k,
                    const RunOptions& o, void* y, double weight_bytes) {
  if (o.paired_ceiling_rounds > 0) j["format_ceiling_paired"] = paired_ceiling(c, d, k, o, y);
  const auto hot = [&](int64_t) { k.run(c, d, y); };
  if (o.paired_roofline_rounds > 0)
    j["hot"]["roofline_paired"] = paired_roofline(c, k, o, hot, weight_bytes, weight_bytes, "hot");
  if (o.onednn && o.paired_onednn_rounds > 0) {
    j["onednn_paired"] =
        c.moe() ? paired_onednn_moe(c, d, o, k.name(), hot) : paired_onednn(c, o, k.name(), hot);
  }
}

nlohmann::json time_kernel(const Case& c, const CaseData& d, KernelUnderTest& k, const RunOptions& o) {
  const size_t mn = static_cast<size_t>(c.m * c.n);
  std::vector<uint32_t> y(mn);
  const double wbytes = weight_bytes_of(c);
  nlohmann::json j;
  j["kind"] = k.engine() == "emulated" ? "model" : "measured";
  // The caller is worker 0 of the case's pool (the cold copies share that pool): bound
  // to its CPU for the whole timing, so no call pays the pin and restore (~4 us here).
  const threading::CallerBinding bind_caller(k.caller_cpu());
  const auto hot =
      time_body(k.name() + "/hot/" + c.descriptor(), [&](int64_t) { k.run(c, d, y.data()); }, o, false);
  j["hot"] = timing_json(hot);
  add_paired_hot(j, c, d, k, o, y.data(), wbytes);
  if (o.cold) {
    // Rotating copies of the packed weights whose total exceeds the last cache knee, so
    // every iteration reads weights that are not in any cache.
    const uint64_t cold_bytes = cold_bytes_for(c, o);
    const int64_t copies =
        std::min(kMaxColdCopies, timing::cold_buffer_copies(static_cast<uint64_t>(wbytes), cold_bytes));
    std::vector<std::unique_ptr<KernelUnderTest>> rot;
    rot.reserve(static_cast<size_t>(copies));
    std::string copy_flag;  // a cold copy whose pages are not where the policy says
    for (int64_t i = 0; i < copies; ++i) {
      rot.push_back(make_kernel_under_test(c, d, o.placement));
      rot.back()->prepare_copy(c, d, k);
      if (copy_flag.empty() && !rot.back()->placement_flag().empty())
        copy_flag = "cold copy " + std::to_string(i) + ": " + rot.back()->placement_flag();
    }
    const auto cold = time_body(
        k.name() + "/cold/" + c.descriptor(),
        [&](int64_t it) { rot[static_cast<size_t>(it % copies)]->run(c, d, y.data()); }, o, true);
    j["cold"] = timing_json(cold);
    j["cold"]["rotating_copies"] = copies;
    if (!copy_flag.empty()) j["cold"]["placement_flag"] = copy_flag;
    j["cold"]["rotated_bytes"] = static_cast<double>(copies) * wbytes;
    if (static_cast<double>(copies) * wbytes < static_cast<double>(cold_bytes)) {
      // Small weights: the copies (at most kMaxColdCopies, each packed and placed) total
      // less than the working set that leaves the caches, so they may be read from one.
      j["cold"]["rotated_short"] = true;
      j["cold"]["note"] = fmt::format(
          "{} copies of {:.0f} bytes rotate {:.1f} MiB, less than the {:.1f} MiB that leave the caches: "
          "this cold time may be partly cache-resident",
          copies, wbytes, static_cast<double>(copies) * wbytes / 1048576.0,
          static_cast<double>(cold_bytes) / 1048576.0);
    }
    j["cold"]["weight_gbps"] = wbytes / cold.median_s * 1e-9;
    add_memory_roofline(j["cold"], c, cold.median_s, wbytes, static_cast<double>(copies) * wbytes, o);
    if (o.paired_roofline_rounds > 0) {
      j["cold"]["roofline_paired"] = paired_roofline(
          c, k, o, [&](int64_t it) { rot[static_cast<size_t>(it % copies)]->run(c, d, y.data()); }, wbytes,
          static_cast<double>(copies) * wbytes, "cold");
    }
  }
  add_memory_roofline(j["hot"], c, hot.median_s, wbytes, wbytes, o);
  add_rates(j, c, hot.median_s, wbytes, o);
  return j;
}

}  // namespace amxlab::harness
