#include "harness/model/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "harness/io/json_text.h"
#include "harness/io/printable.h"
#include "harness/io/read_file.h"
#include "kernels/core/error.h"

namespace amxlab::harness::model {
namespace {

// The largest value any size field may hold; `layers` and `experts` are bounded tighter
// (every layer and expert becomes inventory rows and cases: 2^24 layers would allocate
// gigabytes before anything is shown). Real models: <= 128 layers, <= 384 experts.
constexpr int64_t kManifestMaxSize = int64_t{1} << 24;
constexpr int64_t kManifestMaxLayers = 1024;
constexpr int64_t kManifestMaxExperts = 4096;

int64_t size_field(const nlohmann::json& j, const char* key, const std::string& where, bool may_be_zero,
                   int64_t max = kManifestMaxSize) {
  if (!j.contains(key) || !j[key].is_number_integer())
    throw Error(where + ": field '" + key + "' is missing or not an integer");
  const auto v = j[key].get<int64_t>();
  if (v < 0 || (!may_be_zero && v == 0) || v > max)
    throw Error(where + ": field '" + key + "' = " + std::to_string(v) + " is out of range (" +
                (may_be_zero ? "0" : "1") + ".." + std::to_string(max) + ")");
  return v;
}

// An optional field: its default where absent, an error where it holds another JSON type.
template <typename T>
T optional_field(const nlohmann::json& j, const char* key, const std::string& where, T fallback) {
  if (!j.contains(key)) return fallback;
  const auto& v = j[key];
  const bool ok = std::is_same_v<T, bool> ? v.is_boolean() : v.is_string();
  if (!ok)
    throw Error(where + ": field '" + key + "' is not a " + (std::is_same_v<T, bool> ? "boolean" : "string"));
  return v.get<T>();
}

std::string string_field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_string())
    throw Error(where + ": field '" + key + "' is missing or not a string");
  return j[key].get<std::string>();
}

// Which of llama-quantize's per-tensor rules a recipe follows (manifest.h lists them).
enum class Mix : uint8_t {
  none,    // every matmul weight in the base type
  k_m,     // q4_k_m, q5_k_m: attn_v and ffn_down Q6_K on use_more_bits layers
  q3_k_m,  // attn_v Q5_K (layers 0-1) / Q4_K, ffn_down Q5_K (first 16th) / Q4_K, attn_output Q4_K
  q2_k,    // attn_v Q4_K (GQA >= 4) / Q3_K, ffn_down and attn_output Q3_K
  iq4_xs,  // attn_v Q5_K with GQA >= 4
};
struct Recipe {
  const char* name;
  QType base;
  QType output;
  Mix mix;
  bool raise_8_expert_attn_output;  // attn_output Q5_K in 8-expert models
};
constexpr Recipe kRecipes[] = {
    {"q4_0", QType::Q4_0, QType::Q6_K, Mix::none, false},
    {"q8_0", QType::Q8_0, QType::Q8_0, Mix::none, false},
    {"q2_k", QType::Q2_K, QType::Q6_K, Mix::q2_k, true},
    {"q3_k_m", QType::Q3_K, QType::Q6_K, Mix::q3_k_m, true},
    {"q4_k_m", QType::Q4_K, QType::Q6_K, Mix::k_m, true},
    {"q5_k_m", QType::Q5_K, QType::Q6_K, Mix::k_m, false},
    {"q6_k", QType::Q6_K, QType::Q6_K, Mix::none, false},
    {"iq4_xs", QType::IQ4_XS, QType::Q6_K, Mix::iq4_xs, true},
};

