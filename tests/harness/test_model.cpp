// Model inventories (harness/model): tensor classification, inventories from GGUF headers
// written by the project's writer (real llama.cpp names, 3-D expert tensors), manifests
// and recipes, the cases and the projection's arithmetic, and bad inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/io/gguf_reader.h"
#include "harness/model/inventory.h"
#include "harness/model/manifest.h"
#include "harness/model/projection.h"
#include "harness/sweep/case.h"
#include "kernels/core/error.h"
#include "tests/io/gguf_writer.h"
#include "tests/test_util.h"

namespace amxlab::harness::model {
namespace {

using testing::error_of;
const std::string kModels = std::string(AMXLAB_SOURCE_DIR) + "/harness/inputs/models";

testing::KvWriter kv_string(const std::string& key, const std::string& v) {
  return testing::kv_raw(key, 8, [v](testing::Writer& w) { w.str(v); });
}

// A GGUF image holding exactly the inventory's tensor infos (data: the writer's pattern).
testing::Bytes gguf_of(const ModelInventory& inv, bool with_top_k = true) {
  testing::FileSpec spec;
  spec.kvs.push_back(kv_string("general.architecture", inv.architecture));
  spec.kvs.push_back(testing::kv_u32(inv.architecture + ".block_count", static_cast<uint32_t>(inv.layers)));
  if (inv.experts > 0) {
    spec.kvs.push_back(
        testing::kv_u32(inv.architecture + ".expert_count", static_cast<uint32_t>(inv.experts)));
    if (with_top_k)
      spec.kvs.push_back(
          testing::kv_u32(inv.architecture + ".expert_used_count", static_cast<uint32_t>(inv.top_k)));
  }
  uint64_t offset = 0;
  for (const auto& t : inv.tensors) {
    testing::TensorSpec ts{t.name, static_cast<uint32_t>(traits(t.type.value_or(QType::F32)).ggml_id),
                           std::vector<uint64_t>(t.dims.begin(), t.dims.end()), offset};
    spec.tensors.push_back(ts);
    offset += (testing::spec_bytes(ts) + 31) / 32 * 32;
  }
  return testing::build(spec);
}

TEST(ModelInventory, ClassifiesLlamaCppTensorNames) {
  const std::map<std::string, TensorRole> want = {
      {"blk.0.attn_q.weight", TensorRole::attn_q},
      {"blk.12.attn_k.weight", TensorRole::attn_k},
      {"blk.3.attn_v.weight", TensorRole::attn_v},
      {"blk.3.attn_output.weight", TensorRole::attn_output},
      {"blk.3.attn_qkv.weight", TensorRole::attn_qkv},
      {"blk.7.ffn_gate.weight", TensorRole::ffn_gate},
      {"blk.7.ffn_up.weight", TensorRole::ffn_up},
      {"blk.7.ffn_down.weight", TensorRole::ffn_down},
      {"blk.47.ffn_gate_exps.weight", TensorRole::ffn_gate_exps},
      {"blk.47.ffn_up_exps.weight", TensorRole::ffn_up_exps},
      {"blk.47.ffn_down_exps.weight", TensorRole::ffn_down_exps},
      {"blk.1.ffn_gate_shexp.weight", TensorRole::ffn_gate_shexp},
      {"blk.1.ffn_up_shexp.weight", TensorRole::ffn_up_shexp},
      {"blk.1.ffn_down_shexp.weight", TensorRole::ffn_down_shexp},
      {"blk.1.ffn_gate_inp.weight", TensorRole::router},
      {"output.weight", TensorRole::output},
      {"token_embd.weight", TensorRole::embedding},
      {"blk.0.attn_norm.weight", TensorRole::norm},
      {"blk.0.attn_q_norm.weight", TensorRole::norm},
      {"output_norm.weight", TensorRole::norm},
      {"blk.0.attn_q.bias", TensorRole::other},
      {"rope_freqs.weight", TensorRole::other},
  };
  for (const auto& [n, r] : want) EXPECT_EQ(name(classify(n)), std::string(name(r))) << n;
  EXPECT_EQ(layer_of("blk.47.ffn_up_exps.weight"), 47);
  EXPECT_EQ(layer_of("output.weight"), -1);
  EXPECT_EQ(layer_of("blk.x.attn_q.weight"), -1);
  EXPECT_TRUE(is_matmul(TensorRole::router));
  EXPECT_FALSE(is_matmul(TensorRole::embedding));
  EXPECT_FALSE(is_matmul(TensorRole::norm));
  // The class each role's time is summed under (the projection's "classes", its plot).
  const std::map<TensorRole, std::string> classes = {
      {TensorRole::attn_q, "attention"},
      {TensorRole::attn_k, "attention"},
      {TensorRole::attn_v, "attention"},
      {TensorRole::attn_qkv, "attention"},
      {TensorRole::attn_output, "attention"},
      {TensorRole::ffn_gate, "dense FFN"},
      {TensorRole::ffn_up, "dense FFN"},
      {TensorRole::ffn_down, "dense FFN"},
      {TensorRole::ffn_gate_exps, "MoE experts"},
      {TensorRole::ffn_up_exps, "MoE experts"},
      {TensorRole::ffn_down_exps, "MoE experts"},
      {TensorRole::ffn_gate_shexp, "shared experts"},
      {TensorRole::ffn_up_shexp, "shared experts"},
      {TensorRole::ffn_down_shexp, "shared experts"},
      {TensorRole::router, "router"},
      {TensorRole::output, "output"},
  };
  for (const auto& [r, c] : classes) {
    EXPECT_EQ(tensor_class(r), c) << name(r);
    EXPECT_TRUE(is_matmul(r)) << name(r);
  }
}

// The manifest's inventory written as a GGUF header and read back: the same tensors.
TEST(ModelInventory, ManifestRoundTripsThroughAGgufHeader) {
  for (const std::string recipe : {"q4_0", "q4_k_m"}) {
    const Manifest m = load_manifest(kModels, "tiny-moe");
    // Every field, not only the name: the JSON written back is the JSON read.
    EXPECT_EQ(to_json(manifest_from_json(to_json(m), "round trip")), to_json(m));
    const ModelInventory inv = manifest_inventory(m, recipe);
    const testing::Bytes b = gguf_of(inv);
    const io::GgufFile f = io::GgufFile::parse(b, "tiny-moe.gguf");
    const ModelInventory back = inventory_from_gguf(f);
    EXPECT_EQ(back.architecture, "qwen3moe");
    EXPECT_EQ(back.layers, 2);
    EXPECT_EQ(back.experts, 16);
    EXPECT_EQ(back.top_k, 4);
    ASSERT_EQ(back.tensors.size(), inv.tensors.size());
    for (size_t i = 0; i < inv.tensors.size(); ++i) {
      EXPECT_EQ(back.tensors[i].name, inv.tensors[i].name);
      EXPECT_EQ(back.tensors[i].type_name, inv.tensors[i].type_name) << inv.tensors[i].name;
      EXPECT_EQ(back.tensors[i].dims, inv.tensors[i].dims) << inv.tensors[i].name;
      EXPECT_EQ(back.tensors[i].bytes, inv.tensors[i].bytes) << inv.tensors[i].name;
      EXPECT_EQ(back.tensors[i].role, inv.tensors[i].role) << inv.tensors[i].name;
    }
  }
}

// Every built-in manifest survives JSON and back whole (every field, every recipe).
TEST(ModelManifest, EveryBuiltInRoundTripsThroughJson) {
  const auto names = manifest_names(kModels);
  ASSERT_GE(names.size(), 3u);
  for (const auto& n : names) {
    const Manifest m = load_manifest(kModels, n);
    EXPECT_EQ(to_json(manifest_from_json(to_json(m), "round trip")), to_json(m)) << n;
  }
}

TEST(ModelManifest, BuiltInModelsAndRecipes) {
  const auto names = manifest_names(kModels);
  for (const char* n : {"qwen3-30b-a3b", "llama-3.1-8b", "tiny-moe"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  const ModelInventory q = manifest_inventory(load_manifest(kModels, "qwen3-30b-a3b"), "q4_0");
  const ModelInventory l = manifest_inventory(load_manifest(kModels, "llama-3.1-8b"), "q4_k_m");
  std::map<std::string, const ModelTensor*> by;
  for (const auto& t : q.tensors) by[t.name] = &t;
  for (const auto& t : l.tensors) by["llama:" + t.name] = &t;
  EXPECT_EQ(by.at("blk.47.ffn_down_exps.weight")->dims, (std::vector<int64_t>{768, 2048, 128}));
  EXPECT_EQ(by.at("blk.0.attn_k.weight")->dims, (std::vector<int64_t>{2048, 512}));
  EXPECT_EQ(by.at("blk.0.ffn_gate_inp.weight")->type_name, "f32");  // the router stays F32
  EXPECT_EQ(by.at("output.weight")->type_name, "q6_K");
  EXPECT_EQ(by.at("output.weight")->dims, (std::vector<int64_t>{2048, 151936}));
  EXPECT_EQ(by.at("blk.5.attn_q.weight")->type_name, "q4_0");
  // q4_k_m: attn_v and ffn_down to Q6_K on use_more_bits layers (32 layers: 0-3, 28-31,
  // and 6, 9, ..., 27), Q4_K elsewhere.
  EXPECT_EQ(by.at("llama:blk.0.attn_v.weight")->type_name, "q6_K");
  EXPECT_EQ(by.at("llama:blk.4.attn_v.weight")->type_name, "q4_K");
  EXPECT_EQ(by.at("llama:blk.6.ffn_down.weight")->type_name, "q6_K");
  EXPECT_EQ(by.at("llama:blk.7.ffn_down.weight")->type_name, "q4_K");
  EXPECT_EQ(by.at("llama:blk.31.ffn_down.weight")->type_name, "q6_K");
  EXPECT_EQ(by.at("llama:blk.7.ffn_up.weight")->type_name, "q4_K");
  EXPECT_EQ(by.at("llama:blk.7.ffn_up.weight")->dims, (std::vector<int64_t>{4096, 14336}));
  int more = 0;
  for (int64_t i = 0; i < 32; ++i) more += use_more_bits(i, 32);
  EXPECT_EQ(more, 16);
  // --layers keeps the first layers (the use_more_bits rule still counts all of them).
  EXPECT_EQ(manifest_inventory(load_manifest(kModels, "llama-3.1-8b"), "q4_k_m", 2).layers, 2);
}

// The K-quant mixes, tensor by tensor, as manifest.h writes llama-quantize's rules down.
TEST(ModelManifest, KQuantMixesFollowTheWrittenRules) {
  const Manifest llama = load_manifest(kModels, "llama-3.1-8b");  // 32 layers, 4 query heads per KV head
  const auto types = [](const ModelInventory& inv) {
    std::map<std::string, std::string> by;
    for (const auto& t : inv.tensors) by[t.name] = t.type_name;
    return by;
  };
  auto t = types(manifest_inventory(llama, "q3_k_m"));
  EXPECT_EQ(t.at("blk.0.attn_q.weight"), "q3_K");
  EXPECT_EQ(t.at("blk.1.attn_v.weight"), "q5_K");  // layers 0 and 1
  EXPECT_EQ(t.at("blk.2.attn_v.weight"), "q4_K");
  EXPECT_EQ(t.at("blk.1.ffn_down.weight"), "q5_K");  // the first 32/16 = 2 layers
  EXPECT_EQ(t.at("blk.2.ffn_down.weight"), "q4_K");
  EXPECT_EQ(t.at("blk.9.attn_output.weight"), "q4_K");
  EXPECT_EQ(t.at("blk.9.ffn_up.weight"), "q3_K");
  EXPECT_EQ(t.at("output.weight"), "q6_K");
  EXPECT_EQ(t.at("token_embd.weight"), "q3_K");
  t = types(manifest_inventory(llama, "q2_k"));
  EXPECT_EQ(t.at("blk.0.attn_k.weight"), "q2_K");
  EXPECT_EQ(t.at("blk.5.attn_v.weight"), "q4_K");  // GQA 32 / 8 = 4
  EXPECT_EQ(t.at("blk.5.ffn_down.weight"), "q3_K");
  EXPECT_EQ(t.at("blk.5.attn_output.weight"), "q3_K");
  EXPECT_EQ(t.at("blk.5.ffn_gate.weight"), "q2_K");
  t = types(manifest_inventory(llama, "q5_k_m"));
  EXPECT_EQ(t.at("blk.6.ffn_down.weight"), "q6_K");  // use_more_bits(6, 32)
  EXPECT_EQ(t.at("blk.7.ffn_down.weight"), "q5_K");
  EXPECT_EQ(t.at("blk.31.attn_v.weight"), "q6_K");
  t = types(manifest_inventory(llama, "iq4_xs"));
  EXPECT_EQ(t.at("blk.3.attn_v.weight"), "q5_K");
  EXPECT_EQ(t.at("blk.3.ffn_down.weight"), "iq4_xs");
  t = types(manifest_inventory(llama, "q6_k"));
  EXPECT_EQ(t.at("blk.3.attn_v.weight"), "q6_K");
  EXPECT_EQ(t.at("output.weight"), "q6_K");

  // Fewer than 4 query heads per KV head: q2_k's attn_v is Q3_K, iq4_xs's stays IQ4_XS.
  auto j = to_json(llama);
  j["kv_heads"] = 16;
  const Manifest gqa2 = manifest_from_json(j, "gqa2.json");
  EXPECT_EQ(types(manifest_inventory(gqa2, "q2_k")).at("blk.5.attn_v.weight"), "q3_K");
  EXPECT_EQ(types(manifest_inventory(gqa2, "iq4_xs")).at("blk.5.attn_v.weight"), "iq4_xs");

  // An 8-expert model: attn_k and attn_v Q8_0 whatever the recipe, attn_output Q5_K for
  // q4_k_m (not for q5_k_m).
  j = to_json(load_manifest(kModels, "tiny-moe"));
  j["experts"] = 8;
  const Manifest moe8 = manifest_from_json(j, "moe8.json");
  t = types(manifest_inventory(moe8, "q4_k_m"));
  EXPECT_EQ(t.at("blk.1.attn_k.weight"), "q8_0");
  EXPECT_EQ(t.at("blk.1.attn_v.weight"), "q8_0");
  EXPECT_EQ(t.at("blk.1.attn_output.weight"), "q5_K");
  EXPECT_EQ(t.at("blk.1.attn_q.weight"), "q4_K");
  EXPECT_EQ(types(manifest_inventory(moe8, "q5_k_m")).at("blk.1.attn_output.weight"), "q5_K");
  EXPECT_EQ(types(manifest_inventory(moe8, "q4_0")).at("blk.1.attn_v.weight"), "q8_0");
  EXPECT_EQ(types(manifest_inventory(moe8, "q4_0")).at("blk.1.attn_output.weight"), "q4_0");

  // A K that is not a multiple of the type's block: refused, the tensor named.
  j = to_json(load_manifest(kModels, "tiny-moe"));
  j["expert_ffn"] = 96;
  const Manifest odd = manifest_from_json(j, "odd.json");
  const std::string msg = error_of([&] { (void)manifest_inventory(odd, "q4_k_m"); });
  EXPECT_NE(msg.find("blk.0.ffn_down_exps.weight has K=96, not a multiple of q4_K's 256"), std::string::npos)
      << msg;
  EXPECT_NO_THROW((void)manifest_inventory(odd, "q4_0"));  // 96 is a multiple of 32
}

TEST(ModelManifest, BadInputsGiveClearErrors) {
  EXPECT_NE(error_of([] { (void)load_manifest(kModels, "gpt-5"); }).find("unknown model 'gpt-5' (known: "),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)load_manifest(kModels, "../models/tiny-moe"); }).find("unknown model"),
            std::string::npos);
  const Manifest m = load_manifest(kModels, "tiny-moe");
  EXPECT_NE(error_of([&] {
              (void)manifest_inventory(m, "q1_0");
            }).find("unknown recipe 'q1_0' (known: q4_0, q8_0, q2_k, q3_k_m, q4_k_m, q5_k_m, q6_k, iq4_xs)"),
            std::string::npos);
  auto j = to_json(m);
  j["layers"] = -3;
  EXPECT_NE(error_of([&] { (void)manifest_from_json(j, "x.json"); }).find("'layers' = -3 is out of range"),
            std::string::npos);
  j = to_json(m);
  j["top_k"] = 17;
  EXPECT_NE(error_of([&] { (void)manifest_from_json(j, "x.json"); }).find("top_k <= experts"),
            std::string::npos);
  // Sizes that would allocate gigabytes of inventory before anything is shown; fields of
  // the wrong JSON type; K/V heads that do not divide the query heads.
  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> bad = {
      {[](nlohmann::json& x) { x["layers"] = 1 << 24; }, "'layers' = 16777216 is out of range (1..1024)"},
      {[](nlohmann::json& x) { x["experts"] = 1 << 20; }, "'experts' = 1048576 is out of range (0..4096)"},
      {[](nlohmann::json& x) { x["qk_norm"] = "yes"; }, "field 'qk_norm' is not a boolean"},
      {[](nlohmann::json& x) { x["source"] = 1; }, "field 'source' is not a string"},
      {[](nlohmann::json& x) { x["kv_heads"] = x["heads"].get<int>() * 2; },
       "kv_heads (16) must divide heads (8)"},
      {[](nlohmann::json& x) { x["kv_heads"] = 3; }, "kv_heads (3) must divide heads (8)"},
  };
  for (const auto& [edit, says] : bad) {
    j = to_json(m);
    edit(j);
    const std::string e = error_of([&] { (void)manifest_from_json(j, "x.json"); });
    EXPECT_NE(e.find("x.json: "), std::string::npos) << e;
    EXPECT_NE(e.find(says), std::string::npos) << e;
  }
}

// A manifest file nested 10^5 deep (valid JSON) is refused while parsing, its path named.
TEST(ModelManifest, DeepNestingIsRefused) {
  const std::string dir = ::testing::TempDir() + "/amxlab-deep-manifest";
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/deep.json");
    f << "{\"schema\": \"amxlab.model_manifest\", \"x\": " << std::string(100000, '[')
      << std::string(100000, ']') << "}";
  }
  const std::string e = error_of([&] { (void)load_manifest(dir, "deep"); });
  EXPECT_NE(e.find("deep.json: nested deeper than 64 levels"), std::string::npos) << e;
  std::filesystem::remove_all(dir);
}

