#include "harness/results/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace amxlab::harness {
namespace {

// Number of ways to reach each U value with n1 and n2 items (no ties), by recursion
// on the largest element: counts(n1, n2, u) = counts(n1-1, n2, u-n2) + counts(n1, n2-1, u).
std::vector<double> u_distribution(int n1, int n2) {
  // dp[i][j] is a vector over u of counts for sizes i, j.
  std::vector<std::vector<std::vector<double>>> dp(n1 + 1, std::vector<std::vector<double>>(n2 + 1));
  for (int i = 0; i <= n1; ++i) {
    for (int j = 0; j <= n2; ++j) {
      auto& cur = dp[i][j];
      cur.assign(static_cast<size_t>(i) * static_cast<size_t>(j) + 1, 0.0);
      if (i == 0 || j == 0) {
        cur[0] = 1.0;
        continue;
      }
      const auto& a = dp[i - 1][j];
      const auto& b = dp[i][j - 1];
      for (size_t u = 0; u < cur.size(); ++u) {
        if (u >= static_cast<size_t>(j) && u - static_cast<size_t>(j) < a.size())
          cur[u] += a[u - static_cast<size_t>(j)];
        if (u < b.size()) cur[u] += b[u];
      }
    }
  }
  return dp[n1][n2];
}

}  // namespace

MannWhitney mann_whitney(const std::vector<double>& a, const std::vector<double>& b) {
  MannWhitney r;
  const size_t n1 = a.size(), n2 = b.size();
  if (n1 == 0 || n2 == 0) return r;
  // Ranks of the pooled sample, ties get their average rank.
  std::vector<std::pair<double, int>> pooled;
  pooled.reserve(n1 + n2);
  for (double x : a) pooled.emplace_back(x, 0);
  for (double x : b) pooled.emplace_back(x, 1);
  std::sort(pooled.begin(), pooled.end());
  std::vector<double> rank(pooled.size());
  double tie_term = 0;
  bool ties = false;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double avg = (static_cast<double>(i + j - 1)) / 2.0 + 1.0;
    for (size_t t = i; t < j; ++t) rank[t] = avg;
    const double tcount = static_cast<double>(j - i);
    if (j - i > 1) ties = true;
    tie_term += tcount * tcount * tcount - tcount;
    i = j;
  }
  double r1 = 0;
  for (size_t i = 0; i < pooled.size(); ++i) {
    if (pooled[i].second == 0) r1 += rank[i];
  }
  const double dn1 = static_cast<double>(n1), dn2 = static_cast<double>(n2);
  r.u = r1 - dn1 * (dn1 + 1) / 2;
  const double mean = dn1 * dn2 / 2;
  if (!ties && n1 * n2 <= 400) {
    const auto dist = u_distribution(static_cast<int>(n1), static_cast<int>(n2));
    const double total = std::accumulate(dist.begin(), dist.end(), 0.0);
    const double dev = std::fabs(r.u - mean);
    double tail = 0;
    for (size_t u = 0; u < dist.size(); ++u) {
      if (std::fabs(static_cast<double>(u) - mean) >= dev - 1e-9) tail += dist[u];
    }
    r.p_value = std::min(1.0, tail / total);
    r.exact = true;
    return r;
  }
  const double n = dn1 + dn2;
  const double var = dn1 * dn2 / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) {
    r.p_value = 1.0;
    return r;
  }
  const double z = (std::fabs(r.u - mean) - 0.5) / std::sqrt(var);  // continuity correction
  r.p_value = std::min(1.0, std::erfc(std::max(0.0, z) / std::sqrt(2.0)));
  return r;
}

double mann_whitney_min_p(size_t n1, size_t n2) {
  if (n1 == 0 || n2 == 0) return 1.0;
  // C(n1 + n2, n1) as a running product; it overflows to inf for huge samples, and 2 / inf
  // = 0 is the right answer there.
  double ways = 1;
  for (size_t i = 1; i <= n1; ++i) ways = ways * static_cast<double>(n2 + i) / static_cast<double>(i);
  return std::min(1.0, 2.0 / ways);
}

size_t mann_whitney_samples_for(double alpha) {
  size_t n = 1;
  while (mann_whitney_min_p(n, n) >= alpha) ++n;  // alpha > 0: ends (min_p(n, n) -> 0)
  return n;
}

}  // namespace amxlab::harness
