#include "harness/calibrate/calibration.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::calibrate {
namespace {

std::vector<BandwidthPoint> curve_of(const std::vector<BandwidthPoint>& all, int threads) {
  std::vector<BandwidthPoint> c;
  for (const auto& p : all)
    if (p.threads == threads && p.bytes > 0) c.push_back(p);
  std::sort(c.begin(), c.end(),
            [](const BandwidthPoint& a, const BandwidthPoint& b) { return a.bytes < b.bytes; });
  return c;
}

std::string threads_list(const std::vector<int>& t) {
  std::string s;
  for (int v : t) s += (s.empty() ? "" : ",") + std::to_string(v);
  return s.empty() ? "none" : s;
}

std::string size_text(double bytes) {
  if (bytes >= 1024.0 * 1024 * 1024) return fmt::format("{:.3g} GiB", bytes / (1024.0 * 1024 * 1024));
  if (bytes >= 1024.0 * 1024) return fmt::format("{:.3g} MiB", bytes / (1024.0 * 1024));
  return fmt::format("{:.3g} KiB", bytes / 1024.0);
}

nlohmann::json peak_json(const PeakFigure& p) {
  if (!p.present) return {{"present", false}, {"absent_reason", p.absent_reason}, {"isa", p.isa}};
  return {{"present", true}, {"value", p.value}, {"cv", p.cv}, {"isa", p.isa}};
}

// Field access with errors that name the field.
const nlohmann::json& field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key))
    throw Error("calibration JSON: " + where + " has no field '" + key + "'");
  return j.at(key);
}

template <class T>
T get(const nlohmann::json& j, const char* key, const std::string& where) {
  const nlohmann::json& v = field(j, key, where);
  try {
    return v.get<T>();
  } catch (const nlohmann::json::exception&) {
    // ensure_ascii: the value comes from the file.
    throw Error("calibration JSON: " + where + "." + key + " has the wrong type (" + v.dump(-1, ' ', true) +
                ")");
  }
}

template <class T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
  if (!j.is_object() || !j.contains(key)) return fallback;
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

PeakFigure peak_from(const nlohmann::json& j, const std::string& where) {
  PeakFigure p;
  p.present = get<bool>(j, "present", where);
  p.isa = get_or<std::string>(j, "isa", "");
  if (p.present) {
    p.value = get<double>(j, "value", where);
    p.cv = get_or<double>(j, "cv", 0.0);
  } else {
    p.absent_reason = get_or<std::string>(j, "absent_reason", "");
  }
  return p;
}

}  // namespace

double Calibration::bandwidth_at(double bytes, int t) const {
  const std::vector<BandwidthPoint> c = curve_of(bandwidth, t);
  if (c.empty()) {
    std::vector<int> measured;
    for (const auto& p : bandwidth)
      if (std::find(measured.begin(), measured.end(), p.threads) == measured.end())
        measured.push_back(p.threads);
    throw Error("calibration: no bandwidth measured with " + std::to_string(t) +
                " thread(s) (measured: " + threads_list(measured) + ")");
  }
  if (bytes <= static_cast<double>(c.front().bytes)) return c.front().gbps;
  if (bytes >= static_cast<double>(c.back().bytes)) return c.back().gbps;
  for (size_t i = 0; i + 1 < c.size(); ++i) {
    const double b0 = static_cast<double>(c[i].bytes), b1 = static_cast<double>(c[i + 1].bytes);
    if (bytes <= b1) {
      const double f = (std::log2(bytes) - std::log2(b0)) / (std::log2(b1) - std::log2(b0));
      return c[i].gbps + f * (c[i + 1].gbps - c[i].gbps);
    }
  }
  return c.back().gbps;
}

const ThreadPeaks& Calibration::peaks_for(int t) const {
  for (const auto& p : peaks)
    if (p.threads == t) return p;
  std::vector<int> measured;
  measured.reserve(peaks.size());
  for (const auto& p : peaks) measured.push_back(p.threads);
  throw Error("calibration: no peaks measured with " + std::to_string(t) +
              " thread(s) (measured: " + threads_list(measured) + ")");
}

