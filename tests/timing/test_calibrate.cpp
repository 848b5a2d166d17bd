// harness/calibrate: JSON round trip, the knee finder on hand-made curves, the size
// grid, interpolation, pinned workers, and a tiny real calibration (no speed asserted).
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <cmath>

#include "harness/calibrate/calibration.h"
#include "harness/calibrate/pinned_workers.h"
#include "kernels/core/cpu_features.h"
#include "tests/test_util.h"

namespace amxlab::calibrate {
namespace {

std::vector<BandwidthPoint> curve(int threads, uint64_t first, const std::vector<double>& gbps,
                                  double step = 2) {
  std::vector<BandwidthPoint> c;
  double b = static_cast<double>(first);
  for (double g : gbps) {
    c.push_back({static_cast<uint64_t>(b), threads, g, 0.01});
    b *= step;
  }
  return c;
}

Calibration sample() {
  Calibration c;
  c.threads = {1, 2};
  ThreadPeaks p1;
  p1.threads = 1;
  p1.peak_int8_gops = {true, 1234.5, 0.01, "avx512_vnni vpdpbusd zmm", ""};
  p1.peak_bf16_gflops = {false, 0, 0, "avx512_bf16 vdpbf16ps zmm", "CPU (or OS) does not report AVX512-BF16"};
  p1.peak_fp32_gflops = {true, 300.25, 0.02, "avx512f vfmadd231ps zmm", ""};
  p1.format_ceilings = {{"block32", "q8_0 q4_0 iq4_nl", {true, 800.5, 0.01, "golden mix block32", ""}},
                        {"k32_min", "q4_K q5_K", {true, 700.25, 0.02, "golden mix k32_min", ""}}};
  ThreadPeaks p2 = p1;
  p2.threads = 2;
  p2.peak_int8_gops.value = 2469;
  c.peaks = {p1, p2};
  c.bandwidth = curve(1, 32768, {100, 100, 50, 50});
  const auto c2 = curve(2, 32768, {200, 190, 100, 20});
  c.bandwidth.insert(c.bandwidth.end(), c2.begin(), c2.end());
  c.knees = {{1, 65536, 131072, 100, 50, 2}, {2, 65536, 262144, 190, 20, 9.5}};
  c.quick = true;
  c.cpu = "Test CPU";
  c.read_isa = "avx512f zmm loads";
  c.repetitions = 3;
  c.min_time_s = 0.03;
  c.knee_options = {1.5, 0.05};
  c.knee_method = knee_method_text(c.knee_options);
  c.notes = {"a note"};
  return c;
}

TEST(Calibration, JsonRoundTrip) {
  const Calibration c = sample();
  const nlohmann::json j = to_json(c);
  const Calibration back = calibration_from_json(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(to_json(back), j);
  EXPECT_EQ(back.threads, c.threads);
  ASSERT_EQ(back.peaks.size(), 2u);
  EXPECT_EQ(back.peaks[1].peak_int8_gops.value, 2469);
  EXPECT_FALSE(back.peaks[0].peak_bf16_gflops.present);
  EXPECT_EQ(back.peaks[0].peak_bf16_gflops.absent_reason, "CPU (or OS) does not report AVX512-BF16");
  ASSERT_EQ(back.bandwidth.size(), 8u);
  EXPECT_EQ(back.bandwidth[5].gbps, 190);
  ASSERT_EQ(back.knees.size(), 2u);
  EXPECT_EQ(back.knees[1].end_bytes, 262144u);
  EXPECT_EQ(back.knee_options.threshold, 1.5);
  EXPECT_EQ(back.notes, c.notes);
  ASSERT_EQ(back.peaks[0].format_ceilings.size(), 2u);
  EXPECT_EQ(back.peaks[0].format_ceilings[1].mix, "k32_min");
  EXPECT_EQ(back.peaks[0].format_ceilings[1].gops.value, 700.25);
  // ADL hooks.
  nlohmann::json j2 = c;
  EXPECT_EQ(j2, j);
  EXPECT_EQ(to_json(j2.get<Calibration>()), j);
}

TEST(Calibration, JsonErrorsNameTheField) {
  using amxlab::testing::error_of;
  nlohmann::json j = to_json(sample());
  j["bandwidth"][1].erase("gbps");
  EXPECT_NE(error_of([&] { calibration_from_json(j); }).find("bandwidth[1]"), std::string::npos);
  j = to_json(sample());
  j["schema"] = "something.else";
  EXPECT_NE(error_of([&] { calibration_from_json(j); }).find("schema"), std::string::npos);
  EXPECT_FALSE(error_of([&] { calibration_from_json(nlohmann::json::array()); }).empty());
}

TEST(Calibration, FormatCeilingsAreOptionalAndFoundByType) {
  nlohmann::json j = to_json(sample());
  for (auto& p : j["peaks"]) p.erase("format_ceilings");  // a calibration from before issue #11
  const Calibration old = calibration_from_json(j);
  EXPECT_TRUE(old.peaks[0].format_ceilings.empty());
  EXPECT_EQ(format_ceiling(old.peaks[0], "q8_0"), nullptr);
  const Calibration c = sample();
  for (const char* t : {"q8_0", "q4_0", "iq4_nl"}) {
    ASSERT_NE(format_ceiling(c.peaks[0], t), nullptr) << t;
    EXPECT_EQ(format_ceiling(c.peaks[0], t)->gops.value, 800.5);
  }
  EXPECT_EQ(format_ceiling(c.peaks[0], "q5_K")->gops.value, 700.25);
  EXPECT_EQ(format_ceiling(c.peaks[0], "q6_K"), nullptr);  // its mix was not measured here
  EXPECT_EQ(format_ceiling(c.peaks[0], "bf16"), nullptr);
  EXPECT_EQ(format_mix_of("q4_1"), "block32_min");
  EXPECT_EQ(format_mix_of("iq4_xs"), "k32");
  EXPECT_EQ(format_mix_of("q2_K"), "k16_min");
  EXPECT_EQ(format_mix_of("q6_K"), "k16");
  EXPECT_EQ(format_mix_of("q5_K"), "k32_min");
  // Q4_K's and Q3_K's narrower codes: longer int16 groups on plain AVX2 only.
  EXPECT_EQ(format_mix_of("q4_K", true), "k32_min");
  EXPECT_EQ(format_mix_of("q4_K", false), "k32_min_g8");
  EXPECT_EQ(format_mix_of("q3_K", true), "k16");
  EXPECT_EQ(format_mix_of("q3_K", false), "k16_g4");
  EXPECT_EQ(format_mix_of("s8"), "");
  EXPECT_EQ(format_mix_of("q8_0", true), "block32");
  EXPECT_EQ(format_mix_of("q8_0", false), "block32_signed");
  EXPECT_EQ(format_mix_of("iq4_nl", false), "block32_signed");
  EXPECT_EQ(format_mix_of("q4_0", false), "block32");
  // A calibration of the AVX2 loops: found by the types it recorded, whole names only.
  ThreadPeaks avx2 = c.peaks[0];
  avx2.format_ceilings = {
      {"block32", "q4_0", {true, 300, 0.01, "golden mix block32 (avx2)", ""}},
      {"block32_signed", "q8_0 iq4_nl", {true, 200, 0.01, "golden mix block32_signed", ""}},
      {"k16", "q3_K q6_K", {false, 0, 0, "golden mix k16", "not measured"}}};
  EXPECT_EQ(format_ceiling(avx2, "q4_0")->gops.value, 300);
  EXPECT_EQ(format_ceiling(avx2, "q8_0")->mix, "block32_signed");
  EXPECT_EQ(format_ceiling(avx2, "iq4_nl")->gops.value, 200);
  EXPECT_EQ(format_ceiling(avx2, "q4"), nullptr);
  EXPECT_EQ(format_ceiling(avx2, "q8_0 iq4_nl"), nullptr);
  EXPECT_EQ(format_ceiling(avx2, "q6_K"), nullptr);  // absent: no figure
  j = to_json(sample());
  j["peaks"][0]["format_ceilings"][1].erase("mix");
  EXPECT_NE(amxlab::testing::error_of([&] { calibration_from_json(j); }).find("format_ceilings[1]"),
            std::string::npos);
}

TEST(Calibration, QueriesOnAKnownCurve) {
  const Calibration c = sample();
  EXPECT_DOUBLE_EQ(c.bandwidth_at(32768, 1), 100);
  EXPECT_DOUBLE_EQ(c.bandwidth_at(1000, 1), 100);                    // clamped below
  EXPECT_DOUBLE_EQ(c.bandwidth_at(1e12, 2), 20);                     // clamped above
  EXPECT_DOUBLE_EQ(c.bandwidth_at(131072, 2), 100);                  // a measured point
  EXPECT_NEAR(c.bandwidth_at(65536 * std::sqrt(2.0), 1), 75, 1e-9);  // halfway in log2
  EXPECT_NE(amxlab::testing::error_of([&] { c.bandwidth_at(1, 3); }).find("3 thread"), std::string::npos);
  EXPECT_EQ(c.peaks_for(2).peak_int8_gops.value, 2469);
  EXPECT_FALSE(amxlab::testing::error_of([&] { c.peaks_for(4); }).empty());
  EXPECT_EQ(c.cold_bytes(1), 131072u);
  EXPECT_EQ(c.cold_bytes(2), 262144u);
  EXPECT_EQ(c.cold_bytes(8), 262144u);  // not measured: the largest over all thread counts
}

TEST(KneeFinder, SharpAndSpreadDescents) {
  // x sqrt(2) steps from 32 KiB: L1-ish plateau, a sharp 2x drop, a plateau with +-4 %
  // noise, a descent spread over three steps, a DRAM plateau with noise.
  const std::vector<double> g = {400, 410, 395, 405,       // 32K .. 90.5K
                                 200, 205, 198, 203, 199,  // 128K .. 362K: sharp 2x at 90.5K -> 128K
                                 201, 160, 120, 90,        // 512K .. 1.41M: spread descent 201 -> 90
                                 88,  90,  87,  89,  88};  // plateau with noise
  const auto c = curve(2, 32768, g, std::sqrt(2.0));
  const std::vector<Knee> k = find_knees(c, 2);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].bytes, c[3].bytes);
  EXPECT_EQ(k[0].end_bytes, c[4].bytes);
  EXPECT_NEAR(k[0].drop, 405.0 / 200.0, 1e-12);
  EXPECT_EQ(k[1].bytes, c[9].bytes);  // 201: last point at the upper level
  EXPECT_EQ(k[1].end_bytes, c[12].bytes);
  EXPECT_NEAR(k[1].drop, 201.0 / 90.0, 1e-12);
  EXPECT_EQ(k[1].gbps_before, 201);
  EXPECT_EQ(k[1].gbps_after, 90);
  EXPECT_TRUE(find_knees(c, 1).empty());  // other thread counts are ignored
}

TEST(KneeFinder, ShortPlateausKeepKneesApart) {
  // Measured on this VM (1 thread, x2 steps from 64 KiB): L2, a two-point L3 level,
  // a second L3 level, DRAM with a 5 % wobble at the end.
  const auto c = curve(1, 512 << 10, {183, 127, 101, 99, 69, 54, 53, 33, 33, 31});
  const auto k = find_knees(c, 1);
  ASSERT_EQ(k.size(), 3u);
  EXPECT_EQ(k[0].bytes, 512u << 10);
  EXPECT_EQ(k[0].end_bytes, 2u << 20);
  EXPECT_EQ(k[1].bytes, 4u << 20);
  EXPECT_EQ(k[1].end_bytes, 16u << 20);
  EXPECT_EQ(k[2].bytes, 32u << 20);
  EXPECT_EQ(k[2].end_bytes, 64u << 20);
  Calibration cal;
  cal.threads = {1};
  cal.knees = k;
  EXPECT_EQ(cal.cold_bytes(1), 64u << 20);
}

// A curve measured only up to 64 MiB on a machine with a 32 MiB L3 found its L1 knee
// alone (the review of 2026-12-01): cold copies of 9 MiB weights rotated 18 MiB, inside
// the L3, and nothing said so. The reported last-level cache bounds the cold working set.
TEST(Calibration, ColdWorkingSetIsAtLeastTwiceTheReportedLastLevelCache) {
  Calibration c;
  c.threads = {1, 2};
  c.knees = {{1, 32768, 65536, 170, 88, 1.9}, {2, 16u << 20, 256u << 20, 130, 40, 3.2}};
  EXPECT_EQ(c.cold_bytes(1), 65536u);
  c.llc_bytes = 32u << 20;
  EXPECT_EQ(c.cold_bytes(1), 64u << 20);
  EXPECT_TRUE(c.cold_bytes_from_llc(1));
  EXPECT_EQ(c.cold_bytes(2), 256u << 20);  // its own knee ends above: kept
  EXPECT_FALSE(c.cold_bytes_from_llc(2));
  EXPECT_EQ(calibration_from_json(to_json(c)).llc_bytes, 32u << 20);

  const nlohmann::json caches = nlohmann::json::parse(R"([
      {"level": 2, "kind": "unified", "count": 16, "size_bytes": 2097152},
      {"level": 3, "kind": "unified", "count": 2, "size_bytes": 33554432},
      {"level": 1, "kind": "data", "count": 16, "size_bytes": 49152}])");
  EXPECT_EQ(llc_bytes_of(caches), 64u << 20);
  EXPECT_EQ(llc_bytes_of(nlohmann::json::array()), 0u);
  EXPECT_EQ(llc_bytes_of(nlohmann::json::parse(R"([{"level": "3", "count": 1, "size_bytes": 9}])")), 0u);
  // A file written before llc_bytes: taken from the topology recorded beside it.
  nlohmann::json old = to_json(c);
  old.erase("llc_bytes");
  old["machine"] = {{"topology", {{"caches", caches}}}};
  EXPECT_EQ(calibration_from_json(old).cold_bytes(1), 128u << 20);
  old.erase("machine");
  EXPECT_EQ(calibration_from_json(old).cold_bytes(1), 65536u);
}

