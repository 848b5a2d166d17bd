// The data of one case: deterministic from the seed (or taken from a GGUF tensor and
// a .npy file), in the layouts the golden model, oneDNN and the kernels consume.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/sweep/case.h"

namespace amxlab::harness {

// Real tensors instead of random data (--weights FILE.gguf:TENSOR, --activations A.npy).
struct DataSources {
  std::string weights;      // "path.gguf:tensor.name" or empty
  std::string activations;  // "path.npy" (float32 [M][K]) or empty
  std::string routing;      // MoE: "path.npy" of expert ids (int32 / int64 [T][top_k]) or empty
};

// The sources as a case record holds them ("sources"; harness/results/results_file.h's
// case_key): the non-empty ones, or null for a case on seeded data.
nlohmann::json sources_json(const DataSources& s);

struct CaseData {
  // Quantised, bf16 and f32 cases: activations as F32 [M][K].
  std::vector<float> a_f32;
  // Plain-type activations in their own format (bf16 bits, s8, u8), [M][K].
  std::vector<std::byte> a_plain;
  // Weights W [N][K] in the case's type: GGUF rows for block formats, raw otherwise.
  // MoE cases: E experts of [N][K], expert after expert (a GGUF 3-D expert tensor).
  std::vector<std::byte> w;
  // MoE cases: expert ids [T][top_k] (harness/sweep/routing.h).
  std::vector<int32_t> ids;
  std::string source;  // where the data came from, recorded in results
};

// Random data: weights ~ N(0,1) with 1 in 97 values x20 (outliers, as real weights
// have) quantised to the type; activations ~ N(0,1) with occasional outliers. Raw
// integer fills stay within [-64, 63] (u8: [0, 127]) so oneDNN's int32 sums cannot
// overflow (as benchdnn's fills do), which makes oneDNN exactly comparable.
CaseData make_case_data(const Case& c, const DataSources& sources = {});

// The case's weights W [N][K] (MoE: [E * N][K]) as floats (exact for every type: dequantised blocks,
// widened f16 / bf16, int8 values).
std::vector<float> dequantized_weights(const Case& c, const CaseData& d);

// Shape of a case taken from real tensors: N and K from the GGUF tensor (and E from a
// 3-D expert tensor [K, N, E], which makes the case a MoE case), M from the .npy rows,
// T and top_k from a routing .npy (route=file); the caller's case supplies the rest.
Case case_from_sources(const Case& base, const DataSources& sources);

}  // namespace amxlab::harness