namespace {

uint64_t knee_cold_bytes(const Calibration& c, int t) {
  uint64_t own = 0, any = 0;
  for (const auto& k : c.knees) {
    any = std::max(any, k.end_bytes);
    if (k.threads == t) own = std::max(own, k.end_bytes);
  }
  const bool measured = std::find(c.threads.begin(), c.threads.end(), t) != c.threads.end();
  return measured ? own : any;
}

}  // namespace

uint64_t Calibration::cold_bytes(int t) const {
  return std::max(knee_cold_bytes(*this, t), 2 * llc_bytes);
}

bool Calibration::cold_bytes_from_llc(int t) const {
  return llc_bytes > 0 && knee_cold_bytes(*this, t) < 2 * llc_bytes;
}

uint64_t llc_bytes_of(const nlohmann::json& caches) {
  if (!caches.is_array()) return 0;
  int level = 0;
  uint64_t bytes = 0;
  for (const auto& c : caches) {
    const auto whole = [&](const char* key) {
      return c.is_object() && c.contains(key) && c[key].is_number_integer() && c[key].get<int64_t>() >= 0;
    };
    if (!whole("level") || !whole("size_bytes") || !whole("count")) continue;
    const int l = c["level"].get<int>();
    const uint64_t b = c["size_bytes"].get<uint64_t>() * c["count"].get<uint64_t>();
    if (l > level || (l == level && b > bytes)) level = l, bytes = b;
  }
  return bytes;
}

std::vector<Knee> find_knees(const std::vector<BandwidthPoint>& all, int threads, const KneeOptions& o) {
  require(o.threshold > 1.0, "find_knees: threshold must be > 1");
  require(o.step_drop >= 0.0, "find_knees: step_drop must be >= 0");
  const std::vector<BandwidthPoint> c = curve_of(all, threads);
  std::vector<Knee> knees;
  if (c.size() < 2) return knees;
  const size_t steps = c.size() - 1;
  // ratio[i] = gbps[i] / gbps[i + 1]: > 1 + step_drop is a falling step.
  std::vector<double> ratio(steps);
  for (size_t i = 0; i < steps; ++i) ratio[i] = c[i + 1].gbps > 0 ? c[i].gbps / c[i + 1].gbps : HUGE_VAL;
  const auto falling = [&](size_t i) { return ratio[i] > 1.0 + o.step_drop; };
  size_t i = 0;
  while (i < steps) {
    if (!falling(i)) {
      ++i;
      continue;
    }
    const size_t start = i;
    size_t last = i;  // last falling step of the descent
    while (last + 1 < steps && falling(last + 1)) ++last;
    const size_t end = last + 1;  // point index at the lower level
    const double drop = c[end].gbps > 0 ? c[start].gbps / c[end].gbps : HUGE_VAL;
    // Read bandwidth does not rise again once a cache has run out: a later point back at
    // the upper level means the descent was noise (e.g. a preempted measurement).
    bool rebound = false;
    for (size_t r = end + 1; r < c.size(); ++r)
      rebound = rebound || c[r].gbps * (1.0 + o.step_drop) >= c[start].gbps;
    // The lower level must be seen twice: the next size confirms the drop (so one slow
    // measurement at the largest size is not a knee).
    const bool confirmed = end + 1 < c.size() && c[end + 1].gbps * o.threshold <= c[start].gbps;
    if (drop >= o.threshold && !rebound && confirmed) {
      knees.push_back({threads, c[start].bytes, c[end].bytes, c[start].gbps, c[end].gbps, drop});
    }
    i = end;
  }
  return knees;
}

std::string knee_method_text(const KneeOptions& o) {
  return fmt::format(
      "descents of the read-bandwidth curve (median GB/s per size) in ascending size: maximal runs of "
      "adjacent steps each falling by more than {:.0f}%; a descent whose total drop "
      "gbps(first)/gbps(last) is at least {:.2f}x, whose next larger size is also that far below its "
      "upper level, and after which no larger size comes back to within that step of its upper level, "
      "is a knee; bytes = last size at the upper level, end_bytes = first size at the lower level",
      o.step_drop * 100, o.threshold);
}

