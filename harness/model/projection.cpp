#include "harness/model/projection.h"

#include <algorithm>
#include <tuple>

#include "harness/io/printable.h"
#include "harness/results/median.h"
#include "harness/sweep/case.h"
#include "kernels/registry.h"

namespace amxlab::harness::model {
namespace {

std::string why_excluded(const ModelTensor& t) {
  if (t.role == TensorRole::unknown_weight)
    return "no llama.cpp role matches the name " + io::printable(t.name, 120) +
           ": a matmul of unknown count per token";
  if (!t.type) return "ggml type " + t.type_name + " has no format in amxlab";
  bool registered = false;
  std::string why_not;
  for (const auto& k : kernel_registry()) {
    if (k.weight_type != *t.type) continue;
    registered = true;
    std::string why;
    if (kernel_runnable(k, &why)) return {};
    if (why_not.empty()) why_not = std::string(k.name) + ": " + why;
  }
  if (!registered) return std::string("no kernel for ") + name(*t.type) + " in the registry";
  return "no kernel for " + std::string(name(*t.type)) + " can run here (" + why_not + ")";
}

std::string descriptor_of(const ModelCase& c, int64_t rows, int64_t n, int64_t experts, int64_t top_k,
                          int threads, const std::string& kernel) {
  const std::string shape =
      experts > 0 ? "e" + std::to_string(experts) + "top" + std::to_string(top_k) + "t" +
                        std::to_string(rows) + "n" + std::to_string(n) + "k" + std::to_string(c.k)
                  : "m" + std::to_string(rows) + "n" + std::to_string(n) + "k" + std::to_string(c.k);
  // The printed (complete) form: the key of the results' records.
  return parse_case(c.type_name + ":" + shape + ":t" + std::to_string(threads) + ":kernel=" + kernel +
                    (experts > 0 ? ":route=uniform" : ""))
      .descriptor();
}

// Our median of a record: the cold (rotating) one when asked for and present, else hot.
std::optional<double> kernel_seconds(const nlohmann::json& rec, bool prefer_cold) {
  const auto& t = rec.contains("timing") ? rec["timing"] : nlohmann::json();
  if (!t.is_object()) return std::nullopt;
  if (prefer_cold && t.contains("cold") && t["cold"].contains("median_s"))
    return t["cold"]["median_s"].get<double>();
  if (t.contains("hot") && t["hot"].contains("median_s")) return t["hot"]["median_s"].get<double>();
  return std::nullopt;
}

// oneDNN's median of a record (timed hot only).
std::optional<double> onednn_seconds(const nlohmann::json& rec) {
  const auto& t = rec.contains("onednn_timing") ? rec["onednn_timing"] : nlohmann::json();
  if (!t.is_object() || !t.contains("median_s")) return std::nullopt;
  return t["median_s"].get<double>();
}

// The medians one record holds: where they are in the record, and their name in
// "round_medians_s".
struct MedianAt {
  const char* name;
  std::vector<const char*> path;
};
const std::vector<MedianAt>& medians_in_a_record() {
  static const std::vector<MedianAt> at = {{"hot", {"timing", "hot", "median_s"}},
                                           {"cold", {"timing", "cold", "median_s"}},
                                           {"onednn", {"onednn_timing", "median_s"}}};
  return at;
}

const nlohmann::json* find_path(const nlohmann::json& j, const std::vector<const char*>& path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
  }
  return at->is_number() ? at : nullptr;
}

nlohmann::json& at_path(nlohmann::json& j, const std::vector<const char*>& path) {
  nlohmann::json* at = &j;
  for (const char* key : path) at = &(*at)[key];
  return *at;
}

}  // namespace

std::string ModelCase::shape() const {
  return experts > 0 ? "e" + std::to_string(experts) + "top" + std::to_string(top_k) + "n" +
                           std::to_string(n) + "k" + std::to_string(k)
                     : "n" + std::to_string(n) + "k" + std::to_string(k);
}

std::string ModelCase::decode_descriptor(int threads) const {
  return descriptor_of(*this, 1, n, experts, top_k, threads, "auto");
}

std::string ModelCase::prefill_descriptor(int threads) const {
  return descriptor_of(*this, kPrefillTokens, n, experts, top_k, threads, "auto");
}

std::vector<std::string> ModelCase::check_descriptors(const std::string& kernel, int threads) const {
  const int64_t cn = std::min(n, kCheckMaxN), ce = std::min(experts, kCheckMaxExperts);
  const int64_t ck = std::min(top_k, ce);
  return {descriptor_of(*this, 1, cn, ce, ck, threads, kernel),
          descriptor_of(*this, 17, cn, ce, ck, threads, kernel)};
}

