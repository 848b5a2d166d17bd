#include "harness/model/inventory.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "harness/io/gguf_reader.h"
#include "harness/io/gguf_value.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::harness::model {
namespace {

struct RoleName {
  std::string_view suffix;  // the part after "blk.<i>." (or the whole name)
  TensorRole role;
};

// llama.cpp's GGUF tensor names (llama-arch.cpp LLM_TENSOR_NAMES), the part that says
// what the tensor is; ".weight" is stripped first.
constexpr RoleName kRoles[] = {
    {"attn_q", TensorRole::attn_q},
    {"attn_k", TensorRole::attn_k},
    {"attn_v", TensorRole::attn_v},
    {"attn_qkv", TensorRole::attn_qkv},
    {"attn_output", TensorRole::attn_output},
    {"ffn_gate", TensorRole::ffn_gate},
    {"ffn_up", TensorRole::ffn_up},
    {"ffn_down", TensorRole::ffn_down},
    {"ffn_gate_exps", TensorRole::ffn_gate_exps},
    {"ffn_up_exps", TensorRole::ffn_up_exps},
    {"ffn_down_exps", TensorRole::ffn_down_exps},
    {"ffn_gate_shexp", TensorRole::ffn_gate_shexp},
    {"ffn_up_shexp", TensorRole::ffn_up_shexp},
    {"ffn_down_shexp", TensorRole::ffn_down_shexp},
    {"ffn_gate_inp", TensorRole::router},
    {"output", TensorRole::output},
    {"token_embd", TensorRole::embedding},
};

// Layer, expert and top-k counts: a key that is absent gives `fallback`; one of another
// type, negative or past `limit` is an error (it would read as "absent" or wrap).
int64_t metadata_count(const io::GgufFile& f, const std::string& key, int64_t fallback, int64_t limit) {
  const io::GgufValue* v = f.find_metadata(key);
  if (v == nullptr) return fallback;
  const std::optional<uint64_t> u = v->as_uint();
  if (!u.has_value()) {
    throw Error(io::printable(f.source(), 200) + ": metadata " + io::printable(key, 120) + " is a " +
                std::string(io::gguf_value_type_name(v->type())) + ", not a non-negative integer");
  }
  const uint64_t count = u.value();
  require(count <= static_cast<uint64_t>(limit), io::printable(f.source(), 200) + ": metadata " +
                                                     io::printable(key, 120) + " = " + std::to_string(count) +
                                                     " is more than " + std::to_string(limit));
  return static_cast<int64_t>(count);
}

constexpr int64_t kMaxLayers = int64_t{1} << 20;
constexpr int64_t kMaxExperts = int64_t{1} << 20;

}  // namespace

const char* name(TensorRole r) {
  switch (r) {
    case TensorRole::attn_q: return "attn_q";
    case TensorRole::attn_k: return "attn_k";
    case TensorRole::attn_v: return "attn_v";
    case TensorRole::attn_qkv: return "attn_qkv";
    case TensorRole::attn_output: return "attn_output";
    case TensorRole::ffn_gate: return "ffn_gate";
    case TensorRole::ffn_up: return "ffn_up";
    case TensorRole::ffn_down: return "ffn_down";
    case TensorRole::ffn_gate_exps: return "ffn_gate_exps";
    case TensorRole::ffn_up_exps: return "ffn_up_exps";
    case TensorRole::ffn_down_exps: return "ffn_down_exps";
    case TensorRole::ffn_gate_shexp: return "ffn_gate_shexp";
    case TensorRole::ffn_up_shexp: return "ffn_up_shexp";
    case TensorRole::ffn_down_shexp: return "ffn_down_shexp";
    case TensorRole::router: return "router";
    case TensorRole::output: return "output";
    case TensorRole::embedding: return "embedding";
    case TensorRole::norm: return "norm";
    case TensorRole::unknown_weight: return "unknown_weight";
    case TensorRole::other: return "other";
  }
  return "other";
}

bool is_matmul(TensorRole r) {
  return r != TensorRole::embedding && r != TensorRole::norm && r != TensorRole::other;
}

bool is_expert_stacked(TensorRole r) {
  return r == TensorRole::ffn_gate_exps || r == TensorRole::ffn_up_exps || r == TensorRole::ffn_down_exps;
}