nlohmann::json to_json(const Calibration& c) {
  nlohmann::json peaks = nlohmann::json::array();
  for (const auto& p : c.peaks) {
    nlohmann::json formats = nlohmann::json::array();
    for (const auto& f : p.format_ceilings)
      formats.push_back({{"mix", f.mix}, {"types", f.types}, {"gops", peak_json(f.gops)}});
    peaks.push_back({{"threads", p.threads},
                     {"peak_int8_gops", peak_json(p.peak_int8_gops)},
                     {"peak_bf16_gflops", peak_json(p.peak_bf16_gflops)},
                     {"peak_fp32_gflops", peak_json(p.peak_fp32_gflops)},
                     {"format_ceilings", formats}});
  }
  nlohmann::json bw = nlohmann::json::array();
  for (const auto& p : c.bandwidth)
    bw.push_back({{"bytes", p.bytes}, {"threads", p.threads}, {"gbps", p.gbps}, {"cv", p.cv}});
  nlohmann::json knees = nlohmann::json::array();
  for (const auto& k : c.knees) {
    knees.push_back({{"threads", k.threads},
                     {"bytes", k.bytes},
                     {"end_bytes", k.end_bytes},
                     {"gbps_before", k.gbps_before},
                     {"gbps_after", k.gbps_after},
                     {"drop", k.drop}});
  }
  nlohmann::json cold = nlohmann::json::object();
  for (int t : c.threads) cold[std::to_string(t)] = c.cold_bytes(t);
  return {
      {"schema", "amxlab.calibration.v1"},
      {"threads", c.threads},
      {"peaks", peaks},
      {"bandwidth", bw},
      {"knees", knees},
      {"cold_bytes", cold},
      {"quick", c.quick},
      {"cpu", c.cpu},
      {"read_isa", c.read_isa},
      {"repetitions", c.repetitions},
      {"min_time_s", c.min_time_s},
      {"knee_options", {{"threshold", c.knee_options.threshold}, {"step_drop", c.knee_options.step_drop}}},
      {"knee_method", c.knee_method},
      {"llc_bytes", c.llc_bytes},
      {"notes", c.notes}};
}

Calibration calibration_from_json(const nlohmann::json& j) {
  if (!j.is_object()) throw Error("calibration JSON: not an object");
  const std::string schema = get<std::string>(j, "schema", "calibration");
  if (schema != "amxlab.calibration.v1")
    throw Error("calibration JSON: schema '" + io::printable(schema, 80) + "' is not amxlab.calibration.v1");
  Calibration c;
  c.threads = get<std::vector<int>>(j, "threads", "calibration");
  const nlohmann::json& peaks = field(j, "peaks", "calibration");
  if (!peaks.is_array()) throw Error("calibration JSON: peaks is not an array");
  for (size_t i = 0; i < peaks.size(); ++i) {
    const std::string where = "peaks[" + std::to_string(i) + "]";
    ThreadPeaks p;
    p.threads = get<int>(peaks[i], "threads", where);
    p.peak_int8_gops = peak_from(field(peaks[i], "peak_int8_gops", where), where + ".peak_int8_gops");
    p.peak_bf16_gflops = peak_from(field(peaks[i], "peak_bf16_gflops", where), where + ".peak_bf16_gflops");
    p.peak_fp32_gflops = peak_from(field(peaks[i], "peak_fp32_gflops", where), where + ".peak_fp32_gflops");
    if (peaks[i].contains("format_ceilings")) {  // absent in calibrations made before issue #11
      const nlohmann::json& fc = peaks[i]["format_ceilings"];
      if (!fc.is_array()) throw Error("calibration JSON: " + where + ".format_ceilings is not an array");
      for (size_t f = 0; f < fc.size(); ++f) {
        const std::string fw = where + ".format_ceilings[" + std::to_string(f) + "]";
        p.format_ceilings.push_back({get<std::string>(fc[f], "mix", fw), get<std::string>(fc[f], "types", fw),
                                     peak_from(field(fc[f], "gops", fw), fw + ".gops")});
      }
    }
    c.peaks.push_back(p);
  }
  const nlohmann::json& bw = field(j, "bandwidth", "calibration");
  if (!bw.is_array()) throw Error("calibration JSON: bandwidth is not an array");
  for (size_t i = 0; i < bw.size(); ++i) {
    const std::string where = "bandwidth[" + std::to_string(i) + "]";
    c.bandwidth.push_back({get<uint64_t>(bw[i], "bytes", where), get<int>(bw[i], "threads", where),
                           get<double>(bw[i], "gbps", where), get_or<double>(bw[i], "cv", 0.0)});
  }
  const nlohmann::json& knees = field(j, "knees", "calibration");
  if (!knees.is_array()) throw Error("calibration JSON: knees is not an array");
  for (size_t i = 0; i < knees.size(); ++i) {
    const std::string where = "knees[" + std::to_string(i) + "]";
    c.knees.push_back({get<int>(knees[i], "threads", where), get<uint64_t>(knees[i], "bytes", where),
                       get<uint64_t>(knees[i], "end_bytes", where),
                       get<double>(knees[i], "gbps_before", where),
                       get<double>(knees[i], "gbps_after", where), get<double>(knees[i], "drop", where)});
  }
  c.quick = get_or<bool>(j, "quick", false);
  c.cpu = get_or<std::string>(j, "cpu", "");
  c.read_isa = get_or<std::string>(j, "read_isa", "");
  c.repetitions = get_or<int>(j, "repetitions", 0);
  c.min_time_s = get_or<double>(j, "min_time_s", 0.0);
  if (j.contains("knee_options")) {
    c.knee_options.threshold = get_or<double>(j["knee_options"], "threshold", c.knee_options.threshold);
    c.knee_options.step_drop = get_or<double>(j["knee_options"], "step_drop", c.knee_options.step_drop);
  }
  c.knee_method = get_or<std::string>(j, "knee_method", "");
  c.notes = get_or<std::vector<std::string>>(j, "notes", {});
  // Files written before llc_bytes: the topology that `amxlab calibrate` records beside.
  c.llc_bytes = j.contains("llc_bytes") ? get<uint64_t>(j, "llc_bytes", "calibration")
                : j.contains("machine") && j["machine"].is_object() && j["machine"].contains("topology") &&
                        j["machine"]["topology"].is_object()
                    ? llc_bytes_of(j["machine"]["topology"].value("caches", nlohmann::json()))
                    : 0;
  return c;
}