TEST(ModelInventory, BadGgufInventoriesAreRefused) {
  // No matmul tensor at all.
  ModelInventory only_norms;
  only_norms.architecture = "llama";
  only_norms.layers = 1;
  only_norms.tensors.push_back({"blk.0.attn_norm.weight", "f32", QType::F32, {64}, 0, TensorRole::norm, 256});
  EXPECT_NE(error_of([&] {
              (void)inventory_from_gguf(io::GgufFile::parse(gguf_of(only_norms), "norms.gguf"));
            }).find("norms.gguf: no matmul weight tensor"),
            std::string::npos);
  ModelInventory inv = manifest_inventory(load_manifest(kModels, "tiny-moe"), "q4_0");
  // Expert tensors without the experts used per token.
  EXPECT_NE(error_of([&] {
              (void)inventory_from_gguf(io::GgufFile::parse(gguf_of(inv, false), "m.gguf"));
            }).find("experts used per token"),
            std::string::npos);
  // Inconsistent expert counts.
  for (auto& t : inv.tensors)
    if (t.name == "blk.1.ffn_up_exps.weight") t.dims[2] = 8;
  EXPECT_NE(error_of([&] {
              (void)inventory_from_gguf(io::GgufFile::parse(gguf_of(inv), "m.gguf"));
            }).find("expert tensors hold different expert counts (8 and 16)"),
            std::string::npos);
  // Inconsistent expert shapes: an expert tensor that is not 3-D; gate and up of one layer
  // with different N; a down projection that does not map N back to K.
  const ModelInventory good = manifest_inventory(load_manifest(kModels, "tiny-moe"), "q4_0");
  const auto refused = [&](const std::string& tensor, const auto& change) {
    ModelInventory bad = good;
    bool found = false;
    for (auto& t : bad.tensors) {
      if (t.name != tensor) continue;
      change(t);
      t.bytes = row_bytes(*t.type, t.k()) * static_cast<uint64_t>(t.n()) *
                static_cast<uint64_t>(std::max<int64_t>(1, t.experts()));
      found = true;
    }
    EXPECT_TRUE(found) << tensor;
    return error_of([&] { (void)inventory_from_gguf(io::GgufFile::parse(gguf_of(bad), "m.gguf")); });
  };
  EXPECT_NE(refused("blk.0.ffn_up_exps.weight", [](ModelTensor& t) { t.dims.pop_back(); })
                .find("m.gguf: expert tensor blk.0.ffn_up_exps.weight is not 3-D [K, N, E]"),
            std::string::npos);
  EXPECT_NE(refused("blk.1.ffn_up_exps.weight", [](ModelTensor& t) { t.dims[1] += 32; })
                .find("m.gguf: inconsistent expert shapes: blk.1.ffn_gate_exps.weight"),
            std::string::npos);
  EXPECT_NE(refused("blk.0.ffn_down_exps.weight", [](ModelTensor& t) { t.dims[0] += 32; })
                .find("blk.0.ffn_down_exps.weight ["),
            std::string::npos);
  EXPECT_NO_THROW((void)inventory_from_gguf(io::GgufFile::parse(gguf_of(good), "m.gguf")));
}