TEST(KneeFinder, SlowDeclineIsNotAKnee) {
  // 6.5 % per x sqrt(2) step from 64 MiB to 1 GiB (105 -> 63 GB/s): no cache edge.
  std::vector<double> g = {105};
  for (int i = 0; i < 8; ++i) g.push_back(g.back() / 1.065);
  EXPECT_TRUE(find_knees(curve(2, 64u << 20, g, std::sqrt(2.0)), 2).empty());
}

TEST(KneeFinder, NoiseAndSmallDropsAreNotKnees) {
  // +-4 % noise and a 1.18x step: below the 1.3x threshold.
  const auto c = curve(1, 32768, {100, 103, 97, 101, 99, 84, 85, 83, 86, 84});
  EXPECT_TRUE(find_knees(c, 1).empty());
  KneeOptions o;
  o.threshold = 1.15;
  const auto k = find_knees(c, 1, o);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].bytes, c[4].bytes);
  EXPECT_EQ(k[0].end_bytes, c[5].bytes);
}

TEST(KneeFinder, ALevelStepEndsADescent) {
  // 200 -> 150 (1.33x), a level step, 152 -> 110 (1.38x): two knees, not one of 1.8x.
  const auto c = curve(1, 4096, {200, 150, 152, 110, 108});
  const auto k = find_knees(c, 1);
  ASSERT_EQ(k.size(), 2u);
  EXPECT_EQ(k[0].bytes, c[0].bytes);
  EXPECT_EQ(k[0].end_bytes, c[1].bytes);
  EXPECT_EQ(k[1].bytes, c[2].bytes);
  EXPECT_EQ(k[1].end_bytes, c[3].bytes);
}

