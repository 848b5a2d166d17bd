// `amxlab calibrate`: the rooflines every speed figure is compared against, measured on
// this machine in this run (DESIGN.md "Measuring speed"): compute peaks per thread
// count, the read-bandwidth curve over working-set sizes, and the cache knees found
// in that curve by measurement (never from CPUID: VMs report caches that do not exist,
// e.g. a 508 MiB L3 here). Every timing goes through harness/timing (Google Benchmark).
//
// Peaks (register-only throughput loops, harness/calibrate/loops.h, each thread runs
// the same loop pinned to its own CPU):
//   int8  — vpdpbusd zmm,   ops  = 2 x multiply-adds (128 per instruction)
//   bf16  — vdpbf16ps zmm,  FLOPs = 2 x multiply-adds (64 per instruction)
//   fp32  — vfmadd231ps zmm (ymm with AVX2 only), FLOPs = 2 x FMAs
// A peak whose ISA cpu_features() does not report is absent, with the reason.
//
// Bandwidth: a buffer of `bytes` (mmap, transparent huge pages advised, first touched by
// the thread that reads it) is split into `threads` disjoint contiguous parts; each
// pinned thread reads its part with aligned vector loads summed into registers, many
// passes per timed iteration for small sizes. gbps = bytes read / time / 1e9.
//
// Knees (find_knees): a knee is a size range over which the bandwidth falls by at least
// `threshold` (default 1.3x). The curve (median GB/s per size) is walked in ascending
// size; a *descent* is a maximal run of adjacent steps each falling by more than
// `step_drop` (default 10 %: above the step-to-step noise of these VMs, below the drop
// of a cache edge measured with x sqrt(2) steps; a slow decline of a few % per step,
// as DRAM bandwidth shows beyond the last cache, is no knee). Descents whose total drop
// gbps(first) / gbps(last) is at least `threshold` are knees if the next larger size
// confirms the drop (also `threshold` below the upper level; so a descent ending at the
// largest size measured is never a knee) and no larger size later comes back to within
// `step_drop` of the descent's upper level (bandwidth does not rise
// again once a cache has run out, so such a descent was noise, e.g. a preempted
// measurement; on these shared 2-core VMs that happens). `bytes` is the last size at the
// upper level (an estimate of the capacity of the cache that ran out), `end_bytes` the
// first size at the lower level (from there on the data really comes from the next
// level). Calibration::cold_bytes() is the end_bytes of the last knee.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace amxlab::calibrate {

struct PeakFigure {
  bool present = false;
  double value = 0;           // GOPS or GFLOPS, median over repetitions
  double cv = 0;              // of the timing
  std::string isa;            // what was measured, e.g. "avx512_vnni vpdpbusd zmm"
  std::string absent_reason;  // when !present
};

// A block format's ceiling: the throughput (GOPS, 2 per multiply-add of the GEMM) of the
// instruction mix its golden order makes unavoidable per block (loops.h FormatMix), on
// register data. Any GEMM of those types is at most this fast on this core.
struct FormatCeiling {
  std::string mix;    // loops.h FormatMix: "block32", "block32_min", "k32_min", "k32", "k16_min", "k16", ...
  std::string types;  // the weight types it bounds, e.g. "q8_0 q4_0 iq4_nl"
  PeakFigure gops;
};

struct ThreadPeaks {
  int threads = 0;
  PeakFigure peak_int8_gops;
  PeakFigure peak_bf16_gflops;
  PeakFigure peak_fp32_gflops;
  std::vector<FormatCeiling> format_ceilings;  // empty in calibrations made before issue #11
};

// The mix of a quantised weight type ("" for the others): with VPDPBUSD (AVX-512 VNNI,
// the loops of loops_format_mix.cpp) Q8_0 and IQ4_NL share Q4_0's block32; with the plain
// AVX2 dot (loops_format_mix_avx2.cpp) their codes + 128 take the signed dot,
// block32_signed, and Q4_K and Q3_K have their own mixes (k32_min_g8, k16_g4: their
// narrower codes keep longer int16 groups than Q5_K's and Q6_K's). The one-argument form
// answers for the loops this CPU runs.
std::string format_mix_of(const std::string& weight_type, bool vpdpbusd);
std::string format_mix_of(const std::string& weight_type);
// The ceiling of a weight type in `p`: the measured one whose `types` name it (null when
// absent). By the types the calibration recorded, so a calibration made on either kind
// of CPU answers for its own loops.
const FormatCeiling* format_ceiling(const ThreadPeaks& p, const std::string& weight_type);

// Why the golden-mix loops cannot run here ("" when they can: AVX-512F/BW and VNNI, or
// AVX2 and FMA).
std::string format_mix_unavailable();
// One call of the golden-mix loop named `mix` (a FormatCeiling::mix of this CPU's loops)
// on the calling thread, as many multiply-adds as one call of the calibration's
// (milliseconds here); returns the multiply-adds done. For a ceiling timed on the case's
// own workers (RunOptions::paired_ceiling_rounds). Throws amxlab::Error for a mix this
// CPU's loops do not have or when format_mix_unavailable() says why not.
double run_format_mix(const std::string& mix, float seed);

