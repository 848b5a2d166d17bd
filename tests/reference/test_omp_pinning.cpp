// oneDNN's OpenMP team pinned to the harness's CPUs: every team thread runs where it
// was asked to, a oneDNN matmul still runs (and agrees) while pinned, and the caller's
// affinity comes back afterwards.
#include <gtest/gtest.h>
#include <sched.h>

#include <vector>

#include "reference/onednn/matmul.h"
#include "reference/onednn/omp_pinning.h"
#include "reference/onednn/runtime.h"
#include "tests/test_util.h"

namespace amxlab::testing {
namespace {

std::vector<int> allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  std::vector<int> out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

TEST(OmpPinning, TeamThreadsRunOnTheGivenCpusAndTheMaskComesBack) {
  const std::vector<int> before = allowed();
  ASSERT_FALSE(before.empty());
  onednn::set_threads(7);
  const int threads_before = onednn::max_threads();
  for (int threads : {1, 2, 3}) {
    std::vector<int> cpus;
    cpus.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i)
      cpus.push_back(before[static_cast<size_t>(threads - 1 - i) % before.size()]);
    {
      const onednn::OmpPinning pin(cpus);
      EXPECT_EQ(onednn::max_threads(), threads);
      for (int rep = 0; rep < 3; ++rep) EXPECT_EQ(pin.observed(), cpus) << threads << " threads";
      // A oneDNN primitive runs on the pinned team and still computes the right thing.
      onednn::Matmul mm(onednn::MatmulKind::s8s8s32, 2, 16, 64);
      std::vector<int8_t> a(2 * 64, 1), w(16 * 64, 2);
      std::vector<int32_t> y(2 * 16, -1);
      mm.set_weights(w.data());
      mm.run(a.data(), y.data());
      for (int32_t v : y) EXPECT_EQ(v, 128);
      EXPECT_EQ(pin.observed(), cpus) << "oneDNN's run moved the team";
    }
    EXPECT_EQ(allowed(), before) << "the caller's affinity was not restored";
    EXPECT_EQ(onednn::max_threads(), threads_before) << "the OpenMP thread count was not restored";
  }
  EXPECT_FALSE(error_of([] { onednn::OmpPinning none(std::vector<int>{}); }).empty());
  const std::string bad = error_of([] { onednn::OmpPinning p(std::vector<int>{CPU_SETSIZE - 1}); });
  EXPECT_NE(bad.find("pinning OpenMP thread 0 to CPU"), std::string::npos) << bad;
  EXPECT_EQ(allowed(), before);
}

}  // namespace
}  // namespace amxlab::testing