TEST(KneeFinder, ADropThatReboundsIsNoise) {
  // 300 -> 150 looks like a knee, but 290 comes back later: noise. 290 -> 100 is real.
  const auto c = curve(1, 4096, {300, 150, 290, 295, 100, 98});
  const auto k = find_knees(c, 1);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].bytes, c[3].bytes);
  EXPECT_EQ(k[0].end_bytes, c[4].bytes);
}

TEST(KneeFinder, ADropAtTheLargestSizeIsUnconfirmed) {
  // Measured here under load: one slow repetition at the largest size.
  const auto c = curve(1, 64u << 20, {16.0, 24.4, 25.0, 24.4, 10.9});
  EXPECT_TRUE(find_knees(c, 1).empty());
  // The same drop with a next size that confirms it is a knee.
  auto d = c;
  d.push_back({d.back().bytes * 2, 1, 11.2, 0});
  EXPECT_EQ(find_knees(d, 1).size(), 1u);
}

TEST(KneeFinder, UnsortedInputAndTooFewPoints) {
  auto c = curve(1, 4096, {100, 100, 40, 40});
  std::swap(c[0], c[3]);
  const auto k = find_knees(c, 1);
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].bytes, 8192u);
  EXPECT_TRUE(find_knees(curve(1, 4096, {100}), 1).empty());
}

