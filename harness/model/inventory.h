// A model's tensor inventory (DESIGN.md "Model workloads"): every tensor's name, type and
// shape, what it is in the network, and which are matrix multiplications. Read from a
// GGUF file's header (no tensor data is touched) or built from a manifest
// (harness/model/manifest.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/core/qtype.h"

namespace amxlab::io {
class GgufFile;
}

namespace amxlab::harness::model {

// What a tensor does, from its llama.cpp GGUF name ("blk.<i>.<role>.weight").
enum class TensorRole : uint8_t {
  attn_q,
  attn_k,
  attn_v,
  attn_qkv,  // fused Q/K/V (some architectures)
  attn_output,
  ffn_gate,
  ffn_up,
  ffn_down,
  ffn_gate_exps,  // expert-stacked [K, N, E]
  ffn_up_exps,
  ffn_down_exps,
  ffn_gate_shexp,  // shared experts (dense)
  ffn_up_shexp,
  ffn_down_shexp,
  router,  // ffn_gate_inp: token -> expert scores
  output,  // the LM head
  embedding,
  norm,
  // A 2-D "<...>.weight" whose name no role above matches (e.g. DeepSeek's attn_q_a): most
  // likely a matmul, of unknown count per token: listed, with the reason, and left out.
  unknown_weight,
  other,
};
const char* name(TensorRole r);
// Matmul weights: everything but embeddings (a row lookup), norms (element-wise) and
// other tensors; unknown_weight counts (left out with its reason, never silently).
// Expert-stacked roles are MoE matmuls.
bool is_matmul(TensorRole r);
bool is_expert_stacked(TensorRole r);
// The class a projection groups tensors by: "attention", "dense FFN", "MoE experts",
// "shared experts", "router", "output".
const char* tensor_class(TensorRole r);

// The role of a tensor name; 3-D tensors are expected only for *_exps.
TensorRole classify(std::string_view tensor_name);
// The layer of "blk.<i>...." or -1.
int layer_of(std::string_view tensor_name);

struct ModelTensor {
  std::string name;
  std::string type_name;      // as in GGUF ("q4_0", "iq2_xxs", "f32")
  std::optional<QType> type;  // nullopt: a ggml type the lab has no QType for
  std::vector<int64_t> dims;  // ggml order: K, N[, E]
  int layer = -1;
  TensorRole role = TensorRole::other;
  uint64_t bytes = 0;

  int64_t k() const { return dims.empty() ? 0 : dims[0]; }
  int64_t n() const { return dims.size() < 2 ? 1 : dims[1]; }
  int64_t experts() const { return dims.size() < 3 ? 0 : dims[2]; }
};

struct ModelInventory {
  std::string source;        // file path or "manifest <name> recipe <r>"
  std::string architecture;  // general.architecture
  int64_t layers = 0;
  int64_t experts = 0;  // 0: dense
  int64_t top_k = 0;    // experts used per token
  std::vector<ModelTensor> tensors;
};

// From a GGUF header: names, types, shapes, general.architecture and
// <arch>.block_count / expert_count / expert_used_count. Throws Error (names printed
// escaped) for a file with no matmul tensor, an expert tensor without
// <arch>.expert_used_count, or expert tensors of inconsistent expert counts.
ModelInventory inventory_from_gguf(const io::GgufFile& f);

// Checks what every inventory must satisfy (the same rules for files and manifests).
void check_inventory(const ModelInventory& inv);

}  // namespace amxlab::harness::model