std::vector<ModelCase> model_cases(const ModelInventory& inv) {
  std::vector<ModelCase> out;
  std::map<std::tuple<std::string, int64_t, int64_t, int64_t, std::string, bool>, size_t> index;
  for (const auto& t : inv.tensors) {
    if (!is_matmul(t.role)) continue;
    const bool lm_head = t.role == TensorRole::output;
    const auto key =
        std::make_tuple(t.type_name, t.n(), t.k(), t.experts(), std::string(tensor_class(t.role)), lm_head);
    auto it = index.find(key);
    if (it == index.end()) {
      ModelCase c;
      c.type_name = t.type_name;
      c.type = t.type;
      c.n = t.n();
      c.k = t.k();
      c.experts = t.experts();
      c.top_k = c.experts > 0 ? inv.top_k : 0;
      c.tensor_class = tensor_class(t.role);
      c.lm_head = lm_head;
      c.bytes_each = t.bytes;
      c.excluded = why_excluded(t);
      it = index.emplace(key, out.size()).first;
      out.push_back(std::move(c));
    }
    ModelCase& c = out[it->second];
    ++c.count;
    if (c.tensors.size() < 4) c.tensors.push_back(t.name);
  }
  return out;
}

nlohmann::json inventory_json(const ModelInventory& inv) {
  std::map<std::string, int64_t> classes;
  uint64_t matmul_bytes = 0, other_bytes = 0;
  nlohmann::json not_matmul = nlohmann::json::array();
  for (const auto& t : inv.tensors) {
    ++classes[tensor_class(t.role)];
    if (is_matmul(t.role)) {
      matmul_bytes += t.bytes;
    } else {
      other_bytes += t.bytes;
      if (t.role != TensorRole::norm && not_matmul.size() < 8)
        not_matmul.push_back(io::printable(t.name, 200));
    }
  }
  // Names come from the file: escaped (a JSON string must be UTF-8, and a terminal that
  // shows the file should not receive its control bytes).
  return {{"source", io::printable(inv.source, 400)},
          {"architecture", io::printable(inv.architecture, 200)},
          {"layers", inv.layers},
          {"experts", inv.experts},
          {"top_k", inv.top_k},
          {"tensors", inv.tensors.size()},
          {"tensors_per_class", classes},
          {"matmul_weight_bytes", matmul_bytes},
          {"other_bytes", other_bytes},
          {"not_matmuls_besides_norms", not_matmul}};
}

namespace {

nlohmann::json printable_names(const std::vector<std::string>& names) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : names) out.push_back(io::printable(n, 200));
  return out;
}

}  // namespace