TEST(Calibration, SizeGrid) {
  const auto s = calibration_sizes(32ull << 10, 1ull << 30, std::sqrt(2.0));
  ASSERT_EQ(s.size(), 31u);
  EXPECT_EQ(s.front(), 32768u);
  EXPECT_EQ(s[1], 45056u);  // 46341 rounded down to 4 KiB
  EXPECT_EQ(s.back(), 1ull << 30);
  for (size_t i = 1; i < s.size(); ++i) {
    EXPECT_GT(s[i], s[i - 1]);
    EXPECT_EQ(s[i] % kSizeUnit, 0u);
  }
  EXPECT_EQ(calibration_sizes(32ull << 10, 256ull << 20, 2).size(), 14u);
  EXPECT_FALSE(amxlab::testing::error_of([] { calibration_sizes(1024, 1 << 20, 2); }).empty());
}

TEST(PinnedWorkers, EveryWorkerRunsOnItsCpu) {
  const auto cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  const int n = static_cast<int>(std::min<size_t>(cpus.size(), 2));
  PinnedWorkers w(n);
  std::vector<int> where(static_cast<size_t>(n), -1);
  for (int round = 0; round < 50; ++round) {
    w.run([&](int i) { where[static_cast<size_t>(i)] = sched_getcpu(); });
    for (int i = 0; i < n; ++i) ASSERT_EQ(where[static_cast<size_t>(i)], w.cpus()[static_cast<size_t>(i)]);
  }
  EXPECT_THROW(w.run([](int i) {
    if (i == 0) throw std::runtime_error("worker failure");
  }),
               std::runtime_error);
  std::atomic<int> count{0};
  w.run([&](int) { ++count; });  // still usable after an exception
  EXPECT_EQ(count.load(), n);
}

