#include "harness/runner/case_data.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>
#include <utility>

#include "harness/io/gguf_reader.h"
#include "harness/io/npy.h"
#include "harness/io/printable.h"
#include "harness/runner/samples.h"
#include "harness/sweep/routing.h"
#include "kernels/core/error.h"
#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"

namespace amxlab::harness {
namespace {

// About N(0, 1) (samples.h), every outlier_every-th value scaled by outlier_scale.
std::vector<float> normal_fill(size_t count, uint64_t seed, size_t outlier_every, float outlier_scale) {
  Samples g(seed);
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    v[i] = g.normal();
    if (i % outlier_every == outlier_every - 1) v[i] *= outlier_scale;
  }
  return v;
}

std::pair<std::string, std::string> split_weights_spec(const std::string& spec) {
  const size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    throw Error("--weights: '" + io::printable(spec, 200) + "' is not FILE.gguf:TENSOR");
  }
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

}  // namespace

std::vector<float> dequantized_weights(const Case& c, const CaseData& d) {
  if (c.type == QType::S8 || c.type == QType::U8) {
    std::vector<float> w(d.w.size());
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int8_t>(d.w[i]));
    return w;
  }
  const int64_t rows = c.n * std::max<int64_t>(1, c.experts);  // MoE: every expert
  std::vector<float> w(static_cast<size_t>(rows * c.k));
  dequantize(c.type, d.w, rows, c.k, w);
  return w;
}

Case case_from_sources(const Case& base, const DataSources& sources) {
  Case c = base;
  if (!sources.weights.empty()) {
    const auto [path, tensor] = split_weights_spec(sources.weights);
    const io::GgufFile f = io::GgufFile::open(path);
    const auto& t = f.tensor(tensor);
    if (!t.qtype)
      throw Error("--weights: tensor " + io::printable(tensor, 80) + " has ggml type " +
                  std::string(t.type_name) + ", which amxlab has no kernels for");
    if (t.dims.size() > 3 || (t.dims.size() == 3 && !c.moe()))
      throw Error(
          "--weights: tensor " + io::printable(tensor, 80) + " has " + std::to_string(t.dims.size()) +
          " dimensions" +
          (t.dims.size() == 3 ? " (an expert tensor: give a MoE case, shape e<E>top<k>t<T>n<N>k<K>)" : ""));
    c.type = *t.qtype;
    c.k = t.row_length();
    if (c.moe()) {
      if (t.dims.size() != 3)
        throw Error("--weights: tensor " + io::printable(tensor, 80) +
                    " is not a 3-D expert tensor [K, N, E]");
      c.n = t.dims[1];
      c.experts = t.dims[2];
    } else {
      c.n = t.rows();
    }
  }
  if (!sources.routing.empty()) {
    if (!c.moe()) throw Error("--routing: applies to mixture-of-experts cases only");
    int64_t tokens = 0, top_k = 0;
    (void)read_routing_npy(sources.routing, c.experts, tokens, top_k);
    c.m = tokens;
    c.top_k = top_k;
    c.route = "file";
  }
  // s8 / u8 cases draw their int8 operands from the seed (make_case_data): a file named
  // for them would be recorded as the source of data it never supplied.
  if ((c.type == QType::S8 || c.type == QType::U8) &&
      (!sources.weights.empty() || !sources.activations.empty()))
    throw Error(std::string(c.type == QType::S8 ? "s8" : "u8") +
                " cases run on seeded int8 data only: --weights and --activations are for the quantised and "
                "floating-point types");
  if (!sources.activations.empty()) {
    const std::string shown = io::printable(sources.activations, 200);
    const io::NpyArray a = io::read_npy(sources.activations);
    if (a.shape.size() != 2) throw Error("--activations: " + shown + " is not a 2-D [M][K] array");
    if (a.dtype != io::NpyDtype::F32)
      throw Error("--activations: " + shown + " holds " + std::string(io::npy_descr(a.dtype)) +
                  " values; activations are float32 ('<f4')");
    if (a.shape[1] != c.k) {
      throw Error("--activations: " + shown + " has rows of " + std::to_string(a.shape[1]) +
                  " values, the weights have K=" + std::to_string(c.k));
    }
    if (c.moe() && a.shape[0] != c.m) {
      throw Error("--activations: " + shown + " has " + std::to_string(a.shape[0]) +
                  " rows, the case has T=" + std::to_string(c.m) + " tokens");
    }
    const auto v = a.as<float>();
    for (size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i]))
        throw Error("--activations: " + shown + " holds " + (std::isnan(v[i]) ? "NaN" : "an infinity") +
                    " at [" + std::to_string(i / static_cast<size_t>(c.k)) + "][" +
                    std::to_string(i % static_cast<size_t>(c.k)) +
                    "]: the quantisers take finite values only");
    c.m = a.shape[0];
  }
  validate_case(c);
  return c;
}

nlohmann::json sources_json(const DataSources& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : {std::pair<const char*, const std::string&>{"weights", s.weights},
                             {"activations", s.activations},
                             {"routing", s.routing}})
    if (!v.empty()) j[k] = v;
  return j.empty() ? nlohmann::json() : j;
}

