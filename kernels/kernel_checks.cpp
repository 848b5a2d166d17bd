#include "kernels/kernel_checks.h"

#include <string>

#include "kernels/core/error.h"

namespace amxlab {

void check_gemm_views(QType wt, std::string_view who_view, int64_t n, int64_t k, const ActivationView& a,
                      const OutputView& y, const Slice& s) {
  const auto who = [who_view] { return std::string(who_view); };
  const QType act = traits(wt).act_type;
  require(a.type == act,
          [&] { return who() + ": activations are " + name(a.type) + ", this kernel reads " + name(act); });
  require(a.k == k, [&] {
    return who() + ": activations have K=" + std::to_string(a.k) + ", weights K=" + std::to_string(k);
  });
  require(y.n == n, [&] {
    return who() + ": output has N=" + std::to_string(y.n) + ", weights N=" + std::to_string(n);
  });
  require(a.m == y.m && a.m >= 0, [&] {
    return who() + ": activations have M=" + std::to_string(a.m) + ", output M=" + std::to_string(y.m);
  });
  require_dims(who_view, a.m, k);
  const size_t arow = row_bytes(act, k);
  require(a.row_stride >= arow, [&] {
    return who() + ": activation row stride " + std::to_string(a.row_stride) +
           " bytes is shorter than a row (" + std::to_string(arow) + " bytes)";
  });
  require(y.row_stride >= static_cast<size_t>(n), [&] {
    return who() + ": output row stride " + std::to_string(y.row_stride) +
           " is shorter than N=" + std::to_string(n);
  });
  require_apart(who_view, "the output", a, arow, y, n);
  require(0 <= s.m0 && s.m0 <= s.m1 && s.m1 <= y.m && 0 <= s.n0 && s.n0 <= s.n1 && s.n1 <= n, [&] {
    return who() + ": slice rows " + std::to_string(s.m0) + ".." + std::to_string(s.m1) + " cols " +
           std::to_string(s.n0) + ".." + std::to_string(s.n1) + " outside the output " + std::to_string(y.m) +
           " x " + std::to_string(n);
  });
}

void require_apart(std::string_view who, std::string_view output, const ActivationView& a, size_t arow,
                   const OutputView& y, int64_t n) {
  if (a.m <= 0 || y.m <= 0 || a.bytes == nullptr || y.data == nullptr) return;
  const auto* a_begin = a.bytes;
  const auto* a_end = a_begin + static_cast<size_t>(a.m - 1) * a.row_stride + arow;
  const auto* y_begin = static_cast<const std::byte*>(y.data);
  const auto* y_end = y_begin + (static_cast<size_t>(y.m - 1) * y.row_stride + static_cast<size_t>(n)) * 4;
  require(a_end <= y_begin || y_end <= a_begin,
          [&] { return std::string(who) + ": " + std::string(output) + " overlaps the activations"; });
}

}  // namespace amxlab
