#include "reference/golden/error_bounds.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "reference/golden/block_terms.h"
#include "reference/golden/checks.h"
#include "reference/golden/output_chunks.h"

namespace amxlab::golden {
namespace {

constexpr double kMinSubnormal = 1.401298464324817e-45;  // 2^-149
constexpr double kMinNormal = 1.1754943508222875e-38;    // 2^-126

ExactModel sized(const Shape& s) {
  ExactModel e;
  const auto mn = static_cast<size_t>(s.m * s.n);
  e.y.assign(mn, 0.0);
  e.bound.assign(mn, 0.0);
  e.sum_abs.assign(mn, 0.0);
  return e;
}

// sum_p |a_p * w_p| in double. Each product of two floats is exact in double; the sum
// runs in eight interleaved partial sums (a magnitude for a bound, not a model of any
// kernel's order), so the compiler keeps several additions in flight instead of one
// dependent chain: ~8x faster than the plain loop on the M=512 checks.
double abs_dot(const float* a, const float* w, size_t k) {
  constexpr size_t kLanes = 8;
  double lane[kLanes] = {};
  size_t p = 0;
  for (; p + kLanes <= k; p += kLanes) {
    for (size_t l = 0; l < kLanes; ++l) lane[l] += std::fabs(static_cast<double>(a[p + l]) * w[p + l]);
  }
  double sum = 0.0;
  for (; p < k; ++p) sum += std::fabs(static_cast<double>(a[p]) * w[p]);
  for (const double v : lane) sum += v;
  return sum;
}

}  // namespace

double gamma(int64_t n) {
  const double nu = static_cast<double>(n) * kUnitRoundoff;
  require(nu < 1.0, "gamma(n): n u >= 1, no bound exists");
  return nu / (1.0 - nu);
}

ExactModel exact_model_quantized(QType wt, std::span<const std::byte> w, std::span<const std::byte> aq,
                                 Shape s) {
  check_shape(s, "exact_model_quantized");
  const auto& tw = traits(wt);
  const QType act = tw.act_type;
  const auto& ta = traits(act);
  const size_t wrow = row_bytes(wt, s.k), arow = row_bytes(act, s.k);
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  require_buffer(w.data(), w.size(), wrow * n, "exact_model_quantized weights");
  require_buffer(aq.data(), aq.size(), arow * m, "exact_model_quantized activations");

  // Dequantised rows for sum_k |w_k a_k| (a magnitude only; fp32 dequantisation is fine).
  std::vector<float> wf(n * k), af(m * k);
  dequantize(wt, w, s.n, s.k, wf);
  dequantize(act, aq, s.m, s.k, af);

  ExactModel e = sized(s);
  const int64_t blocks = s.k / tw.block_elems;
  for_each_output(s.m, s.n, 2 * s.k, [&](size_t i, size_t j, size_t ij) {
    double y = 0.0, mag = 0.0, slack = 0.0;
    int64_t terms = 0;
    const std::byte* wp = w.data() + j * wrow;
    const std::byte* ap = aq.data() + i * arow;
    for (int64_t b = 0; b < blocks; ++b, wp += tw.block_bytes, ap += ta.block_bytes) {
      const BlockTerms t = block_terms(wt, wp, ap);
      const double main = static_cast<double>(t.d_w) * t.d_a * t.main;
      y += main;
      mag += std::fabs(main);
      slack += (std::fabs(static_cast<double>(t.main)) + 1.0) * kMinSubnormal;
      ++terms;
      if (t.extra != ExtraTerm::none) {
        const double extra = t.extra == ExtraTerm::q4_1_min ? static_cast<double>(t.dmin_w) * t.s_a
                                                            : -static_cast<double>(t.d_a) * t.dmin_w * t.mins;
        y += extra;
        mag += std::fabs(extra);
        slack += (std::fabs(static_cast<double>(t.mins)) + 1.0) * kMinSubnormal;
        ++terms;
      }
    }
    e.y[ij] = y;
    e.bound[ij] = gamma(terms + 2) * mag + slack;
    e.sum_abs[ij] = abs_dot(&af[i * k], &wf[j * k], k);
  });
  return e;
}

ExactModel exact_model_bf16(std::span<const uint16_t> a, std::span<const uint16_t> w, Shape s, bool daz_ftz) {
  check_shape(s, "exact_model_bf16");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  require_buffer(a.data(), a.size_bytes(), m * k * 2, "exact_model_bf16 activations");
  require_buffer(w.data(), w.size_bytes(), n * k * 2, "exact_model_bf16 weights");
  ExactModel e = sized(s);
  for_each_output(s.m, s.n, s.k, [&](size_t i, size_t j, size_t ij) {
    double y = 0.0, mag = 0.0, flushed = 0.0;
    for (size_t p = 0; p < k; ++p) {
      const double x = bf16_to_f32(a[i * k + p]), v = bf16_to_f32(w[j * k + p]);
      const double prod = x * v;
      y += prod;
      mag += std::fabs(prod);
      if ((x != 0.0 && std::fabs(x) < kMinNormal) || (v != 0.0 && std::fabs(v) < kMinNormal)) {
        flushed += std::fabs(prod);
      }
    }
    e.y[ij] = y;
    e.sum_abs[ij] = mag;
    e.bound[ij] = gamma(s.k) * mag + (daz_ftz ? flushed + static_cast<double>(s.k) * kMinNormal : 0.0);
  });
  return e;
}

ExactModel exact_model_f32(std::span<const float> a, std::span<const float> w, Shape s) {
  check_shape(s, "exact_model_f32");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  require_buffer(a.data(), a.size_bytes(), m * k * 4, "exact_model_f32 activations");
  require_buffer(w.data(), w.size_bytes(), n * k * 4, "exact_model_f32 weights");
  ExactModel e = sized(s);
  for_each_output(s.m, s.n, s.k, [&](size_t i, size_t j, size_t ij) {
    double y = 0.0, mag = 0.0;
    for (size_t p = 0; p < k; ++p) {
      const double prod = static_cast<double>(a[i * k + p]) * w[j * k + p];
      y += prod;
      mag += std::fabs(prod);
    }
    e.y[ij] = y;
    e.sum_abs[ij] = mag;
    e.bound[ij] = gamma(s.k) * mag + static_cast<double>(s.k) * kMinSubnormal;
  });
  return e;
}

std::vector<double> sum_abs_products(std::span<const float> a, std::span<const float> w, Shape s) {
  check_shape(s, "sum_abs_products");
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n), k = static_cast<size_t>(s.k);
  require_buffer(a.data(), a.size_bytes(), m * k * 4, "sum_abs_products activations");
  require_buffer(w.data(), w.size_bytes(), n * k * 4, "sum_abs_products weights");
  std::vector<double> out(m * n);
  // (About a eighth of a plain multiply-add per term: that much work decides the threads.)
  for_each_output(s.m, s.n, std::max<int64_t>(1, s.k / 8),
                  [&](size_t i, size_t j, size_t ij) { out[ij] = abs_dot(&a[i * k], &w[j * k], k); });
  return out;
}

int64_t ulp_distance(float x, float y) {
  if (std::isnan(x) || std::isnan(y)) {
    return (std::isnan(x) && std::isnan(y)) ? 0 : std::numeric_limits<int64_t>::max();
  }
  // Map the sign-magnitude bit patterns onto a monotonic integer line.
  auto ordered = [](float f) {
    const auto u = static_cast<int64_t>(f32_bits(f));
    return (u & 0x80000000LL) ? -(u & 0x7fffffffLL) : u;
  };
  return std::llabs(ordered(x) - ordered(y));
}

}  // namespace amxlab::golden