// Cases: each (type, N, K, experts, class) once with its count; a type without a kernel
// is left out with the reason; the projection's totals are the sums of its cases.
TEST(ModelProjection, TotalsAreTheSumOfTheCasesAndUncoveredTypesAreListed) {
  ModelInventory inv = manifest_inventory(load_manifest(kModels, "tiny-moe"), "q4_0");
  // One tensor in a ggml type amxlab has no format for (q5_0, ggml id 6).
  inv.tensors.push_back(
      {"blk.0.ffn_up_shexp.weight", "q5_0", std::nullopt, {512, 256}, 0, TensorRole::ffn_up_shexp, 90112});
  const auto cases = model_cases(inv);
  std::map<std::string, nlohmann::json> records;
  double want_decode = 0, want_prefill = 0, t = 1e-6;
  uint64_t covered = 0, all = 0;
  for (const auto& c : cases) {
    all += c.bytes_each * static_cast<uint64_t>(c.count);
    if (!c.excluded.empty()) {
      EXPECT_EQ(c.type_name, "q5_0");
      EXPECT_NE(c.excluded.find("no format"), std::string::npos) << c.excluded;
      continue;
    }
    covered += c.bytes_each * static_cast<uint64_t>(c.count);
    t *= 1.5;
    records[c.decode_descriptor(2)] = {
        {"verdict", "PASS"},
        {"timing", {{"hot", {{"median_s", t / 2}}}, {"cold", {{"median_s", t}}}}},
        {"onednn_timing", {{"median_s", 2 * t}}}};
    records[c.prefill_descriptor(2)] = {{"verdict", "PASS"},
                                        {"timing", {{"hot", {{"median_s", 100 * t}}}}},
                                        {"onednn_timing", {{"median_s", 300 * t}}}};
    want_decode += static_cast<double>(c.count) * t;
    want_prefill += static_cast<double>(c.count) * (c.lm_head ? t : 100 * t) / 512;
    EXPECT_NO_THROW((void)parse_case(c.decode_descriptor(2))) << c.decode_descriptor(2);
  }
  const nlohmann::json p = project(cases, records, 2);
  EXPECT_NEAR(p["ours"]["decode_ms_per_token"].get<double>(), want_decode * 1e3, 1e-12);
  EXPECT_NEAR(p["ours"]["prefill_ms_per_token"].get<double>(), want_prefill * 1e3, 1e-12);
  EXPECT_NEAR(p["ours"]["decode_tokens_per_s"].get<double>(), 1.0 / want_decode, 1e-6);
  double sum = 0, share = 0;
  for (const auto& r : p["cases"]) {
    sum += r["decode_s"].get<double>();
    share += r["decode_share"].get<double>();
  }
  EXPECT_NEAR(sum, want_decode, 1e-15);
  EXPECT_NEAR(share, 1.0, 1e-12);
  ASSERT_EQ(p["left_out"].size(), 1u);
  EXPECT_EQ(p["left_out"][0]["type"], "q5_0");
  EXPECT_NEAR(p["covered_fraction"].get<double>(), static_cast<double>(covered) / static_cast<double>(all),
              1e-12);
  EXPECT_LT(p["covered_fraction"].get<double>(), 1.0);
  // A missing record is reported, never silently dropped.
  records.erase(cases[0].decode_descriptor(2));
  const nlohmann::json q = project(cases, records, 2);
  EXPECT_EQ(q["left_out"].size(), 2u);
}