void to_json(nlohmann::json& j, const Calibration& c) {
  j = to_json(c);
}
void from_json(const nlohmann::json& j, Calibration& c) {
  c = calibration_from_json(j);
}

std::vector<uint64_t> calibration_sizes(uint64_t min_bytes, uint64_t max_bytes, double step) {
  require(step > 1.0, "calibration sizes: the size step must be > 1");
  require(min_bytes >= kSizeUnit && max_bytes >= min_bytes,
          "calibration sizes: need " + std::to_string(kSizeUnit) + " <= min_bytes <= max_bytes");
  std::vector<uint64_t> sizes;
  for (int i = 0;; ++i) {
    const double s = static_cast<double>(min_bytes) * std::pow(step, i);
    if (s > static_cast<double>(max_bytes) * (1 + 1e-12)) break;
    const uint64_t v = static_cast<uint64_t>(std::llround(s)) / kSizeUnit * kSizeUnit;
    if (sizes.empty() || v > sizes.back()) sizes.push_back(v);
  }
  return sizes;
}

std::string format_mix_of(const std::string& t, bool vpdpbusd) {
  if (t == "q4_0") return "block32";
  if (t == "q8_0" || t == "iq4_nl") return vpdpbusd ? "block32" : "block32_signed";
  if (t == "q4_1") return "block32_min";
  if (t == "q4_K") return vpdpbusd ? "k32_min" : "k32_min_g8";
  if (t == "q5_K") return "k32_min";
  if (t == "iq4_xs") return "k32";
  if (t == "q2_K") return "k16_min";
  if (t == "q3_K") return vpdpbusd ? "k16" : "k16_g4";
  if (t == "q6_K") return "k16";
  return "";
}

const FormatCeiling* format_ceiling(const ThreadPeaks& p, const std::string& weight_type) {
  for (const auto& f : p.format_ceilings) {
    if (!f.gops.present) continue;
    for (size_t at = 0; at < f.types.size();) {  // types: space-separated names
      const size_t end = std::min(f.types.find(' ', at), f.types.size());
      if (f.types.compare(at, end - at, weight_type) == 0) return &f;
      at = end + 1;
    }
  }
  return nullptr;
}

