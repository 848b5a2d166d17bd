// The median of a sample: the middle value, or the mean of the middle two for an even
// count. One definition for `amxlab compare`'s timing samples and `amxlab model
// --rounds`' per-case medians and spread.
#pragma once

#include <algorithm>
#include <vector>

namespace amxlab::harness {

// `v` must not be empty.
inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace amxlab::harness