const char* tensor_class(TensorRole r) {
  switch (r) {
    case TensorRole::attn_q:
    case TensorRole::attn_k:
    case TensorRole::attn_v:
    case TensorRole::attn_qkv:
    case TensorRole::attn_output: return "attention";
    case TensorRole::ffn_gate:
    case TensorRole::ffn_up:
    case TensorRole::ffn_down: return "dense FFN";
    case TensorRole::ffn_gate_exps:
    case TensorRole::ffn_up_exps:
    case TensorRole::ffn_down_exps: return "MoE experts";
    case TensorRole::ffn_gate_shexp:
    case TensorRole::ffn_up_shexp:
    case TensorRole::ffn_down_shexp: return "shared experts";
    case TensorRole::router: return "router";
    case TensorRole::output: return "output";
    case TensorRole::embedding: return "embedding (not a matmul)";
    case TensorRole::norm: return "norm (not a matmul)";
    case TensorRole::unknown_weight: return "unknown role";
    case TensorRole::other: return "other (not a matmul)";
  }
  return "other (not a matmul)";
}

int layer_of(std::string_view n) {
  if (n.substr(0, 4) != "blk.") return -1;
  const size_t dot = n.find('.', 4);
  int layer = -1;
  const auto [p, ec] =
      std::from_chars(n.data() + 4, n.data() + (dot == std::string_view::npos ? n.size() : dot), layer);
  const bool ok = ec == std::errc() && dot != std::string_view::npos && p == n.data() + dot && layer >= 0 &&
                  layer < kMaxLayers;
  return ok ? layer : -1;
}

TensorRole classify(std::string_view n) {
  std::string_view s = n;
  if (layer_of(s) >= 0) s = s.substr(s.find('.', 4) + 1);
  if (s.size() > 7 && s.substr(s.size() - 7) == ".weight") {
    s = s.substr(0, s.size() - 7);
  } else {
    return TensorRole::other;  // biases, scales, rope frequencies: not matmul weights
  }
  if (s.size() >= 4 && s.substr(s.size() - 4) == "norm")
    return TensorRole::norm;  // attn_norm, ffn_norm, q_norm
  for (const auto& r : kRoles) {
    if (s == r.suffix) return r.role;
  }
  return TensorRole::other;
}

namespace {

// One layer's experts form one FFN: gate and up map K -> N, down maps N -> K. A file whose
// expert tensors disagree on that cannot be a model (and its projection would time shapes
// no forward pass runs).
void check_expert_shapes(const ModelInventory& inv, const std::string& where) {
  std::map<int, std::map<TensorRole, const ModelTensor*>> by_layer;
  for (const auto& t : inv.tensors)
    if (is_expert_stacked(t.role) && t.dims.size() == 3) by_layer[t.layer][t.role] = &t;
  const auto shape = [](const ModelTensor& t) {
    return io::printable(t.name, 120) + " [" + std::to_string(t.k()) + ", " + std::to_string(t.n()) + ", " +
           std::to_string(t.experts()) + "]";
  };
  for (const auto& [layer, roles] : by_layer) {
    const auto find = [&](TensorRole r) {
      const auto it = roles.find(r);
      return it == roles.end() ? nullptr : it->second;
    };
    const ModelTensor* gate = find(TensorRole::ffn_gate_exps);
    const ModelTensor* up = find(TensorRole::ffn_up_exps);
    const ModelTensor* down = find(TensorRole::ffn_down_exps);
    if (gate != nullptr && up != nullptr) {
      require(gate->k() == up->k() && gate->n() == up->n(),
              [&] { return where + ": inconsistent expert shapes: " + shape(*gate) + " and " + shape(*up); });
    }
    const ModelTensor* in = gate != nullptr ? gate : up;
    if (in != nullptr && down != nullptr) {
      require(down->k() == in->n() && down->n() == in->k(), [&] {
        return where + ": inconsistent expert shapes: " + shape(*down) + " does not map " + shape(*in) +
               "'s outputs back (its K must be their N and its N their K)";
      });
    }
  }
}

}  // namespace