std::string format_table(const Calibration& c) {
  std::string out;
  out += fmt::format("calibration ({}), cpu: {}\n", c.quick ? "quick" : "full", c.cpu);
  out += "peaks (median over repetitions; ops = 2 per multiply-add)\n";
  out +=
      fmt::format("  {:>7}  {:>16}  {:>16}  {:>16}\n", "threads", "int8 GOPS", "bf16 GFLOPS", "fp32 GFLOPS");
  const auto cell = [](const PeakFigure& p) {
    return p.present ? fmt::format("{:.1f} (cv {:.1f}%)", p.value, p.cv * 100) : std::string("absent");
  };
  for (const auto& p : c.peaks) {
    out += fmt::format("  {:>7}  {:>16}  {:>16}  {:>16}\n", p.threads, cell(p.peak_int8_gops),
                       cell(p.peak_bf16_gflops), cell(p.peak_fp32_gflops));
  }
  for (const auto& p : c.peaks) {
    for (const PeakFigure* f : {&p.peak_int8_gops, &p.peak_bf16_gflops, &p.peak_fp32_gflops})
      if (!f->present)
        out += fmt::format("  ({} threads: {} absent: {})\n", p.threads, f->isa, f->absent_reason);
  }
  bool any_format = false;
  for (const auto& p : c.peaks) any_format = any_format || !p.format_ceilings.empty();
  if (any_format) {
    out +=
        "format ceilings (the golden instruction mix per block on register data; GOPS, % of the int8 peak)\n";
    for (const auto& p : c.peaks) {
      for (const auto& f : p.format_ceilings) {
        // "-" without a VPDPBUSD peak (an AVX2 CPU's mixes have no int8 peak beside them).
        const std::string pct = p.peak_int8_gops.present && f.gops.present
                                    ? fmt::format("{:.0f}%", 100.0 * f.gops.value / p.peak_int8_gops.value)
                                    : "-";
        out +=
            fmt::format("  {:>7}  {:<14} {:<18} {:>16}  {}\n", p.threads, f.mix, f.types, cell(f.gops), pct);
      }
    }
  }
  if (!c.bandwidth.empty()) {
    out += fmt::format("read bandwidth, GB/s ({}; working set = all threads together)\n", c.read_isa);
    std::string header = fmt::format("  {:>10}", "bytes");
    for (int t : c.threads) header += fmt::format("  {:>14}", fmt::format("{} thr", t));
    out += header + "\n";
    // One row per grid size: every thread count measured the same nominal grid (its
    // bytes differ only by the rounding of each thread's part to 512 bytes).
    std::vector<std::vector<BandwidthPoint>> curves;
    size_t rows = 0;
    for (int t : c.threads) {
      curves.push_back(curve_of(c.bandwidth, t));
      rows = std::max(rows, curves.back().size());
    }
    for (size_t r = 0; r < rows; ++r) {
      uint64_t label = 0;
      for (const auto& cv : curves)
        if (r < cv.size()) label = std::max(label, cv[r].bytes);
      std::string line = fmt::format("  {:>10}", size_text(static_cast<double>(label)));
      for (const auto& cv : curves) {
        const std::string v =
            r < cv.size() ? fmt::format("{:.1f} ({:.1f}%)", cv[r].gbps, cv[r].cv * 100) : "-";
        line += fmt::format("  {:>14}", v);
      }
      out += line + "\n";
    }
    out += "knees (measured: " + fmt::format("drop >= {:.2f}x", c.knee_options.threshold) + ")\n";
    if (c.knees.empty()) out += "  none found\n";
    for (const auto& k : c.knees) {
      out += fmt::format("  {} thr: {} -> {}: {:.1f} -> {:.1f} GB/s ({:.2f}x)\n", k.threads,
                         size_text(static_cast<double>(k.bytes)), size_text(static_cast<double>(k.end_bytes)),
                         k.gbps_before, k.gbps_after, k.drop);
    }
    for (int t : c.threads) {
      const uint64_t cb = c.cold_bytes(t);
      out += fmt::format("  cold working set ({} thr): {}\n", t,
                         cb ? "> " + size_text(static_cast<double>(cb)) : std::string("no knee found"));
    }
  }
  for (const auto& n : c.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace amxlab::calibrate