// The types of one layer's attention and FFN-down tensors under a recipe.
struct LayerTypes {
  QType attn_k, attn_v, attn_output, ffn_down;
};
LayerTypes layer_types(const Recipe& r, const Manifest& m, int64_t i) {
  const int64_t n = m.layers;  // the whole model's, even when fewer layers are kept
  const bool gqa4 = m.heads / m.kv_heads >= 4;
  LayerTypes t{r.base, r.base, r.base, r.base};
  switch (r.mix) {
    case Mix::none: break;
    case Mix::k_m:
      if (use_more_bits(i, n)) t.attn_v = t.ffn_down = QType::Q6_K;
      break;
    case Mix::q3_k_m:
      t.attn_v = i < 2 ? QType::Q5_K : QType::Q4_K;
      t.ffn_down = i < n / 16 ? QType::Q5_K : QType::Q4_K;
      t.attn_output = QType::Q4_K;
      break;
    case Mix::q2_k:
      t.attn_v = gqa4 ? QType::Q4_K : QType::Q3_K;
      t.ffn_down = t.attn_output = QType::Q3_K;
      break;
    case Mix::iq4_xs:
      if (gqa4) t.attn_v = QType::Q5_K;
      break;
  }
  if (m.experts == 8) {  // llama-quantize's rules for 8-expert models (Mixtral)
    t.attn_k = t.attn_v = QType::Q8_0;
    if (r.raise_8_expert_attn_output) t.attn_output = QType::Q5_K;
  }
  return t;
}

}  // namespace

bool use_more_bits(int64_t layer, int64_t layers) {
  return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
}

std::vector<std::string> manifest_names(const std::string& models_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(models_dir, ec)) {
    if (e.path().extension() == ".json") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Manifest manifest_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object() || j.value("schema", "") != "amxlab.model_manifest")
    throw Error(where + ": not an amxlab model manifest (\"schema\": \"amxlab.model_manifest\")");
  Manifest m;
  m.name = string_field(j, "name", where);
  m.architecture = string_field(j, "architecture", where);
  m.source = optional_field<std::string>(j, "source", where, "");
  m.layers = size_field(j, "layers", where, false, kManifestMaxLayers);
  m.hidden = size_field(j, "hidden", where, false);
  m.heads = size_field(j, "heads", where, false);
  m.kv_heads = size_field(j, "kv_heads", where, false);
  m.head_dim = size_field(j, "head_dim", where, false);
  m.ffn = size_field(j, "ffn", where, true);
  m.experts = size_field(j, "experts", where, true, kManifestMaxExperts);
  m.top_k = size_field(j, "top_k", where, true);
  m.expert_ffn = size_field(j, "expert_ffn", where, true);
  m.vocab = size_field(j, "vocab", where, false);
  m.qk_norm = optional_field<bool>(j, "qk_norm", where, false);
  // Grouped-query attention: every K/V head serves heads / kv_heads query heads.
  if (m.kv_heads > m.heads || m.heads % m.kv_heads != 0)
    throw Error(where + ": kv_heads (" + std::to_string(m.kv_heads) + ") must divide heads (" +
                std::to_string(m.heads) + ")");
  if (m.experts > 0) {
    if (m.top_k < 1 || m.top_k > m.experts || m.expert_ffn < 1)
      throw Error(where + ": a MoE manifest needs 1 <= top_k <= experts and expert_ffn >= 1");
  } else if (m.ffn < 1) {
    throw Error(where + ": a dense manifest needs ffn >= 1 (or experts > 0)");
  }
  return m;
}

nlohmann::json to_json(const Manifest& m) {
  return {{"schema", "amxlab.model_manifest"},
          {"name", m.name},
          {"architecture", m.architecture},
          {"source", m.source},
          {"layers", m.layers},
          {"hidden", m.hidden},
          {"heads", m.heads},
          {"kv_heads", m.kv_heads},
          {"head_dim", m.head_dim},
          {"ffn", m.ffn},
          {"experts", m.experts},
          {"top_k", m.top_k},
          {"expert_ffn", m.expert_ffn},
          {"vocab", m.vocab},
          {"qk_norm", m.qk_norm}};
}

Manifest load_manifest(const std::string& models_dir, const std::string& name) {
  const std::string path = models_dir + "/" + name + ".json";
  const bool plain = !name.empty() && name.find_first_of("/\\") == std::string::npos && name[0] != '.';
  std::error_code ec;  // exists() only: opening a FIFO here would wait for a writer
  if (!plain || !std::filesystem::exists(path, ec)) {
    std::string known;
    for (const auto& n : manifest_names(models_dir)) known += (known.empty() ? "" : ", ") + n;
    if (known.empty())
      throw Error("--manifest: " + io::printable(models_dir, 200) +
                  " holds no manifest (<name>.json); --models-dir names the folder of harness/inputs/models");
    throw Error("--manifest: unknown model '" + io::printable(name, 80) + "' (known: " + known + ")");
  }
  const std::string where = io::printable(path, 300);
  nlohmann::json j;
  try {
    j = io::parse_bounded_json(io::read_regular_file(path, "manifest"));
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(where + ": not valid JSON: " + io::printable(e.what(), 300));
  } catch (const Error& e) {
    throw Error(where + ": " + e.what());
  }
  return manifest_from_json(j, where);
}

