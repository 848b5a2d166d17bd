#include "reference/golden/golden_moe.h"

#include <string>

#include "kernels/core/error.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {

void for_each_route(std::span<const int32_t> ids, const MoeShape& s,
                    const std::function<void(int64_t t, int64_t j, int64_t e)>& route) {
  require(s.experts >= 1 && s.tokens >= 1 && s.top_k >= 1 && s.n >= 1 && s.k >= 1,
          "golden moe: E, T, top_k, N and K must be >= 1");
  require(ids.size() == static_cast<size_t>(s.tokens * s.top_k),
          "golden moe: ids do not hold T x top_k entries");
  for (size_t i = 0; i < ids.size(); ++i) {
    require(ids[i] >= 0 && ids[i] < s.experts, [&] {
      return "golden moe: expert id " + std::to_string(ids[i]) + " of token " + std::to_string(i / s.top_k) +
             " slot " + std::to_string(i % s.top_k) + " is outside [0, " + std::to_string(s.experts) + ")";
    });
  }
  for (int64_t t = 0; t < s.tokens; ++t) {
    for (int64_t j = 0; j < s.top_k; ++j) route(t, j, ids[static_cast<size_t>(t * s.top_k + j)]);
  }
}

void gemm_moe(QType wt, std::span<const std::byte> w, std::span<const float> a, std::span<const int32_t> ids,
              const MoeShape& s, ActQuant variant, std::span<float> dst) {
  const size_t expert_bytes = row_bytes(wt, s.k) * static_cast<size_t>(s.n);
  require(w.size() >= expert_bytes * static_cast<size_t>(s.experts) &&
              a.size() >= static_cast<size_t>(s.tokens * s.k) &&
              dst.size() >= static_cast<size_t>(s.tokens * s.top_k * s.n),
          "golden moe: a buffer is shorter than the shape");
  for_each_route(ids, s, [&](int64_t t, int64_t j, int64_t e) {
    gemm(wt, w.subspan(static_cast<size_t>(e) * expert_bytes, expert_bytes),
         a.subspan(static_cast<size_t>(t * s.k), static_cast<size_t>(s.k)), Shape{1, s.n, s.k}, variant,
         dst.subspan(static_cast<size_t>((t * s.top_k + j) * s.n), static_cast<size_t>(s.n)));
  });
}

}  // namespace amxlab::golden
