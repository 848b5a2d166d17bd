// From a tensor inventory to the cases that time it, and from their timings to a per-token
// projection (DESIGN.md "Model workloads").
//
// Cases: every matmul tensor shape — (type, N, K, experts) per tensor class — once, with
// how many such tensors one token passes through (its count). Decode runs each at M = 1
// (expert tensors: a MoE case at T = 1 with the model's top-k); prefill at M = 512 (MoE:
// T = 512, uniform routing). The LM head (output.weight) is the exception in prefill:
// llama.cpp computes logits for the last token of a batch only, so a 512-token batch
// costs one M = 1 pass of it (its decode time / 512 per token).
//
// Projection: decode = sum over cases of count x the M = 1 time (the rotating / cold
// timing where there is one: a decode step's weights come from DRAM; decode_hot: the same
// with the hot times, what a benchmark repeating one call on the same weights sees —
// oneDNN is timed hot only); prefill = sum of
// count x the M = 512 time (hot) / 512. Both as matmul milliseconds per token and the
// tokens/s that matmul time alone allows, for our kernels (kernel=auto) and for oneDNN on
// the same shapes (its int8 / bf16 / f32 matmul; MoE: its per-expert loop). A tensor
// whose type has no kernel here is listed with the reason and left out of both totals;
// the covered fraction of matmul weight bytes says how much of the model the totals hold.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "harness/model/inventory.h"

namespace amxlab::harness::model {

inline constexpr int64_t kPrefillTokens = 512;
// Check shapes: at most this many output columns of a tensor and this many experts
// (every kernel path — column blocks, the N tail, expert groups — appears within them;
// the full shapes are timed, not checked: golden is scalar).
inline constexpr int64_t kCheckMaxN = 512;
inline constexpr int64_t kCheckMaxExperts = 16;

struct ModelCase {
  std::string type_name;
  std::optional<QType> type;
  int64_t n = 0, k = 0, experts = 0, top_k = 0;
  std::string tensor_class;
  bool lm_head = false;
  int64_t count = 0;                 // tensors of this shape a token passes through
  uint64_t bytes_each = 0;           // GGUF bytes of one such tensor
  std::vector<std::string> tensors;  // their names (the first few)
  std::string excluded;              // non-empty: not run, and why

  std::string shape() const;  // "m<M>n<N>k<K>" or "e<E>top<k>t<T>n<N>k<K>" for M / T = `rows`
  std::string decode_descriptor(int threads) const;
  std::string prefill_descriptor(int threads) const;
  // Check descriptors (columns and experts capped as above) for one kernel name.
  std::vector<std::string> check_descriptors(const std::string& kernel, int threads) const;
};

// One case per (type, N, K, experts, class, LM head or not), in order of first appearance.
// Types with no kernel in the registry (or none this CPU can run) are marked excluded.
std::vector<ModelCase> model_cases(const ModelInventory& inv);

// The projection from the bench records (results "cases", keyed by descriptor) of the
// decode and prefill descriptors: totals, per-case table sorted by decode share, class
// shares, covered fraction. Cases whose records are missing or not PASS are reported as
// such and left out of the totals (never silently).
nlohmann::json project(const std::vector<ModelCase>& cases,
                       const std::map<std::string, nlohmann::json>& records, int threads);

// Several rounds of the same timed cases (`amxlab model --rounds`), one map of records
// per round: per descriptor, the first round's record with each median (hot, cold,
// oneDNN) replaced by the median over the rounds (the mean of the middle two for an even
// count), the rounds' own values listed under "round_medians_s". A descriptor that is
// missing or not PASS in some round gives that round's record (or none), so the projection
// leaves it out and says so, as for one round.
std::map<std::string, nlohmann::json> merge_rounds(
    const std::vector<std::map<std::string, nlohmann::json>>& rounds);

// The spread of the rounds' own projections: for ours and oneDNN, each total (decode,
// decode_hot, prefill ms per token) as {min, median, max} over the rounds.
nlohmann::json round_spread(const std::vector<nlohmann::json>& projections);

// The inventory as JSON (counts per class, matmul bytes, the tensors not matmuls).
nlohmann::json inventory_json(const ModelInventory& inv);

}  // namespace amxlab::harness::model
