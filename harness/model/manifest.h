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
//   q4_k_m       Q4_K, except attn_v and ffn_down (ffn_down_exps in MoE models): Q6_K on
//                the layers where use_more_bits(i, n) holds, i.e. i < n/8, i >= 7n/8 or
//                (i - n/8) % 3 == 2 (first and last eighth, every third layer between);
//                output Q6_K; router F32. (llama-quantize has further special cases, e.g.
//                8-expert models' attn_v to Q8_0 and some GQA rules for the 2-3 bit
//                types; none applies to the two manifests here.)
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

// "q4_0", "q8_0", "q4_k_m".
std::vector<std::string> recipe_names();
// The inventory of a manifest under a recipe, `layers` > 0 keeping only the first layers.
// Throws Error for an unknown recipe (listing the known ones).
ModelInventory manifest_inventory(const Manifest& m, const std::string& recipe, int64_t layers = 0);

// llama.cpp's layer rule for the "_M" K-quant mixes (see above).
bool use_more_bits(int64_t layer, int64_t layers);

}  // namespace amxlab::harness::model