void check_inventory(const ModelInventory& inv) {
  const std::string where = io::printable(inv.source, 200);
  bool any = false;
  std::set<int64_t> expert_counts;
  for (const auto& t : inv.tensors) {
    if (!is_matmul(t.role)) continue;
    any = true;
    if (is_expert_stacked(t.role)) {
      require(t.dims.size() == 3,
              where + ": expert tensor " + io::printable(t.name, 120) + " is not 3-D [K, N, E]");
      expert_counts.insert(t.experts());
    } else {
      require(t.dims.size() <= 2, where + ": matmul tensor " + io::printable(t.name, 120) + " has " +
                                      std::to_string(t.dims.size()) + " dimensions");
    }
  }
  require(any, where + ": no matmul weight tensor (attn_*, ffn_*, output) in the inventory");
  check_expert_shapes(inv, where);
  if (!expert_counts.empty()) {
    require(expert_counts.size() == 1, where + ": expert tensors hold different expert counts (" +
                                           std::to_string(*expert_counts.begin()) + " and " +
                                           std::to_string(*expert_counts.rbegin()) + ")");
    require(inv.experts == 0 || inv.experts == *expert_counts.begin(),
            where + ": the metadata says " + std::to_string(inv.experts) +
                " experts (expert_count), the expert "
                "tensors hold " +
                std::to_string(*expert_counts.begin()));
    require(inv.top_k >= 1 && inv.top_k <= *expert_counts.begin(),
            where + ": expert tensors need the experts used per token (expert_used_count) between 1 and " +
                std::to_string(*expert_counts.begin()) + ", got " + std::to_string(inv.top_k));
  }
}

ModelInventory inventory_from_gguf(const io::GgufFile& f) {
  ModelInventory inv;
  inv.source = f.source();
  if (const io::GgufValue* a = f.find_metadata("general.architecture");
      a != nullptr && a->as_string() != nullptr)
    inv.architecture = *a->as_string();
  const std::string arch = inv.architecture;
  const std::string where = io::printable(f.source(), 200);
  inv.layers = metadata_count(f, arch + ".block_count", 0, kMaxLayers);
  inv.experts = metadata_count(f, arch + ".expert_count", 0, kMaxExperts);
  inv.top_k = metadata_count(f, arch + ".expert_used_count", 0, kMaxExperts);
  int max_layer = -1;
  bool has_output = false;
  for (const auto& t : f.tensors()) {
    // The lab's name where it has the type (ggml's "i8" is the lab's s8), ggml's otherwise.
    std::string type_name(t.type_name);
    if (t.qtype.has_value()) type_name = amxlab::name(t.qtype.value());
    ModelTensor m;
    m.name = t.name;
    m.type_name = std::move(type_name);
    m.type = t.qtype;
    m.dims = t.dims;
    m.layer = layer_of(t.name);
    require(m.layer >= 0 || t.name.substr(0, 4) != "blk.",
            where + ": tensor " + io::printable(t.name, 120) +
                ": blk.<layer> with a layer that is not a number below " + std::to_string(kMaxLayers));
    m.role = classify(t.name);
    if (m.role == TensorRole::other && t.dims.size() == 2 && t.dims[1] > 1 && t.name.ends_with(".weight"))
      m.role = TensorRole::unknown_weight;
    m.bytes = t.n_bytes;
    max_layer = std::max(max_layer, m.layer);
    has_output = has_output || m.role == TensorRole::output;
    inv.tensors.push_back(std::move(m));
  }
  // Tied embeddings (no output.weight): llama.cpp's LM head multiplies by token_embd.
  const auto embedding = std::find_if(inv.tensors.begin(), inv.tensors.end(),
                                      [](const ModelTensor& t) { return t.name == "token_embd.weight"; });
  if (!has_output && embedding != inv.tensors.end()) {
    ModelTensor head = *embedding;
    head.name = "token_embd.weight (tied: the LM head)";
    head.role = TensorRole::output;
    inv.tensors.push_back(std::move(head));
  }
  if (inv.layers == 0) inv.layers = max_layer + 1;
  require(inv.layers >= max_layer + 1, where + ": metadata " + io::printable(arch, 80) +
                                           ".block_count = " + std::to_string(inv.layers) +
                                           ", but a tensor is in layer " + std::to_string(max_layer));
  check_inventory(inv);
  return inv;
}

}  // namespace amxlab::harness::model
