// Comparators: bitwise (integer and quantised paths), within an analytic bound (float
// paths and oneDNN's f32 reference), and the zero-trust check of data and output.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace amxlab::harness {

struct BitwiseCheck {
  int64_t mismatches = 0;
  int64_t first_m = -1, first_n = -1;  // first differing element, row-major order
  std::string got, want;               // its values, with their bit patterns
  int64_t max_ulp = 0;                 // float outputs only
  bool pass() const { return mismatches == 0; }
  nlohmann::json to_json() const;
};

// got/want: m x n elements of 4 bytes, float (is_int = false) or int32.
BitwiseCheck compare_bitwise(const void* got, const void* want, int64_t m, int64_t n, bool is_int);

struct BoundCheck {
  int64_t failures = 0;
  double max_ratio = 0.0;  // max |got - exact| / bound
  int64_t max_ulp = 0;     // vs the exact value rounded to fp32
  int64_t first_m = -1, first_n = -1;
  double got = 0, exact = 0, bound = 0;
  bool pass() const { return failures == 0; }
  nlohmann::json to_json() const;
};

BoundCheck compare_within(std::span<const float> got, std::span<const double> exact,
                          std::span<const double> bound, int64_t n);

// Zero trust (benchdnn's idea): a case whose inputs or output are mostly zeros, or whose
// output is one repeated value, proves little; it is marked MISTRUSTED.
struct ZeroTrust {
  double a_zero_fraction = 0, w_zero_fraction = 0, y_zero_fraction = 0;
  bool y_all_equal = false;
  bool trusted = true;
  std::string reason;
  nlohmann::json to_json() const;
};

ZeroTrust zero_trust(std::span<const float> a_values, std::span<const float> w_values, const void* y,
                     int64_t count, bool is_int);

}  // namespace amxlab::harness
