// harness/timing: Google Benchmark driven timing. No speed is asserted, only that the
// figures are well formed and the options are honoured.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

#include "harness/timing/timing.h"
#include "kernels/core/error.h"
#include "tests/test_util.h"

namespace amxlab::timing {
namespace {

void busy(int n) {
  volatile double x = 1.0;
  for (int i = 0; i < n; ++i) x = x * 1.0000001 + 1e-9;
}

// A first call that costs 100 ms (one-time setup) and later ones that cost nothing: with
// untimed_first_call the one repetition is the cheap calls', without it the first call
// is the measurement (min_time is shorter than it). Orders of magnitude apart, so the
// comparison cannot be noise.
TEST(Timing, UntimedFirstCallKeepsOneTimeCostsOut) {
  for (const bool untimed : {true, false}) {
    TimingOptions o;
    o.repetitions = 1;
    o.min_time_s = 0.001;
    o.untimed_first_call = untimed;
    int64_t calls = 0;
    const TimingResult r = time_function(
        "test/first-call",
        [&](int64_t) {
          if (calls++ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        },
        o);
    if (untimed) {
      EXPECT_LT(r.median_s, 0.05) << "the first call was timed";
    } else {
      EXPECT_GT(r.median_s, 0.05) << "the first call was not timed (so this test cannot tell)";
    }
  }
}

TEST(Timing, BusyLoopGivesSaneStatistics) {
  TimingOptions o;
  o.repetitions = 5;
  o.min_time_s = 0.01;
  const TimingResult r = time_function("test/busy", [](int64_t) { busy(2000); }, o);
  ASSERT_EQ(r.seconds_per_iter.size(), 5u);
  EXPECT_GT(r.iterations, 0);
  EXPECT_GT(r.min_s, 0.0);
  EXPECT_LE(r.min_s, r.median_s);
  double mx = 0;
  for (double s : r.seconds_per_iter) {
    EXPECT_TRUE(std::isfinite(s));
    EXPECT_GT(s, 0.0);
    mx = std::max(mx, s);
  }
  EXPECT_LE(r.median_s, mx);
  EXPECT_GE(r.mean_s, r.min_s);
  EXPECT_LE(r.mean_s, mx);
  EXPECT_TRUE(std::isfinite(r.cv));
  EXPECT_GE(r.cv, 0.0);
}

TEST(Timing, RepetitionCountIsHonoured) {
  for (int reps : {1, 3, 7}) {
    TimingOptions o;
    o.repetitions = reps;
    o.min_time_s = 0.002;
    const TimingResult r = time_function("test/reps", [](int64_t) { busy(100); }, o);
    EXPECT_EQ(r.seconds_per_iter.size(), static_cast<size_t>(reps));
    if (reps == 1) {
      EXPECT_EQ(r.cv, 0.0);
    }
  }
}

TEST(Timing, BodySeesIncreasingIterationIndexes) {
  std::vector<int64_t> seen;
  TimingOptions o;
  o.repetitions = 3;
  o.min_time_s = 0.005;
  o.cold = true;
  const TimingResult r = time_function(
      "test/indexes",
      [&](int64_t i) {
        seen.push_back(i);
        busy(200);
      },
      o);
  ASSERT_FALSE(seen.empty());
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<int64_t>(i));
  // Estimation runs plus the measured repetitions: at least reps x iterations calls.
  EXPECT_GE(static_cast<int64_t>(seen.size()), r.iterations * 3);
}

TEST(Timing, BodyExceptionIsRethrownAndTimingStillWorksAfterwards) {
  TimingOptions o;
  o.repetitions = 3;
  o.min_time_s = 0.002;
  // Throws on the second call whatever the index: under load a single slow first call
  // can end the estimation, so an index-based trigger might never be reached.
  int calls = 0;
  EXPECT_THROW(time_function(
                   "test/throws",
                   [&](int64_t) {
                     if (++calls == 2) throw std::runtime_error("boom");
                   },
                   o),
               std::runtime_error);
  EXPECT_EQ(calls, 2);
  const TimingResult r = time_function("test/after", [](int64_t) { busy(10); }, o);
  EXPECT_EQ(r.seconds_per_iter.size(), 3u);
}

TEST(Timing, BadOptionsAreErrors) {
  using amxlab::testing::error_of;
  TimingOptions o;
  o.repetitions = 0;
  EXPECT_NE(error_of([&] { time_function("x", [](int64_t) {}, o); }).find("repetitions"), std::string::npos);
  o.repetitions = 1;
  o.min_time_s = 0;
  EXPECT_NE(error_of([&] { time_function("x", [](int64_t) {}, o); }).find("min_time_s"), std::string::npos);
  o.min_time_s = 0.01;
  EXPECT_NE(error_of([&] { time_function("x", nullptr, o); }).find("no body"), std::string::npos);
}

TEST(Timing, Summarize) {
  const TimingResult r = summarize({4, 1, 3, 2}, 10);
  EXPECT_DOUBLE_EQ(r.median_s, 2.5);
  EXPECT_DOUBLE_EQ(r.mean_s, 2.5);
  EXPECT_DOUBLE_EQ(r.min_s, 1);
  EXPECT_NEAR(r.cv, std::sqrt(5.0 / 3.0) / 2.5, 1e-12);
  EXPECT_EQ(r.iterations, 10);
  EXPECT_DOUBLE_EQ(summarize({5, 1, 3}, 1).median_s, 3);
}

TEST(Timing, ColdBufferCopies) {
  EXPECT_EQ(cold_buffer_copies(10, 25), 4);  // ceil(2.5) + 1
  EXPECT_EQ(cold_buffer_copies(10, 20), 3);
  EXPECT_EQ(cold_buffer_copies(10, 0), 1);
  EXPECT_EQ(cold_buffer_copies(56ull << 20, 64ull << 20), 3);
  EXPECT_FALSE(amxlab::testing::error_of([] { cold_buffer_copies(0, 1); }).empty());
}

TEST(Timing, Context) {
  add_context("amxlab_test_isa", "avx512_core_vnni");
  add_context("amxlab_test_isa", "avx512_core_amx");  // latest wins in context()
  EXPECT_EQ(context().at("amxlab_test_isa"), "avx512_core_amx");
}

}  // namespace
}  // namespace amxlab::timing