CaseData make_case_data(const Case& c, const DataSources& sources) {
  CaseData d;
  // A MoE case's weights are E experts of [N][K]: E * N rows.
  const auto m = static_cast<size_t>(c.m), n = static_cast<size_t>(c.n * std::max<int64_t>(1, c.experts)),
             k = static_cast<size_t>(c.k);
  if (c.moe()) {
    if (c.route == "file") {
      require(!sources.routing.empty(), "route=file: give the expert ids with --routing FILE.npy");
      int64_t tokens = 0, top_k = 0;
      d.ids = read_routing_npy(sources.routing, c.experts, tokens, top_k);
      require(tokens == c.m && top_k == c.top_k,
              "--routing: " + io::printable(sources.routing, 200) + " holds [" + std::to_string(tokens) +
                  "][" + std::to_string(top_k) + "] ids, the case has T=" + std::to_string(c.m) +
                  " top_k=" + std::to_string(c.top_k));
    } else {
      d.ids = make_routing(route_kind(c.route), c.m, c.top_k, c.experts, c.seed);
    }
  }
  const auto& tr = traits(c.type);
  d.source = "random(seed=" + std::to_string(c.seed) + ")";

  if (c.type == QType::S8 || c.type == QType::U8) {
    std::mt19937_64 rng(c.seed);
    d.a_plain.resize(m * k);
    d.w.resize(n * k);
    for (auto& b : d.a_plain) {
      const int v = c.type == QType::S8 ? static_cast<int>(rng() % 128) - 64 : static_cast<int>(rng() % 128);
      b = static_cast<std::byte>(static_cast<uint8_t>(v));
    }
    for (auto& b : d.w) b = static_cast<std::byte>(static_cast<uint8_t>(static_cast<int>(rng() % 128) - 64));
    return d;
  }

  if (!sources.activations.empty()) {
    const io::NpyArray a = io::read_npy(sources.activations);
    const auto v = a.as<float>();
    require(v.size() == m * k, "--activations: size does not match the case shape " + c.shape());
    d.a_f32.assign(v.begin(), v.end());
    d.source = "activations=" + sources.activations;
  } else {
    d.a_f32 = normal_fill(m * k, c.seed * 2 + 1, 61, 8.0f);
  }

  if (!sources.weights.empty()) {
    const auto [path, tensor] = split_weights_spec(sources.weights);
    const io::GgufFile f = io::GgufFile::open(path);
    const auto& t = f.tensor(tensor);
    // A case may take a prefix of the tensor (the rule of `amxlab model --real-weights`,
    // whose checks cap N and E): the first N rows, of each of the first E experts. A
    // prefix of GGUF rows is a valid tensor of the same type.
    const int64_t t_experts = c.moe() ? t.ne(2) : 1, t_rows = c.moe() ? t.ne(1) : t.rows();
    require(t.qtype == c.type && t.row_length() == c.k && t_rows >= c.n &&
                t_experts >= std::max<int64_t>(1, c.experts) &&
                (c.moe() ? t.dims.size() == 3 : t.dims.size() <= 2),
            "--weights: tensor " + io::printable(tensor, 80) + " does not match the case " + c.descriptor());
    const size_t row = row_bytes(c.type, c.k), take = row * static_cast<size_t>(c.n);
    for (int64_t e = 0; e < std::max<int64_t>(1, c.experts); ++e) {
      const auto from = t.data.begin() + static_cast<std::ptrdiff_t>(static_cast<size_t>(e * t_rows) * row);
      d.w.insert(d.w.end(), from, from + static_cast<std::ptrdiff_t>(take));
    }
    d.source +=
        ", weights=" + sources.weights +
        (t_rows > c.n || t_experts > std::max<int64_t>(1, c.experts)
             ? " (first " + std::to_string(c.n) + " rows" +
                   (c.moe() ? " of the first " + std::to_string(c.experts) + " experts" : std::string()) + ")"
             : std::string());
  } else if (c.moe()) {
    // One stream per expert (seeded by seed and expert), generated on every CPU: the
    // Qwen3-30B-A3B shape is 200 M weights, ~10 s on one thread.
    const size_t per = static_cast<size_t>(c.n) * k,
                 bytes = row_bytes(c.type, c.k) * static_cast<size_t>(c.n);
    d.w.resize(bytes * static_cast<size_t>(c.experts));
    std::atomic<int64_t> next{0};
    const auto work = [&] {
      for (int64_t e; (e = next++) < c.experts;) {
        const auto wf = normal_fill(per, (c.seed * 2 + 2) * 1000003 + static_cast<uint64_t>(e), 97, 20.0f);
        quantize_weights(c.type, wf, c.n, c.k, std::span(d.w).subspan(static_cast<size_t>(e) * bytes, bytes));
      }
    };
    std::vector<std::thread> threads(std::max(1u, std::thread::hardware_concurrency()) - 1);
    for (auto& t : threads) t = std::thread(work);
    work();
    for (auto& t : threads) t.join();
  } else {
    const auto wf = normal_fill(n * k, c.seed * 2 + 2, 97, 20.0f);
    d.w.resize(row_bytes(c.type, c.k) * n);
    quantize_weights(c.type, wf, static_cast<int64_t>(n), c.k, d.w);
  }

  if (c.type == QType::BF16) {
    d.a_plain.resize(m * k * 2);
    for (size_t i = 0; i < m * k; ++i) {
      const uint16_t h = f32_to_bf16(d.a_f32[i]);
      std::memcpy(&d.a_plain[2 * i], &h, 2);
    }
  } else if (c.type == QType::F32 || c.type == QType::F16) {
    // f16 weights pair with f32 activations.
    d.a_plain.resize(m * k * 4);
    std::memcpy(d.a_plain.data(), d.a_f32.data(), m * k * 4);
  }
  (void)tr;
  return d;
}

}  // namespace amxlab::harness