// --rounds: each case's medians over the rounds (the mean of the middle two for an even
// count), a case failing or missing in any round left out, the rounds' totals' spread.
TEST(ModelProjection, RoundsMergeToEachCasesMedian) {
  const auto rec = [](double hot, double cold, double onednn) {
    return nlohmann::json{{"verdict", "PASS"},
                          {"timing", {{"hot", {{"median_s", hot}}}, {"cold", {{"median_s", cold}}}}},
                          {"onednn_timing", {{"median_s", onednn}}}};
  };
  std::vector<std::map<std::string, nlohmann::json>> rounds(3);
  rounds[0]["a"] = rec(1, 10, 100);
  rounds[1]["a"] = rec(3, 30, 300);
  rounds[2]["a"] = rec(2, 50, 200);
  rounds[0]["hot-only"] = {{"verdict", "PASS"}, {"timing", {{"hot", {{"median_s", 4.0}}}}}};
  rounds[1]["hot-only"] = {{"verdict", "PASS"}, {"timing", {{"hot", {{"median_s", 8.0}}}}}};
  rounds[2]["hot-only"] = {{"verdict", "PASS"}, {"timing", {{"hot", {{"median_s", 5.0}}}}}};
  for (auto& r : rounds) r["failing"] = rec(1, 1, 1);
  rounds[1]["failing"]["verdict"] = "TIMEOUT";
  rounds[0]["missing"] = rec(1, 1, 1);
  rounds[2]["missing"] = rec(1, 1, 1);
  const auto merged = merge_rounds(rounds);
  const auto& a = merged.at("a");
  EXPECT_EQ(a["timing"]["hot"]["median_s"].get<double>(), 2.0);
  EXPECT_EQ(a["timing"]["cold"]["median_s"].get<double>(), 30.0);
  EXPECT_EQ(a["onednn_timing"]["median_s"].get<double>(), 200.0);
  EXPECT_EQ(a["round_medians_s"]["cold"], nlohmann::json({10.0, 30.0, 50.0}));
  const auto& h = merged.at("hot-only");
  EXPECT_EQ(h["timing"]["hot"]["median_s"].get<double>(), 5.0);
  EXPECT_FALSE(h["timing"].contains("cold"));
  EXPECT_FALSE(h.contains("onednn_timing"));
  EXPECT_EQ(merged.at("failing")["verdict"], "TIMEOUT");
  EXPECT_EQ(merged.count("missing"), 0u);
  // Two rounds: the mean of the two.
  rounds.pop_back();
  EXPECT_EQ(merge_rounds(rounds).at("a")["timing"]["hot"]["median_s"].get<double>(), 2.0);

  const auto totals = [](double decode, double prefill) {
    nlohmann::json side = {{"decode_ms_per_token", decode},
                           {"decode_hot_ms_per_token", decode / 2},
                           {"prefill_ms_per_token", prefill}};
    return nlohmann::json{{"ours", side}, {"onednn", side}};
  };
  const nlohmann::json spread = round_spread({totals(68.0, 21.9), totals(110.4, 21.3), totals(70.0, 22.5)});
  EXPECT_EQ(spread["rounds"], 3);
  EXPECT_EQ(spread["ours"]["decode_ms_per_token"],
            nlohmann::json({{"min", 68.0}, {"median", 70.0}, {"max", 110.4}}));
  EXPECT_EQ(spread["onednn"]["prefill_ms_per_token"]["median"].get<double>(), 21.9);
  EXPECT_EQ(spread["ours"]["decode_hot_ms_per_token"]["max"].get<double>(), 55.2);
}

TEST(ModelProjection, CasesCountTensorsPerToken) {
  const ModelInventory inv = manifest_inventory(load_manifest(kModels, "tiny-moe"), "q4_0");
  std::map<std::string, int64_t> count;
  for (const auto& c : model_cases(inv))
    count[c.type_name + " " + c.shape() + " " + c.tensor_class] = c.count;
  EXPECT_EQ(count.at("q4_0 n512k512 attention"), 4);           // attn_q and attn_output, 2 layers
  EXPECT_EQ(count.at("q4_0 n128k512 attention"), 4);           // attn_k, attn_v
  EXPECT_EQ(count.at("q4_0 e16top4n256k512 MoE experts"), 4);  // gate, up
  EXPECT_EQ(count.at("q4_0 e16top4n512k256 MoE experts"), 2);  // down
  EXPECT_EQ(count.at("f32 n16k512 router"), 2);
  EXPECT_EQ(count.at("q6_K n2048k512 output"), 1);
  EXPECT_EQ(count.size(), 6u);
}

}  // namespace
}  // namespace amxlab::harness::model
