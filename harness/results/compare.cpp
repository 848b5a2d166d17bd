#include "harness/results/compare.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "harness/io/printable.h"
#include "harness/results/mann_whitney.h"
#include "harness/results/median.h"
#include "harness/results/results_file.h"
#include "kernels/core/error.h"

namespace amxlab::harness {
namespace {

// The repetition samples of one timing ("hot" or "cold"); empty where the case has none.
std::vector<double> samples(const nlohmann::json& c, const char* timing) {
  std::vector<double> s;
  if (c.contains("timing") && c["timing"].is_object() && c["timing"].contains(timing) &&
      c["timing"][timing].is_object() && c["timing"][timing].contains("samples_s")) {
    for (const auto& v : c["timing"][timing]["samples_s"]) s.push_back(v.get<double>());
  }
  return s;
}

// Whether any case of the file holds timing samples, hot or cold.
bool any_samples(const nlohmann::json& doc) {
  for (const auto& c : doc["cases"]) {
    if (!samples(c, "hot").empty() || !samples(c, "cold").empty()) return true;
  }
  return false;
}

// Descriptors and verdicts are read from the two files: shown escaped.
std::string shown(const std::string& s) {
  return io::printable(s, 200);
}

const nlohmann::json* projection_of(const nlohmann::json& doc) {
  if (!doc.is_object() || !doc.contains("model") || !doc["model"].is_object()) return nullptr;
  const auto& m = doc["model"];
  return m.contains("projection") && m["projection"].is_object() ? &m["projection"] : nullptr;
}

// "12.345" or, with rounds, "12.345 (rounds 11.000..13.000)": the projection sums each
// case's median over the rounds, which need not lie within the rounds' own totals.
std::string total_shown(const nlohmann::json& p, const char* side, const char* total) {
  std::string out = fmt::format("{:.3f}", p[side].value(total, 0.0));
  if (p.contains("rounds") && p["rounds"].contains(side) && p["rounds"][side].contains(total)) {
    const auto& r = p["rounds"][side][total];
    out += fmt::format(" (rounds {:.3f}..{:.3f})", r.value("min", 0.0), r.value("max", 0.0));
  }
  return out;
}

}  // namespace

std::vector<std::string> model_lines(const nlohmann::json& old_doc, const nlohmann::json& new_doc) {
  const nlohmann::json* po = projection_of(old_doc);
  const nlohmann::json* pn = projection_of(new_doc);
  if (po == nullptr || pn == nullptr) return {};
  std::vector<std::string> out;
  const auto source = [](const nlohmann::json& doc) {
    const auto& inv = doc["model"].value("inventory", nlohmann::json::object());
    return inv.is_object() ? inv.value("source", std::string("?")) : std::string("?");
  };
  const std::string so = source(old_doc), sn = source(new_doc);
  const int to = po->value("threads", 0), tn = pn->value("threads", 0);
  out.push_back(
      "model projection, ms per token (not part of the gate; with several rounds, the range of the "
      "rounds' own totals):");
  if (so != sn || to != tn) {
    out.push_back(fmt::format("  different projections: {} at {} threads -> {} at {} threads", shown(so), to,
                              shown(sn), tn));
  }
  for (const char* side : {"ours", "onednn"}) {
    if (!po->contains(side) || !pn->contains(side)) continue;
    for (const auto& [total, label] :
         {std::pair{"decode_ms_per_token", "decode"}, std::pair{"decode_hot_ms_per_token", "decode hot"},
          std::pair{"prefill_ms_per_token", "prefill"}}) {
      const double a = (*po)[side].value(total, 0.0), b = (*pn)[side].value(total, 0.0);
      out.push_back(fmt::format("  {:<7} {:<11} {} -> {}  (x{:.3f})", side, label,
                                total_shown(*po, side, total), total_shown(*pn, side, total),
                                a > 0 ? b / a : 0.0));
    }
  }
  return out;
}

bool CompareReport::regression() const {
  for (const auto& c : cases) {
    if (c.significant_slowdown || c.new_failure) return true;
  }
  return false;
}

size_t CompareReport::untested_slowdowns() const {
  size_t n = 0;
  for (const auto& c : cases) n += c.untested_slowdown ? 1 : 0;
  return n;
}

size_t CompareReport::missing_cases() const {
  return options.allow_missing || cases.empty() ? 0 : only_old.size();
}

// A slowdown the samples cannot test is not "no regression": the gate would pass any
// slowdown at all at --reps 3. A regression it did show still wins (exit 1), and then
// the cases NEW lost (a sweep that passes by running less is no pass).
CompareOutcome CompareReport::outcome() const {
  if (regression()) return CompareOutcome::kRegression;
  if (!nothing_compared.empty()) return CompareOutcome::kNothingCompared;
  if (missing_cases() > 0) return CompareOutcome::kMissingCases;
  if (untested_slowdowns() > 0) return CompareOutcome::kInconclusive;
  return CompareOutcome::kNoRegression;
}

std::string CompareReport::summary() const {
  const double percent = options.slowdown_threshold * 100;
  switch (outcome()) {
    case CompareOutcome::kRegression:
      return fmt::format("REGRESSION: a significant slowdown beyond {:g}% or a new failure", percent);
    case CompareOutcome::kInconclusive:
      return fmt::format(
          "INCONCLUSIVE: {} row(s) slower by more than {:g}% with too few samples for the U test to reach "
          "p < {:g}; rerun both sides with --reps {} (or more)",
          untested_slowdowns(), percent, options.alpha, mann_whitney_samples_for(options.alpha));
    case CompareOutcome::kNothingCompared: return "NOTHING COMPARED: " + nothing_compared;
    case CompareOutcome::kMissingCases:
      return fmt::format(
          "MISSING CASES: {} case(s) of OLD are not in NEW (\"only in OLD\" above); rerun them, or pass "
          "--allow-missing where the narrower run is meant{}",
          missing_cases(),
          untested_slowdowns() == 0
              ? std::string()
              : fmt::format(
                    "; also {} row(s) slower by more than {:g}% with too few samples to test (rerun with "
                    "--reps {})",
                    untested_slowdowns(), percent, mann_whitney_samples_for(options.alpha)));
    case CompareOutcome::kNoRegression: break;
  }
  size_t untestable = 0;
  for (const auto& c : cases) untestable += c.untestable ? 1 : 0;
  std::vector<std::string> notes;
  if (untestable > 0)
    notes.push_back(fmt::format("{} row(s) with too few samples to test, none slower by more than {:g}%",
                                untestable, percent));
  if (!only_old.empty() && options.allow_missing)
    notes.push_back(fmt::format("{} case(s) of OLD not in NEW, allowed by --allow-missing", only_old.size()));
  return notes.empty() ? "no regression" : fmt::format("no regression ({})", fmt::join(notes, "; "));
}

std::string CompareReport::table() const {
  std::string out = fmt::format("{:<70} {:<6} {:>10} {:>10} {:>7} {:>8}  {}\n", "case", "timing", "old",
                                "new", "ratio", "p", "verdict");
  for (const auto& c : cases) {
    std::string note;
    if (c.new_failure)
      note = "NEW FAILURE (" + shown(c.old_verdict) + " -> " + shown(c.new_verdict) + ")";
    else if (c.significant_slowdown)
      note = "SLOWER";
    else if (c.significant_speedup)
      note = "faster";
    else if (c.old_verdict != c.new_verdict)
      note = shown(c.old_verdict) + " -> " + shown(c.new_verdict);
    if (c.untestable) {
      const std::string few =
          fmt::format("too few samples: n = {} and {} cannot give p < {:g}; rerun with --reps {}",
                      c.old_samples, c.new_samples, options.alpha, mann_whitney_samples_for(options.alpha));
      const std::string what = c.untested_slowdown ? "UNTESTED SLOWDOWN (" + few + ")" : few;
      note = note.empty() ? what : note + "; " + what;
    }
    if (c.has_timing) {
      out += fmt::format("{:<70} {:<6} {:>8.1f}us {:>8.1f}us {:>7.3f} {:>8.3g}  {}\n", shown(c.descriptor),
                         c.timing, c.old_median_s * 1e6, c.new_median_s * 1e6, c.ratio, c.p_value, note);
    } else {
      out += fmt::format("{:<70} {:<6} {:>10} {:>10} {:>7} {:>8}  {}\n", shown(c.descriptor), "-", "-", "-",
                         "-", "-", note);
    }
  }
  for (const auto& d : only_old) out += "only in OLD: " + shown(d) + "\n";
  for (const auto& d : only_new) out += "only in NEW: " + shown(d) + "\n";
  for (const auto& line : model) out += line + "\n";
  return out;
}

CompareReport compare_results(const nlohmann::json& old_doc, const nlohmann::json& new_doc,
                              const CompareOptions& o) {
  validate_compare_options(o);
  CompareReport r;
  r.options = o;
  std::map<std::string, const nlohmann::json*> old_cases;
  for (const auto& c : old_doc["cases"]) old_cases[record_key(c)] = &c;
  std::map<std::string, bool> seen;
  size_t in_both = 0, timed_rows = 0;
  for (const auto& nc : new_doc["cases"]) {
    const std::string d = record_key(nc);
    seen[d] = true;
    const auto it = old_cases.find(d);
    if (it == old_cases.end()) {
      r.only_new.push_back(d);
      continue;
    }
    const auto& oc = *it->second;
    ++in_both;
    CaseComparison base;
    base.descriptor = d;
    base.old_verdict = oc.value("verdict", "");
    base.new_verdict = nc.value("verdict", "");
    // A case that fails now (FAIL, ERROR, CRASHED, TIMEOUT) and did not before.
    base.new_failure = is_failure(base.new_verdict) && !is_failure(base.old_verdict);
    // One row per timing both files hold (hot, then cold); the verdicts ride on the first.
    size_t rows = 0;
    for (const auto& [timing, wanted] : {std::pair{"hot", o.hot}, std::pair{"cold", o.cold}}) {
      const auto so = samples(oc, timing), sn = samples(nc, timing);
      if (!wanted || so.empty() || sn.empty()) continue;
      CaseComparison cc = base;
      if (rows++ > 0) cc.new_failure = false;
      cc.timing = timing;
      cc.has_timing = true;
      cc.old_median_s = median(so);
      cc.new_median_s = median(sn);
      cc.ratio = cc.new_median_s / cc.old_median_s;
      cc.p_value = mann_whitney(so, sn).p_value;
      cc.old_samples = so.size();
      cc.new_samples = sn.size();
      // Where the sizes cannot reach alpha, a p below it could only come from the normal
      // approximation with ties, which is not to be trusted there: nothing is significant.
      cc.untestable = mann_whitney_min_p(so.size(), sn.size()) >= o.alpha;
      const bool slower = cc.ratio > 1 + o.slowdown_threshold;
      const bool significant = !cc.untestable && cc.p_value < o.alpha;
      cc.significant_slowdown = significant && slower;
      cc.significant_speedup = significant && cc.ratio < 1 / (1 + o.slowdown_threshold);
      cc.untested_slowdown = cc.untestable && slower;
      r.cases.push_back(cc);
    }
    timed_rows += rows;
    if (rows == 0) r.cases.push_back(base);
  }
  for (const auto& [d, _] : old_cases) {
    if (!seen.count(d)) r.only_old.push_back(d);
  }
  // Nothing compared passes no gate. Two check runs (no timings in either file, all
  // timings asked for) compare their verdicts only, which is a comparison.
  const char* kind = o.hot && o.cold ? "hot or cold" : o.hot ? "hot" : "cold";
  if (in_both == 0) {
    r.nothing_compared = fmt::format(
        "no case is in both files ({} only in OLD, {} only in NEW): are they runs of the same cases?",
        r.only_old.size(), r.only_new.size());
  } else if (timed_rows == 0 && (!(o.hot && o.cold) || any_samples(old_doc) || any_samples(new_doc))) {
    r.nothing_compared = fmt::format(
        "{} case(s) are in both files, but none has {} timing samples in both, so no timing was compared{}",
        in_both, kind,
        o.hot ? " (a `check` run records no timings)" : " (a run with --no-cold records no cold timings)");
  }
  r.model = model_lines(old_doc, new_doc);
  return r;
}

void validate_compare_options(const CompareOptions& o) {
  if (!std::isfinite(o.slowdown_threshold) || o.slowdown_threshold < 0)
    throw Error(fmt::format(
        "--threshold {:g}: the relative slowdown that counts must be 0 or more (0.05: 5 % slower medians)",
        o.slowdown_threshold));
  if (!(o.alpha > 0 && o.alpha < 1))
    throw Error(fmt::format(
        "--alpha {:g}: the significance level must lie strictly between 0 and 1 (e.g. 0.05)", o.alpha));
}

}  // namespace amxlab::harness