std::vector<std::string> recipe_names() {
  std::vector<std::string> out;
  for (const auto& r : kRecipes) out.emplace_back(r.name);
  return out;
}

ModelInventory manifest_inventory(const Manifest& m, const std::string& recipe, int64_t layers) {
  const Recipe* r = nullptr;
  for (const auto& x : kRecipes)
    if (recipe == x.name) r = &x;
  if (r == nullptr) {
    std::string known;
    for (const auto& n : recipe_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("--recipe: unknown recipe '" + io::printable(recipe, 80) + "' (known: " + known + ")");
  }
  ModelInventory inv;
  inv.architecture = m.architecture;
  inv.layers = layers > 0 ? std::min(layers, m.layers) : m.layers;
  inv.experts = m.experts;
  inv.top_k = m.top_k;
  inv.source = "manifest " + m.name + ", recipe " + recipe +
               (inv.layers < m.layers
                    ? ", first " + std::to_string(inv.layers) + " of " + std::to_string(m.layers) + " layers"
                    : "");
  const auto add = [&](const std::string& n, std::optional<QType> type, std::vector<int64_t> dims) {
    ModelTensor t;
    t.name = n;
    t.type = type;
    t.type_name = type ? name(*type) : "f32";
    t.dims = std::move(dims);
    t.layer = layer_of(n);
    t.role = classify(n);
    const int64_t block = traits(type.value_or(QType::F32)).block_elems;
    if (t.dims[0] % block != 0) {  // llama-quantize falls back to another type here
      throw Error("--recipe " + recipe + " on manifest " + io::printable(m.name, 80) + ": " + n +
                  " has K=" + std::to_string(t.dims[0]) + ", not a multiple of " + name(*type) + "'s " +
                  std::to_string(block) + "; llama-quantize's fallback types are not modelled");
    }
    int64_t rows = 1;
    for (size_t i = 1; i < t.dims.size(); ++i) rows *= t.dims[i];
    t.bytes = row_bytes(type.value_or(QType::F32), t.dims[0]) * static_cast<uint64_t>(rows);
    inv.tensors.push_back(std::move(t));
  };
  const int64_t q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim;
  add("token_embd.weight", r->base, {m.hidden, m.vocab});
  for (int64_t i = 0; i < inv.layers; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const LayerTypes lt = layer_types(*r, m, i);
    add(b + "attn_norm.weight", QType::F32, {m.hidden});
    add(b + "attn_q.weight", r->base, {m.hidden, q});
    add(b + "attn_k.weight", lt.attn_k, {m.hidden, kv});
    add(b + "attn_v.weight", lt.attn_v, {m.hidden, kv});
    add(b + "attn_output.weight", lt.attn_output, {q, m.hidden});
    if (m.qk_norm) {
      add(b + "attn_q_norm.weight", QType::F32, {m.head_dim});
      add(b + "attn_k_norm.weight", QType::F32, {m.head_dim});
    }
    add(b + "ffn_norm.weight", QType::F32, {m.hidden});
    if (m.experts > 0) {
      add(b + "ffn_gate_inp.weight", QType::F32, {m.hidden, m.experts});
      add(b + "ffn_gate_exps.weight", r->base, {m.hidden, m.expert_ffn, m.experts});
      add(b + "ffn_up_exps.weight", r->base, {m.hidden, m.expert_ffn, m.experts});
      add(b + "ffn_down_exps.weight", lt.ffn_down, {m.expert_ffn, m.hidden, m.experts});
    } else {
      add(b + "ffn_gate.weight", r->base, {m.hidden, m.ffn});
      add(b + "ffn_up.weight", r->base, {m.hidden, m.ffn});
      add(b + "ffn_down.weight", lt.ffn_down, {m.ffn, m.hidden});
    }
  }
  add("output_norm.weight", QType::F32, {m.hidden});
  add("output.weight", r->output, {m.hidden, m.vocab});
  check_inventory(inv);
  return inv;
}

}  // namespace amxlab::harness::model