// The read loop over a buffer shared by `workers` workers of some pool: worker w reads
// its own share (bytes / workers, rounded down to 512), which it first touches itself
// (touch(w), non-zero bytes: an untouched page reads as the shared zero page); huge
// pages advised. The calibration's bandwidth sweep reads through it, and so does a read
// roofline timed on a case's own workers (RunOptions::paired_roofline_rounds). Throws
// amxlab::Error when the CPU has neither AVX-512F nor AVX2, or a share would be under
// 512 bytes.
class ReadBuffer {
 public:
  ReadBuffer(uint64_t bytes, int workers);
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;
  uint64_t share() const { return share_; }
  void touch(int worker);
  // Reads the worker's share `passes` times; returns the bytes read.
  double read(int worker, int64_t passes);

 private:
  struct Mapping;
  std::unique_ptr<Mapping> map_;
  uint64_t share_ = 0;
  int workers_ = 0;
};

struct BandwidthPoint {
  uint64_t bytes = 0;  // total working set, all threads together
  int threads = 0;
  double gbps = 0;  // median
  double cv = 0;
};

struct Knee {
  int threads = 0;
  uint64_t bytes = 0;      // last size at the upper bandwidth level
  uint64_t end_bytes = 0;  // first size at the lower level
  double gbps_before = 0;
  double gbps_after = 0;
  double drop = 0;  // gbps_before / gbps_after
};

struct KneeOptions {
  double threshold = 1.3;   // minimum total drop of a knee
  double step_drop = 0.10;  // a step falling by more than this fraction is part of a descent
};

struct Calibration {
  std::vector<int> threads;
  std::vector<ThreadPeaks> peaks;         // one per thread count
  std::vector<BandwidthPoint> bandwidth;  // ascending bytes within each thread count
  std::vector<Knee> knees;                // ascending bytes within each thread count

  // How it was measured (recorded, not used by the queries below).
  bool quick = false;
  std::string cpu;
  std::string read_isa;  // "avx512f zmm loads" / "avx2 ymm loads"
  int repetitions = 0;
  double min_time_s = 0;
  KneeOptions knee_options;
  std::string knee_method;
  std::vector<std::string> notes;
  // The last-level cache the machine reports, all instances together (0: unknown). A
  // curve that stops below it, or whose last knee is a higher level's, must not make a
  // cold working set that fits in it (cold_bytes).
  uint64_t llc_bytes = 0;

  // Read bandwidth (GB/s) at a working set of `bytes` with `threads` threads: linear
  // interpolation in log2(bytes) between the two measured neighbours, clamped to the
  // measured range. Throws amxlab::Error when that thread count was not measured.
  double bandwidth_at(double bytes, int threads) const;
  // The peaks of a thread count (amxlab::Error when not measured).
  const ThreadPeaks& peaks_for(int threads) const;
  // Buffers totalling more than this are out of every cache: end_bytes of the largest
  // knee of `threads` (of any thread count when `threads` was not measured), and at least
  // twice llc_bytes; 0 when neither is known.
  uint64_t cold_bytes(int threads) const;
  // Whether cold_bytes(threads) is twice llc_bytes rather than a knee of the curve.
  bool cold_bytes_from_llc(int threads) const;
};

// The reported last-level cache from a topology's "caches" array (machine_info(): level,
// count, size_bytes): the highest level's size x count; 0 when absent or malformed.
uint64_t llc_bytes_of(const nlohmann::json& caches);

nlohmann::json to_json(const Calibration& c);
// Throws amxlab::Error naming the missing or malformed field.
Calibration calibration_from_json(const nlohmann::json& j);
// nlohmann ADL hooks (j = c; j.get<Calibration>()).
void to_json(nlohmann::json& j, const Calibration& c);
void from_json(const nlohmann::json& j, Calibration& c);

// The knees of one thread count's curve (points of other thread counts are ignored).
std::vector<Knee> find_knees(const std::vector<BandwidthPoint>& curve, int threads,
                             const KneeOptions& o = {});
// One line describing find_knees' method and options (recorded in the JSON).
std::string knee_method_text(const KneeOptions& o);

struct CalibrateOptions {
  std::vector<int> threads;  // empty: {1, number of allowed CPUs} (deduplicated)
  uint64_t min_bytes = 32ull << 10;
  uint64_t max_bytes = 0;  // 0: 1 GiB, or 256 MiB when quick
  double size_step = 0;    // 0: sqrt(2), or 2 when quick
  bool quick = false;      // fewer sizes, shorter timings: < 30 s on 2 cores
  int repetitions = 0;     // 0: 5, or 3 when quick
  double min_time_s = 0;   // 0: 0.1, or 0.03 when quick
  bool peaks = true;       // measure the compute peaks
  bool bandwidth = true;   // measure the bandwidth curve
  KneeOptions knees;
  // Called after each measurement with a one-line description (progress output).
  std::function<void(const std::string&)> progress;
};

// The nominal working-set sizes a run measures: min_bytes, then x step up to max_bytes
// (inclusive when hit), each rounded down to a multiple of kSizeUnit. With T threads each
// thread reads floor(size / T) rounded down to 512 bytes; the point records what was read.
inline constexpr uint64_t kSizeUnit = 4096;
std::vector<uint64_t> calibration_sizes(uint64_t min_bytes, uint64_t max_bytes, double step);

Calibration run_calibration(const CalibrateOptions& o);
// The checks run_calibration makes on `o` before measuring (amxlab::Error), on their own:
// a command can refuse bad options before it prints that it is measuring.
void check_options(const CalibrateOptions& o);

// Human-readable table: peaks per thread count, the bandwidth curve, the knees.
std::string format_table(const Calibration& c);

}  // namespace amxlab::calibrate
