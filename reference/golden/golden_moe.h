// The golden model of the mixture-of-experts GEMM (DESIGN.md "Mixture of experts"):
// for every route (token t, slot j) with expert e = ids[t][j], the single-expert golden
// GEMM of token t's row with expert e's [N][K] weights, M = 1, into dst row t * top_k + j.
// One call per route, so the definition holds for any routing (repeated experts, experts
// with no token, one expert with every token) by construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "kernels/core/formats.h"
#include "kernels/core/qtype.h"

namespace amxlab::golden {

struct MoeShape {
  int64_t experts = 0, tokens = 0, top_k = 0, n = 0, k = 0;
};

// Checks the shape and every id (Error naming the first bad (token, slot); nothing is
// called then), and calls route(t, j, e) for every route in order.
void for_each_route(std::span<const int32_t> ids, const MoeShape& s,
                    const std::function<void(int64_t t, int64_t j, int64_t e)>& route);

// Quantised weight types: w holds E experts of N GGUF rows (a 3-D GGUF expert tensor),
// a the F32 activations [T][K] (each row quantised with `variant`, as golden::gemm does),
// dst [T * top_k][N].
void gemm_moe(QType wt, std::span<const std::byte> w, std::span<const float> a, std::span<const int32_t> ids,
              const MoeShape& s, ActQuant variant, std::span<float> dst);

}  // namespace amxlab::golden
