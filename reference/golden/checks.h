// Argument checks shared by the golden GEMMs: every one throws amxlab::Error before
// anything is written.
#pragma once

#include <string>

#include "kernels/core/error.h"
#include "kernels/core/qtype.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {

inline void check_shape(const Shape& s, const char* who) {
  require(s.m >= 1 && s.n >= 1 && s.k >= 1, std::string(who) + ": bad shape M=" + std::to_string(s.m) +
                                                " N=" + std::to_string(s.n) + " K=" + std::to_string(s.k) +
                                                " (each must be >= 1)");
}

// Element counts of A [M][K], W [N][K] and Y [M][N] for plain element types.
template <class TA, class TW, class TY>
void check_plain(std::span<TA> a, std::span<TW> w, std::span<TY> y, const Shape& s, const char* who) {
  check_shape(s, who);
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  require_buffer(a.data(), a.size_bytes(), m * k * sizeof(TA), std::string(who) + " activations A[M][K]");
  require_buffer(w.data(), w.size_bytes(), n * k * sizeof(TW), std::string(who) + " weights W[N][K]");
  require_buffer(y.data(), y.size_bytes(), m * n * sizeof(TY), std::string(who) + " output Y[M][N]");
}

}  // namespace amxlab::golden
