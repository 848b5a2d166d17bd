// run_calibration(): the measurements behind `amxlab calibrate`.
#include <fmt/core.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <span>

#include "harness/calibrate/calibration.h"
#include "harness/calibrate/loops.h"
#include "harness/calibrate/pinned_workers.h"
#include "harness/timing/timing.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/core/qtype.h"

namespace amxlab::calibrate {
namespace {

// Results of the loops land here so that no loop is optimised away.
std::atomic<uint64_t> g_sink{0};

// Anonymous mapping, transparent huge pages advised (fewer TLB misses in the large
// working sets; where THP is off the advice is a no-op).
class Buffer {
 public:
  explicit Buffer(size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      throw Error("calibrate: cannot map a " + std::to_string(bytes) +
                  "-byte buffer: " + std::strerror(errno));
    p_ = p;
    if (bytes >= (2u << 20)) madvise(p_, bytes, MADV_HUGEPAGE);
  }
  ~Buffer() { munmap(p_, bytes_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  unsigned char* data() const { return static_cast<unsigned char*>(p_); }

 private:
  void* p_ = nullptr;
  size_t bytes_ = 0;
};

// Compute-loop iterations per thread and timed call of a full calibration (--quick: half).
constexpr int64_t kFullComputeIterations = int64_t{1} << 21;

struct Plan {
  std::vector<int> threads;
  uint64_t min_bytes, max_bytes;
  double step;
  timing::TimingOptions timing;
  uint64_t bytes_per_thread_per_iteration;  // bandwidth: read at least this much per timed call
  int64_t compute_iterations;               // peaks: loop iterations per thread per timed call
};

Plan plan_of(const CalibrateOptions& o) {
  Plan p;
  p.threads = o.threads;
  if (p.threads.empty()) {
    const int cpus = static_cast<int>(allowed_cpus().size());
    p.threads = {1};
    if (cpus > 1) p.threads.push_back(cpus);
  }
  std::vector<int> dedup;
  for (int t : p.threads) {
    require(t >= 1 && t <= 4096, "calibrate: thread count " + std::to_string(t) + " is out of range");
    if (std::find(dedup.begin(), dedup.end(), t) == dedup.end()) dedup.push_back(t);
  }
  p.threads = dedup;
  p.min_bytes = o.min_bytes;
  p.max_bytes = o.max_bytes ? o.max_bytes : (o.quick ? 256ull << 20 : 1ull << 30);
  p.step = o.size_step > 0 ? o.size_step : (o.quick ? 2.0 : std::sqrt(2.0));
  require(p.step > 1.0, "calibrate: the size step must be > 1");
  require(p.min_bytes >= kSizeUnit, "calibrate: the smallest working set must be at least " +
                                        std::to_string(kSizeUnit) + " bytes (got " +
                                        std::to_string(p.min_bytes) + ")");
  require(p.max_bytes >= p.min_bytes, "calibrate: --max-bytes " + std::to_string(p.max_bytes) +
                                          " is below the smallest working set measured, " +
                                          std::to_string(p.min_bytes) + " bytes");
  const int max_threads = *std::max_element(p.threads.begin(), p.threads.end());
  require(p.min_bytes >= 512ull * static_cast<uint64_t>(max_threads),
          "calibrate: min_bytes must give every thread at least 512 bytes");
  p.timing.repetitions = o.repetitions > 0 ? o.repetitions : (o.quick ? 3 : 5);
  p.timing.min_time_s = o.min_time_s > 0 ? o.min_time_s : (o.quick ? 0.03 : 0.1);
  // Work per timed call: milliseconds, so that waking the pinned workers (10-40 us on
  // these VMs) costs at most a few percent.
  p.bytes_per_thread_per_iteration = o.quick ? 256ull << 20 : 512ull << 20;
  p.compute_iterations = o.quick ? kFullComputeIterations / 2 : kFullComputeIterations;
  return p;
}

using ComputeLoop = double (*)(int64_t iterations, float seed);

PeakFigure measure_peak(PinnedWorkers& w, const std::string& name, const std::string& isa, ComputeLoop loop,
                        double ops_per_instruction, const Plan& plan) {
  PeakFigure f;
  f.isa = isa;
  const int64_t iters = plan.compute_iterations;
  const auto body = [&](int64_t) {
    w.run([&](int i) {
      const double r = loop(iters, 1.0f + static_cast<float>(i) / 64.0f);
      g_sink.fetch_add(static_cast<uint64_t>(r >= 0 ? 1 : 2), std::memory_order_relaxed);
    });
  };
  const timing::TimingResult t = timing::time_function(name, body, plan.timing);
  const double ops = static_cast<double>(w.size()) * static_cast<double>(iters) *
                     static_cast<double>(loops::kInstructionsPerIteration) * ops_per_instruction;
  f.present = true;
  f.value = ops / t.median_s / 1e9;
  f.cv = t.cv;
  return f;
}

double vnni_as_double(int64_t iterations, float seed) {
  return static_cast<double>(
      loops::vnni_dpbusd_zmm(iterations, static_cast<int32_t>(seed * 16.0f) | 0x01010101));
}

template <loops::FormatMix M>
double zmm_mix_loop(int64_t iterations, float seed) {
  return loops::format_mix_zmm(M, iterations, seed);
}
template <loops::FormatMix M>
double ymm_mix_loop(int64_t iterations, float seed) {
  return loops::format_mix_ymm(M, iterations, seed);
}

struct Mix {
  loops::FormatMix mix;
  const char* name;  // as format_mix_of() names it
  ComputeLoop loop;
  double macs_per_iteration;
};
template <loops::FormatMix M>
constexpr Mix zmm_mix(const char* name) {
  return {M, name, &zmm_mix_loop<M>, loops::format_mix_macs_per_iteration(M)};
}
template <loops::FormatMix M>
constexpr Mix ymm_mix(const char* name) {
  return {M, name, &ymm_mix_loop<M>, loops::format_mix_ymm_macs_per_iteration(M)};
}
using FM = loops::FormatMix;
// With AVX-512 VNNI: VPDPBUSD takes Q8_0's and IQ4_NL's codes as Q4_0's (block32).
constexpr Mix kZmmMixes[] = {
    zmm_mix<FM::block32>("block32"), zmm_mix<FM::block32_min>("block32_min"), zmm_mix<FM::k32_min>("k32_min"),
    zmm_mix<FM::k32>("k32"),         zmm_mix<FM::k16_min>("k16_min"),         zmm_mix<FM::k16>("k16"),
};
// Plain AVX2: block32_signed, k32_min_g8 and k16_g4 besides.
constexpr Mix kYmmMixes[] = {
    ymm_mix<FM::block32>("block32"),
    ymm_mix<FM::block32_min>("block32_min"),
    ymm_mix<FM::block32_signed>("block32_signed"),
    ymm_mix<FM::k32_min_g8>("k32_min_g8"),
    ymm_mix<FM::k32_min>("k32_min"),
    ymm_mix<FM::k32>("k32"),
    ymm_mix<FM::k16_min>("k16_min"),
    ymm_mix<FM::k16_g4>("k16_g4"),
    ymm_mix<FM::k16>("k16"),
};

bool has_zmm_mixes() {
  const CpuFeatures& f = cpu_features();
  return f.avx512f && f.avx512bw && f.avx512vnni;
}
// The golden-mix loops this CPU runs: the AVX-512 VNNI ones where it has them, else the
// plain AVX2 ones (empty without AVX2 and FMA).
std::span<const Mix> mixes_here() {
  const CpuFeatures& f = cpu_features();
  if (has_zmm_mixes()) return kZmmMixes;
  if (f.avx2 && f.fma) return kYmmMixes;
  return {};
}

// Loop iterations of a mix per timed call: as many multiply-adds as the VPDPBUSD peak
// loop's 1024 per iteration, milliseconds per call. With an eighth of them (as until
// 2026-11-29) a call took ~0.6 ms, and waking the pinned workers (10-40 us here) took
// 2-6 % off every ceiling.
int64_t mix_iterations(const Mix& m, int64_t compute_iterations) {
  return static_cast<int64_t>(static_cast<double>(compute_iterations) * 1024.0 / m.macs_per_iteration);
}

ThreadPeaks measure_peaks(PinnedWorkers& w, const Plan& plan) {
  const CpuFeatures& f = cpu_features();
  ThreadPeaks p;
  p.threads = w.size();
  const std::string tag = "calibrate/peak/" + std::to_string(w.size()) + "thr/";
  if (f.avx512f && f.avx512vnni) {
    p.peak_int8_gops = measure_peak(w, tag + "int8", "avx512_vnni vpdpbusd zmm", vnni_as_double, 128, plan);
  } else {
    p.peak_int8_gops.isa = "avx512_vnni vpdpbusd zmm";
    p.peak_int8_gops.absent_reason = "CPU (or OS) does not report AVX512-VNNI";
  }
  const bool zmm = has_zmm_mixes();
  for (const Mix& m : mixes_here()) {
    std::string types;  // the weight types this mix bounds
    for (QType t : kAllQTypes) {
      if (format_mix_of(name(t), zmm) == m.name) types += std::string(types.empty() ? "" : " ") + name(t);
    }
    // measure_peak counts kInstructionsPerIteration "instructions" per iteration: give each
    // 2 x the mix's multiply-adds / that many ops.
    const double ops = 2.0 * m.macs_per_iteration / static_cast<double>(loops::kInstructionsPerIteration);
    Plan mine = plan;
    mine.compute_iterations = mix_iterations(m, plan.compute_iterations);
    const std::string what = std::string("golden mix ") + m.name + (zmm ? "" : " (avx2 vpmaddubsw ymm)");
    p.format_ceilings.push_back(
        {m.name, types, measure_peak(w, tag + "format/" + m.name, what, m.loop, ops, mine)});
  }
  if (f.avx512f && f.avx512bf16) {
    p.peak_bf16_gflops =
        measure_peak(w, tag + "bf16", "avx512_bf16 vdpbf16ps zmm", loops::bf16_dpbf16ps_zmm, 64, plan);
  } else {
    p.peak_bf16_gflops.isa = "avx512_bf16 vdpbf16ps zmm";
    p.peak_bf16_gflops.absent_reason = "CPU (or OS) does not report AVX512-BF16";
  }
  if (f.avx512f) {
    p.peak_fp32_gflops =
        measure_peak(w, tag + "fp32", "avx512f vfmadd231ps zmm", loops::fp32_fma_zmm, 32, plan);
  } else if (f.avx2 && f.fma) {
    p.peak_fp32_gflops = measure_peak(w, tag + "fp32", "avx2 vfmadd231ps ymm", loops::fp32_fma_ymm, 16, plan);
  } else {
    p.peak_fp32_gflops.isa = "vfmadd231ps";
    p.peak_fp32_gflops.absent_reason = "CPU (or OS) reports neither AVX-512F nor AVX2+FMA";
  }
  return p;
}

using ReadLoop = uint64_t (*)(const void* p, size_t bytes, int64_t passes);

// The read loop this CPU runs and what it is called; a null loop without AVX-512F or AVX2.
struct ReadLoopChoice {
  ReadLoop loop;
  const char* isa;
};
ReadLoopChoice read_loop_choice() {
  const CpuFeatures& f = cpu_features();
  if (f.avx512f) return {loops::read_zmm, "avx512f zmm loads"};
  if (f.avx2) return {loops::read_ymm, "avx2 ymm loads"};
  return {nullptr, nullptr};
}

BandwidthPoint measure_bandwidth(PinnedWorkers& w, uint64_t bytes, const Plan& plan) {
  const int nt = w.size();
  ReadBuffer buf(bytes, nt);
  w.run([&](int i) { buf.touch(i); });  // each share by the thread that reads it
  const uint64_t target = plan.bytes_per_thread_per_iteration;
  const int64_t passes =
      static_cast<int64_t>(std::max<uint64_t>(1, (target + buf.share() - 1) / buf.share()));
  const auto body = [&](int64_t) { w.run([&](int i) { buf.read(i, passes); }); };
  const timing::TimingResult t = timing::time_function(
      "calibrate/read/" + std::to_string(nt) + "thr/" + std::to_string(bytes), body, plan.timing);
  BandwidthPoint p;
  p.bytes = buf.share() * static_cast<uint64_t>(nt);
  p.threads = nt;
  p.gbps = static_cast<double>(p.bytes) * static_cast<double>(passes) / t.median_s / 1e9;
  p.cv = t.cv;
  return p;
}

std::string mib(uint64_t b) {
  return fmt::format("{:.3g} MiB", static_cast<double>(b) / (1 << 20));
}

}  // namespace

std::string format_mix_of(const std::string& weight_type) {
  return format_mix_of(weight_type, has_zmm_mixes());
}

std::string format_mix_unavailable() {
  return mixes_here().empty() ? "the golden-mix loops need AVX-512F/BW and VNNI, or AVX2 and FMA" : "";
}

double run_format_mix(const std::string& mix, float seed) {
  const std::string why = format_mix_unavailable();
  require(why.empty(), "format mix " + mix + ": " + why);
  for (const Mix& m : mixes_here()) {
    if (mix != m.name) continue;
    const int64_t iters = mix_iterations(m, kFullComputeIterations);
    g_sink.fetch_add(m.loop(iters, seed) >= 0 ? 1 : 2, std::memory_order_relaxed);
    return static_cast<double>(iters) * m.macs_per_iteration;
  }
  throw Error("no format mix named " + mix + " on this CPU");
}

struct ReadBuffer::Mapping {
  Buffer buffer;
  ReadLoop read;
};

ReadBuffer::ReadBuffer(uint64_t bytes, int workers) : workers_(workers) {
  const ReadLoop loop = read_loop_choice().loop;
  require(loop != nullptr, "read loop: the CPU has neither AVX-512F nor AVX2");
  require(workers >= 1, "read loop: need at least one worker");
  share_ = bytes / static_cast<uint64_t>(workers) / 512 * 512;
  require(share_ >= 512, "read loop: " + std::to_string(bytes) + " bytes give a worker less than 512");
  // Buffer cannot move: built in place.
  map_.reset(new Mapping{Buffer(static_cast<size_t>(share_) * static_cast<size_t>(workers)), loop});
}
ReadBuffer::~ReadBuffer() = default;

void ReadBuffer::touch(int worker) {
  require(worker >= 0 && worker < workers_, "read loop: no worker " + std::to_string(worker));
  // Non-zero bytes: an untouched page would read as the shared zero page, always in cache.
  std::memset(map_->buffer.data() + static_cast<size_t>(worker) * share_, 0x5a, share_);
}

double ReadBuffer::read(int worker, int64_t passes) {
  require(worker >= 0 && worker < workers_, "read loop: no worker " + std::to_string(worker));
  const uint64_t r = map_->read(map_->buffer.data() + static_cast<size_t>(worker) * share_, share_, passes);
  g_sink.fetch_add(r & 1, std::memory_order_relaxed);
  return static_cast<double>(share_) * static_cast<double>(passes);
}

void check_options(const CalibrateOptions& o) {
  (void)plan_of(o);
}

Calibration run_calibration(const CalibrateOptions& o) {
  const Plan plan = plan_of(o);
  const CpuFeatures& f = cpu_features();
  Calibration c;
  c.threads = plan.threads;
  c.quick = o.quick;
  c.cpu = f.model_name;
  c.repetitions = plan.timing.repetitions;
  c.min_time_s = plan.timing.min_time_s;
  c.knee_options = o.knees;
  c.knee_method = knee_method_text(o.knees);
  const auto progress = [&](const std::string& line) {
    if (o.progress) o.progress(line);
  };

  const ReadLoopChoice read = read_loop_choice();
  if (read.loop != nullptr) {
    c.read_isa = read.isa;
  } else if (o.bandwidth) {
    c.notes.push_back("bandwidth not measured: the read loop needs AVX2 or AVX-512F");
  }
  const int cpus = static_cast<int>(allowed_cpus().size());

  for (int nt : plan.threads) {
    PinnedWorkers w(nt);
    if (w.oversubscribed()) {
      c.notes.push_back(
          fmt::format("{} threads on {} allowed CPUs: oversubscribed, figures are not peaks", nt, cpus));
    }
    if (o.peaks) {
      ThreadPeaks p = measure_peaks(w, plan);
      const auto show = [](const PeakFigure& x) {
        return x.present ? fmt::format("{:.1f}", x.value) : "absent";
      };
      progress(fmt::format("peaks {} thr: int8 {} GOPS, bf16 {} GFLOPS, fp32 {} GFLOPS", nt,
                           show(p.peak_int8_gops), show(p.peak_bf16_gflops), show(p.peak_fp32_gflops)));
      for (const auto& fc : p.format_ceilings)
        progress(fmt::format("format ceiling {} thr {} ({}): {} GOPS", nt, fc.mix, fc.types, show(fc.gops)));
      c.peaks.push_back(p);
    }
    if (o.bandwidth && read.loop != nullptr) {
      for (uint64_t bytes : calibration_sizes(plan.min_bytes, plan.max_bytes, plan.step)) {
        const BandwidthPoint p = measure_bandwidth(w, bytes, plan);
        progress(fmt::format("read {} thr {:>10}: {:.1f} GB/s (cv {:.1f}%)", nt, mib(p.bytes), p.gbps,
                             p.cv * 100));
        c.bandwidth.push_back(p);
      }
      const std::vector<Knee> k = find_knees(c.bandwidth, nt, o.knees);
      c.knees.insert(c.knees.end(), k.begin(), k.end());
    }
  }
  return c;
}

}  // namespace amxlab::calibrate
