// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: are two samples of timings
// drawn from the same distribution? Exact for small samples, normal approximation with
// tie correction otherwise.
#pragma once

#include <vector>

namespace amxlab::harness {

struct MannWhitney {
  double u = 0;        // U statistic of the first sample
  double p_value = 1;  // two-sided
  bool exact = false;
};

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace amxlab::harness