nlohmann::json project(const std::vector<ModelCase>& cases,
                       const std::map<std::string, nlohmann::json>& records, int threads) {
  struct Side {
    double decode_s = 0, prefill_s = 0;
    double decode_hot_s = 0;  // M=1 with the weights in cache (what a repeated-call benchmark sees)
  };
  Side ours, onednn;
  bool onednn_complete = true;
  uint64_t all_bytes = 0, covered_bytes = 0;
  std::map<std::string, Side> by_class;
  nlohmann::json rows = nlohmann::json::array(), left_out = nlohmann::json::array();
  for (const auto& c : cases) {
    const uint64_t bytes = c.bytes_each * static_cast<uint64_t>(c.count);
    all_bytes += bytes;
    nlohmann::json row = {{"type", c.type_name},        {"shape", c.shape()},
                          {"class", c.tensor_class},    {"count", c.count},
                          {"bytes_each", c.bytes_each}, {"tensors", printable_names(c.tensors)},
                          {"lm_head", c.lm_head}};
    if (!c.excluded.empty()) {
      row["left_out"] = c.excluded;
      left_out.push_back(row);
      continue;
    }
    const std::string dd = c.decode_descriptor(threads), pd = c.prefill_descriptor(threads);
    const auto d = records.find(dd), p = records.find(pd);
    const auto pass = [](const auto& it, const auto& end) {
      return it != end && it->second.value("verdict", "") == "PASS";
    };
    if (!pass(d, records.end()) || (!c.lm_head && !pass(p, records.end()))) {
      row["left_out"] = "no PASS timing record for " + (pass(d, records.end()) ? pd : dd);
      left_out.push_back(row);
      continue;
    }
    const auto dec = kernel_seconds(d->second, true);
    const auto dec_hot = kernel_seconds(d->second, false);
    const auto pre = c.lm_head ? dec : kernel_seconds(p->second, false);
    if (!dec || !pre) {
      row["left_out"] = "the timing records hold no median";
      left_out.push_back(row);
      continue;
    }
    covered_bytes += bytes;
    const double prefill_tok = c.lm_head ? *dec / kPrefillTokens : *pre / kPrefillTokens;
    const auto n = static_cast<double>(c.count);
    ours.decode_s += n * *dec;
    ours.decode_hot_s += n * dec_hot.value_or(*dec);
    ours.prefill_s += n * prefill_tok;
    by_class[c.tensor_class].decode_s += n * *dec;
    by_class[c.tensor_class].prefill_s += n * prefill_tok;
    row["decode_s_each"] = *dec;
    row["prefill_s_per_token_each"] = prefill_tok;
    row["decode_s"] = n * *dec;
    row["prefill_s_per_token"] = n * prefill_tok;
    row["decode_descriptor"] = dd;
    row["prefill_descriptor"] = c.lm_head ? dd + " (one pass per 512-token batch)" : pd;
    const auto od = onednn_seconds(d->second);
    const auto op = c.lm_head ? od : onednn_seconds(p->second);
    if (od && op) {
      onednn.decode_s += n * *od;
      onednn.decode_hot_s += n * *od;  // oneDNN is timed hot only
      onednn.prefill_s += n * (*op / kPrefillTokens);
      row["onednn_decode_s"] = n * *od;
      row["onednn_prefill_s_per_token"] = n * (*op / kPrefillTokens);
      row["onednn_kind"] = d->second["onednn_timing"].value("kind", "");
    } else {
      onednn_complete = false;
    }
    rows.push_back(row);
  }
  for (auto& r : rows) {
    r["decode_share"] = ours.decode_s > 0 ? r["decode_s"].get<double>() / ours.decode_s : 0.0;
    r["prefill_share"] = ours.prefill_s > 0 ? r["prefill_s_per_token"].get<double>() / ours.prefill_s : 0.0;
  }
  std::sort(rows.begin(), rows.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["decode_share"].get<double>() > b["decode_share"].get<double>();
  });
  nlohmann::json classes = nlohmann::json::object();
  for (const auto& [k, s] : by_class) {
    classes[k] = {{"decode_s", s.decode_s},
                  {"prefill_s_per_token", s.prefill_s},
                  {"decode_share", ours.decode_s > 0 ? s.decode_s / ours.decode_s : 0.0},
                  {"prefill_share", ours.prefill_s > 0 ? s.prefill_s / ours.prefill_s : 0.0}};
  }
  const auto side = [](const Side& s) {
    return nlohmann::json{{"decode_ms_per_token", s.decode_s * 1e3},
                          {"decode_tokens_per_s", s.decode_s > 0 ? 1.0 / s.decode_s : 0.0},
                          {"decode_hot_ms_per_token", s.decode_hot_s * 1e3},
                          {"prefill_ms_per_token", s.prefill_s * 1e3},
                          {"prefill_tokens_per_s", s.prefill_s > 0 ? 1.0 / s.prefill_s : 0.0}};
  };
  nlohmann::json j;
  j["threads"] = threads;
  j["ours"] = side(ours);
  j["onednn"] = side(onednn);
  if (!onednn_complete) j["onednn"]["note"] = "some cases have no oneDNN timing: its totals leave them out";
  j["covered_weight_bytes"] = covered_bytes;
  j["matmul_weight_bytes"] = all_bytes;
  j["covered_fraction"] =
      all_bytes > 0 ? static_cast<double>(covered_bytes) / static_cast<double>(all_bytes) : 0.0;
  j["cases"] = rows;
  j["left_out"] = left_out;
  j["classes"] = classes;
  j["rules"] =
      "decode: count x M=1 time (cold where measured; decode_hot: the hot time); prefill: count x M=512 hot "
      "time / 512, output.weight "
      "one M=1 pass per 512-token batch; MoE tensors at T=1 / T=512 with the model's top-k, uniform routing";
  return j;
}

std::map<std::string, nlohmann::json> merge_rounds(
    const std::vector<std::map<std::string, nlohmann::json>>& rounds) {
  std::map<std::string, nlohmann::json> out;
  if (rounds.empty()) return out;
  for (const auto& [descriptor, first] : rounds.front()) {
    const nlohmann::json* failed = nullptr;
    bool missing = false;
    for (const auto& round : rounds) {
      const auto it = round.find(descriptor);
      if (it == round.end()) {
        missing = true;
        break;
      }
      if (it->second.value("verdict", "") != "PASS") {
        failed = &it->second;
        break;
      }
    }
    if (missing) continue;
    if (failed != nullptr) {
      out[descriptor] = *failed;
      continue;
    }
    nlohmann::json merged = first;
    nlohmann::json listed = nlohmann::json::object();
    for (const auto& m : medians_in_a_record()) {
      std::vector<double> values;
      for (const auto& round : rounds)
        if (const nlohmann::json* v = find_path(round.at(descriptor), m.path))
          values.push_back(v->get<double>());
      // A median every round measured (a case timed hot only has no cold one in any).
      if (values.size() != rounds.size()) continue;
      at_path(merged, m.path) = median(values);
      listed[m.name] = values;
    }
    merged["round_medians_s"] = listed;
    out[descriptor] = merged;
  }
  return out;
}

nlohmann::json round_spread(const std::vector<nlohmann::json>& projections) {
  nlohmann::json out = nlohmann::json::object();
  for (const char* side : {"ours", "onednn"}) {
    for (const char* total : {"decode_ms_per_token", "decode_hot_ms_per_token", "prefill_ms_per_token"}) {
      std::vector<double> v;
      v.reserve(projections.size());
      for (const auto& p : projections) v.push_back(p.at(side).at(total).get<double>());
      if (v.empty()) continue;
      out[side][total] = {{"min", *std::min_element(v.begin(), v.end())},
                          {"median", median(v)},
                          {"max", *std::max_element(v.begin(), v.end())}};
    }
  }
  out["rounds"] = projections.size();
  return out;
}

}  // namespace amxlab::harness::model
