// Model manifests (harness/inputs/models/<name>.json) and quantisation recipes: a model's
// tensor inventory for users without the file (DESIGN.md "Model workloads").
//
// A manifest gives the architecture's sizes; manifest_inventory() names every tensor as
// llama.cpp's GGUF files do (blk.<i>.attn_q.weight, ..., ffn_gate_exps, output.weight)
// with its shape, and a recipe gives each tensor its type, following llama.cpp's
// llama-quantize (llama_tensor_get_type in src/llama-quant.cpp) for the parts that
// touch these tensors:
//
//   q4_0, q8_0   every matmul weight in that type, except output.weight: Q6_K for q4_0
//                (llama-quantize raises the LM head to Q6_K unless the type is Q8_0 or
//                wider), Q8_0 for q8_0; the router ffn_gate_inp stays F32 (llama-quantize
//                never quantises it); embeddings follow the recipe's type, norms F32.
//   q4_k_m,      Q4_K (Q5_K), except attn_v and ffn_down (ffn_down_exps in MoE models):
//   q5_k_m       Q6_K on the layers where use_more_bits(i, n) holds, i.e. i < n/8,
//                i >= 7n/8 or (i - n/8) % 3 == 2 (first and last eighth, every third
//                layer between).
//   q3_k_m       Q3_K, except attn_v Q5_K on layers 0 and 1 and Q4_K on the others,
//                ffn_down Q5_K on the first n/16 layers and Q4_K on the others,
//                attn_output Q4_K.
//   q2_k         Q2_K, except attn_v Q4_K where the model has 4 or more query heads per
//                KV head (Q3_K otherwise), ffn_down and attn_output Q3_K.
//   q6_k         every matmul weight Q6_K.
//   iq4_xs       IQ4_XS, except attn_v Q5_K with 4 or more query heads per KV head
//                (llama-quantize also raises ffn_down to Q5_K on the first n/8 layers
//                when no importance matrix is given; IQ4_XS files are made with one, and
//                this recipe follows that case).
//   All recipes: output Q6_K (Q8_0 for q8_0), router F32, embeddings in the base type;
//   in 8-expert models (Mixtral) attn_k and attn_v Q8_0, and attn_output Q5_K for q2_k,
//   q3_k_m, q4_k_m and iq4_xs. Not modelled: the Falcon architecture's own rules,
//   Llama-2/3 70B's attn_v raise (the manifest does not say the model's size class), fused
//   attn_qkv tensors, and the fallback types for a K that is not a multiple of the type's
//   block (refused with an error).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/model/inventory.h"

namespace amxlab::harness::model {

struct Manifest {
  std::string name, architecture, source;
  int64_t layers = 0, hidden = 0, heads = 0, kv_heads = 0, head_dim = 0;
  int64_t ffn = 0;  // dense FFN width (0 for MoE)
  int64_t experts = 0, top_k = 0, expert_ffn = 0;
  int64_t vocab = 0;
  bool qk_norm = false;
};

// The manifests shipped under harness/inputs/models/ (their names).
std::vector<std::string> manifest_names(const std::string& models_dir);
// Reads <models_dir>/<name>.json. Throws Error for an unknown name (listing the known
// ones), malformed JSON or a missing / non-positive size.
Manifest load_manifest(const std::string& models_dir, const std::string& name);
Manifest manifest_from_json(const nlohmann::json& j, const std::string& where);
nlohmann::json to_json(const Manifest& m);

// "q4_0", "q8_0", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k", "iq4_xs".
std::vector<std::string> recipe_names();
// The inventory of a manifest under a recipe, `layers` > 0 keeping only the first layers.
// Throws Error for an unknown recipe (listing the known ones).
ModelInventory manifest_inventory(const Manifest& m, const std::string& recipe, int64_t layers = 0);

// llama.cpp's layer rule for the "_M" K-quant mixes (see above).
bool use_more_bits(int64_t layer, int64_t layers);

}  // namespace amxlab::harness::model
