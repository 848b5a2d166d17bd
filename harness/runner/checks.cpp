#include "harness/runner/checks.h"

#include <fmt/core.h>

#include <cmath>
#include <cstring>

#include "reference/golden/error_bounds.h"

namespace amxlab::harness {
namespace {

std::string describe(const void* base, int64_t idx, bool is_int) {
  uint32_t bits;
  std::memcpy(&bits, static_cast<const std::byte*>(base) + 4 * idx, 4);
  if (is_int) return std::to_string(static_cast<int32_t>(bits));
  float f;
  std::memcpy(&f, &bits, 4);
  return fmt::format("{:.9g} (0x{:08x})", f, bits);
}

double zero_fraction(std::span<const float> v) {
  if (v.empty()) return 0.0;
  size_t z = 0;
  for (float x : v) z += x == 0.0f;
  return static_cast<double>(z) / static_cast<double>(v.size());
}

}  // namespace

nlohmann::json BitwiseCheck::to_json() const {
  nlohmann::json j = {{"bitwise", pass()}, {"mismatches", mismatches}, {"max_ulp", max_ulp}};
  if (!pass()) j["first"] = {{"m", first_m}, {"n", first_n}, {"got", got}, {"want", want}};
  return j;
}

BitwiseCheck compare_bitwise(const void* got, const void* want, int64_t m, int64_t n, bool is_int) {
  BitwiseCheck r;
  const auto* g = static_cast<const uint32_t*>(got);
  const auto* w = static_cast<const uint32_t*>(want);
  for (int64_t i = 0; i < m * n; ++i) {
    if (g[i] == w[i]) continue;
    if (r.mismatches++ == 0) {
      r.first_m = i / n;
      r.first_n = i % n;
      r.got = describe(got, i, is_int);
      r.want = describe(want, i, is_int);
    }
    if (!is_int) {
      float gf, wf;
      std::memcpy(&gf, &g[i], 4);
      std::memcpy(&wf, &w[i], 4);
      r.max_ulp = std::max(r.max_ulp, golden::ulp_distance(gf, wf));
    }
  }
  return r;
}

nlohmann::json BoundCheck::to_json() const {
  nlohmann::json j = {
      {"within_bound", pass()}, {"failures", failures}, {"max_ratio", max_ratio}, {"max_ulp", max_ulp}};
  if (!pass())
    j["first"] = {{"m", first_m}, {"n", first_n}, {"got", got}, {"exact", exact}, {"bound", bound}};
  return j;
}

BoundCheck compare_within(std::span<const float> got, std::span<const double> exact,
                          std::span<const double> bound, int64_t n) {
  BoundCheck r;
  for (size_t i = 0; i < got.size(); ++i) {
    // Non-finite inputs (real weights can hold NaN or Inf scales) give non-finite exact
    // values: the same non-finite value is agreement, not an infinite error.
    if ((std::isnan(got[i]) && std::isnan(exact[i])) || static_cast<double>(got[i]) == exact[i]) continue;
    const double err = std::fabs(static_cast<double>(got[i]) - exact[i]);
    const double ratio = bound[i] > 0 ? err / bound[i] : (err > 0 ? INFINITY : 0.0);
    r.max_ratio = std::max(r.max_ratio, ratio);
    r.max_ulp = std::max(r.max_ulp, golden::ulp_distance(got[i], static_cast<float>(exact[i])));
    if (!(err <= bound[i])) {
      if (r.failures++ == 0) {
        r.first_m = static_cast<int64_t>(i) / n;
        r.first_n = static_cast<int64_t>(i) % n;
        r.got = got[i];
        r.exact = exact[i];
        r.bound = bound[i];
      }
    }
  }
  return r;
}

nlohmann::json ZeroTrust::to_json() const {
  return {{"trusted", trusted},
          {"reason", reason},
          {"a_zero_fraction", a_zero_fraction},
          {"w_zero_fraction", w_zero_fraction},
          {"y_zero_fraction", y_zero_fraction},
          {"y_all_equal", y_all_equal}};
}

ZeroTrust zero_trust(std::span<const float> a_values, std::span<const float> w_values, const void* y,
                     int64_t count, bool is_int) {
  ZeroTrust z;
  z.a_zero_fraction = zero_fraction(a_values);
  z.w_zero_fraction = zero_fraction(w_values);
  const auto* yb = static_cast<const uint32_t*>(y);
  int64_t zeros = 0;
  bool all_equal = true;
  for (int64_t i = 0; i < count; ++i) {
    // +0.0f and int 0 share the bit pattern 0; -0.0f counts as zero too.
    zeros += is_int ? yb[i] == 0 : (yb[i] & 0x7fffffffu) == 0;
    all_equal = all_equal && yb[i] == yb[0];
  }
  z.y_zero_fraction = count > 0 ? static_cast<double>(zeros) / static_cast<double>(count) : 0.0;
  z.y_all_equal = count > 1 && all_equal;
  constexpr double kLimit = 0.5;
  if (z.a_zero_fraction > kLimit)
    z.reason = fmt::format("{:.0f}% of the activations are zero", 100 * z.a_zero_fraction);
  if (z.w_zero_fraction > kLimit)
    z.reason = fmt::format("{:.0f}% of the weights are zero", 100 * z.w_zero_fraction);
  if (z.y_zero_fraction > kLimit)
    z.reason = fmt::format("{:.0f}% of the outputs are zero", 100 * z.y_zero_fraction);
  if (z.y_all_equal) {
    // All NaN (or all Inf) usually means NaN / Inf scales in the weights or activations.
    const float first = is_int ? 0.0f : static_cast<const float*>(y)[0];
    z.reason = !is_int && !std::isfinite(first)
                   ? fmt::format("every output is {} (NaN or Inf scales in the inputs?)", first)
                   : "every output has the same value";
  }
  z.trusted = z.reason.empty();
  return z;
}

}  // namespace amxlab::harness
