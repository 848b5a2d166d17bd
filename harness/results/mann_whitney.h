// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: are two samples of timings
// drawn from the same distribution? Exact for small samples, normal approximation with
// tie correction otherwise.
#pragma once

#include <cstddef>
#include <vector>

namespace amxlab::harness {

struct MannWhitney {
  double u = 0;        // U statistic of the first sample
  double p_value = 1;  // two-sided
  bool exact = false;
};

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b);

// The smallest two-sided p two samples of n1 and n2 values can give: both fully
// separated, 2 / C(n1 + n2, n1) (1 where either is empty). Three timings against three
// can never reach p < 0.1, so at alpha 0.05 such a pair cannot show a slowdown however
// large: compare reports it as untestable rather than as no change.
double mann_whitney_min_p(size_t n1, size_t n2);

// The smallest n for which n samples against n can give p < alpha (0 < alpha < 1): the
// --reps to ask for.
size_t mann_whitney_samples_for(double alpha);

}  // namespace amxlab::harness
