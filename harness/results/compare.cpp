#include "harness/results/compare.h"

#include <fmt/core.h>

#include <map>

#include "harness/io/printable.h"
#include "harness/results/mann_whitney.h"
#include "harness/results/median.h"

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
    if (c.significant_slowdown || c.new_mismatch) return true;
  }
  return false;
}

std::string CompareReport::table() const {
  std::string out = fmt::format("{:<70} {:<6} {:>10} {:>10} {:>7} {:>8}  {}\n", "case", "timing", "old",
                                "new", "ratio", "p", "verdict");
  for (const auto& c : cases) {
    std::string note;
    if (c.new_mismatch)
      note = "NEW MISMATCH (" + shown(c.old_verdict) + " -> " + shown(c.new_verdict) + ")";
    else if (c.significant_slowdown)
      note = "SLOWER";
    else if (c.significant_speedup)
      note = "faster";
    else if (c.old_verdict != c.new_verdict)
      note = shown(c.old_verdict) + " -> " + shown(c.new_verdict);
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
  CompareReport r;
  std::map<std::string, const nlohmann::json*> old_cases;
  for (const auto& c : old_doc["cases"]) old_cases[c.value("descriptor", "")] = &c;
  std::map<std::string, bool> seen;
  for (const auto& nc : new_doc["cases"]) {
    const std::string d = nc.value("descriptor", "");
    seen[d] = true;
    const auto it = old_cases.find(d);
    if (it == old_cases.end()) {
      r.only_new.push_back(d);
      continue;
    }
    const auto& oc = *it->second;
    CaseComparison base;
    base.descriptor = d;
    base.old_verdict = oc.value("verdict", "");
    base.new_verdict = nc.value("verdict", "");
    base.new_mismatch = base.new_verdict == "FAIL" && base.old_verdict != "FAIL";
    // One row per timing both files hold (hot, then cold); the verdicts ride on the first.
    size_t rows = 0;
    for (const auto& [timing, wanted] : {std::pair{"hot", o.hot}, std::pair{"cold", o.cold}}) {
      const auto so = samples(oc, timing), sn = samples(nc, timing);
      if (!wanted || so.empty() || sn.empty()) continue;
      CaseComparison cc = base;
      if (rows++ > 0) cc.new_mismatch = false;
      cc.timing = timing;
      cc.has_timing = true;
      cc.old_median_s = median(so);
      cc.new_median_s = median(sn);
      cc.ratio = cc.new_median_s / cc.old_median_s;
      cc.p_value = mann_whitney(so, sn).p_value;
      const bool significant = cc.p_value < o.alpha;
      cc.significant_slowdown = significant && cc.ratio > 1 + o.slowdown_threshold;
      cc.significant_speedup = significant && cc.ratio < 1 / (1 + o.slowdown_threshold);
      r.cases.push_back(cc);
    }
    if (rows == 0) r.cases.push_back(base);
  }
  for (const auto& [d, _] : old_cases) {
    if (!seen.count(d)) r.only_old.push_back(d);
  }
  r.model = model_lines(old_doc, new_doc);
  return r;
}

}  // namespace amxlab::harness