TEST(Calibration, TinyRealRunGivesPositiveNumbers) {
  CalibrateOptions o;
  o.threads = {1};
  if (allowed_cpus().size() > 1) o.threads.push_back(2);
  o.quick = true;
  o.max_bytes = 2ull << 20;
  o.repetitions = 2;
  o.min_time_s = 0.005;
  int progress_lines = 0;
  o.progress = [&](const std::string&) { ++progress_lines; };
  const Calibration c = run_calibration(o);
  EXPECT_EQ(c.threads, o.threads);
  ASSERT_EQ(c.peaks.size(), o.threads.size());
  for (const auto& p : c.peaks) {
    for (const PeakFigure* f : {&p.peak_int8_gops, &p.peak_bf16_gflops, &p.peak_fp32_gflops}) {
      if (f->present) {
        EXPECT_GT(f->value, 0.0) << f->isa;
        EXPECT_TRUE(std::isfinite(f->value));
      } else {
        EXPECT_FALSE(f->absent_reason.empty()) << f->isa;
      }
    }
  }
  const CpuFeatures& f = cpu_features();
  EXPECT_EQ(c.peaks[0].peak_int8_gops.present, f.avx512f && f.avx512vnni);
  // The golden-mix ceilings wherever their loops can run (values: no speed asserted): six
  // with VPDPBUSD, nine with the plain AVX2 dot (block32_signed, k32_min_g8 and k16_g4
  // besides), each naming
  // the types it bounds, every quantised type once.
  const bool zmm = f.avx512f && f.avx512bw && f.avx512vnni;
  EXPECT_EQ(c.peaks[0].format_ceilings.size(), zmm ? 6u : f.avx2 && f.fma ? 9u : 0u);
  if (!c.peaks[0].format_ceilings.empty()) {
    std::string all;
    for (const auto& fc : c.peaks[0].format_ceilings) all += fc.types + " ";
    EXPECT_EQ(all, zmm ? "q4_0 q8_0 iq4_nl q4_1 q4_K q5_K iq4_xs q2_K q3_K q6_K "
                       : "q4_0 q4_1 q8_0 iq4_nl q4_K q5_K iq4_xs q2_K q3_K q6_K ");
  }
  for (const auto& p : c.peaks) {
    for (const auto& fc : p.format_ceilings) {
      EXPECT_TRUE(fc.gops.present) << fc.mix;
      EXPECT_GT(fc.gops.value, 0.0) << fc.mix;
    }
  }
  EXPECT_EQ(c.peaks[0].peak_bf16_gflops.present, f.avx512f && f.avx512bf16);
  if (f.avx2) {
    ASSERT_FALSE(c.bandwidth.empty());
    for (const auto& p : c.bandwidth) {
      EXPECT_GT(p.gbps, 0.0);
      EXPECT_TRUE(std::isfinite(p.gbps));
      EXPECT_LE(p.bytes, o.max_bytes);
    }
    EXPECT_GT(c.bandwidth_at(1 << 20, 1), 0.0);
  }
  EXPECT_GT(progress_lines, 0);
  // The result survives the JSON round trip.
  EXPECT_EQ(to_json(calibration_from_json(to_json(c))), to_json(c));
  EXPECT_FALSE(format_table(c).empty());
}

}  // namespace
}  // namespace amxlab::calibrate
