// bench_call_overhead: where a small GEMV call spends its time, and the pool's hand-off
// (not a test; kernels/README.md "Per-call overhead" reports what it measured).
//
//   parts/<shape>/<piece>  one piece of a call alone: the activation quantiser (its
//                          Inf/NaN scan included), the kernel on the whole output
//                          (argument checks, per-row terms, the dot products),
//                          quantize_parallel, run_gemm, the whole call; each on a pool
//                          of 1 and 2 with the caller bound (as the harness times it);
//   parts/<shape>/onednn_u8s8s32   oneDNN's matmul of the same shape, same run;
//   shares/<shape>/together        each worker's slice inside a 2-worker call, timed by
//                          the worker itself (counters start<w>_us: when it began after
//                          the call did; slice<w>_us: how long it took), activations
//                          quantised beforehand; /caller_alone: the same two slices run
//                          one after the other by the caller. Whether a 2-thread call
//                          loses in the kernel's split or around it;
//   handoff/spin:<us>/gap:<us>     an empty for_each_worker on a pool of 2 whose worker
//                          spins <us> before it sleeps, called every <gap> us: the
//                          cost of a hand-off to a spinning vs a sleeping worker, from
//                          which the default spin budget is chosen (thread_pool.cpp).
// Run with OMP_WAIT_POLICY=passive (oneDNN's idle OpenMP threads must not spin).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/formats.h"
#include "kernels/dispatch.h"
#include "kernels/registry.h"
#include "reference/onednn/matmul.h"
#include "reference/onednn/runtime.h"
#include "tests/kernels/bench_main.h"

namespace {

using namespace amxlab;

struct Shape {
  QType type;
  int64_t m, n, k;
  std::string label() const {
    return std::string(name(type)) + "_m" + std::to_string(m) + "n" + std::to_string(n) + "k" +
           std::to_string(k);
  }
};

struct Data {
  const KernelDesc* kd = nullptr;
  std::unique_ptr<PackedWeights> w;
  std::vector<float> a;
  std::vector<std::byte> aq;
  std::vector<float> y;

  ActivationView activations(const Shape& s) const {
    return {kd->act_type, aq.data(), row_bytes(kd->act_type, s.k), s.m, s.k};
  }
  OutputView output(const Shape& s) { return {y.data(), static_cast<size_t>(s.n), s.m, s.n}; }
};

Data make(const Shape& s) {
  Data d;
  d.kd = &choose_kernel(s.type, s.m);
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> wf(static_cast<size_t>(s.n * s.k));
  for (auto& v : wf) v = normal(rng);
  std::vector<std::byte> gguf(row_bytes(s.type, s.k) * static_cast<size_t>(s.n));
  quantize_weights(s.type, wf, s.n, s.k, gguf);
  d.w = std::make_unique<PackedWeights>(d.kd->pack(s.type, gguf, s.n, s.k, default_memory_resource()));
  d.a.resize(static_cast<size_t>(s.m * s.k));
  for (auto& v : d.a) v = normal(rng);
  d.aq.resize(row_bytes(d.kd->act_type, s.k) * static_cast<size_t>(s.m));
  d.kd->quantize(ActQuant::runtime, d.a, s.m, s.k, d.aq);
  d.y.resize(static_cast<size_t>(s.m * s.n));
  return d;
}

threading::ThreadPool& pool_of(int threads) {
  static std::unique_ptr<threading::ThreadPool> pools[3];
  if (!pools[threads]) pools[threads] = std::make_unique<threading::ThreadPool>(threads);
  return *pools[threads];
}

enum class Piece : uint8_t { quantize, kernel, quantize_parallel, run_gemm, whole_call };

void run_piece(benchmark::State& state, Shape s, Piece piece, int threads) {
  Data d = make(s);
  threading::ThreadPool& pool = pool_of(threads);
  const threading::CallerBinding bind(pool.cpus()[0]);
  const KernelDesc& kd = *d.kd;
  const ActivationView av = d.activations(s);
  const OutputView ov = d.output(s);
  for (auto _ : state) {
    switch (piece) {
      case Piece::quantize: kd.quantize(ActQuant::runtime, d.a, s.m, s.k, d.aq); break;
      case Piece::kernel: kd.run(*d.w, av, ov, Slice{0, s.m, 0, s.n}); break;
      case Piece::quantize_parallel:
        threading::quantize_parallel(pool, kd, ActQuant::runtime, d.a, s.m, s.k, d.aq);
        break;
      case Piece::run_gemm: threading::run_gemm(pool, kd, *d.w, av, ov); break;
      case Piece::whole_call:
        threading::quantize_parallel(pool, kd, ActQuant::runtime, d.a, s.m, s.k, d.aq);
        threading::run_gemm(pool, kd, *d.w, av, ov);
        break;
    }
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(kd.name));
}

void run_onednn(benchmark::State& state, Shape s, int threads) {
  onednn::set_threads(threads);
  onednn::Matmul mm(onednn::MatmulKind::u8s8s32, s.m, s.n, s.k);
  std::vector<int8_t> w(static_cast<size_t>(s.n * s.k));
  std::vector<uint8_t> a(static_cast<size_t>(s.m * s.k));
  std::mt19937 rng(1);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (auto& v : a) v = static_cast<uint8_t>(rng() % 256);
  std::vector<int32_t> y(static_cast<size_t>(s.m * s.n));
  mm.set_weights(w.data());
  for (auto _ : state) {
    mm.run(a.data(), y.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(mm.impl());
}

// The CPUs this process may use, or none (the benchmark skipped, saying why) when there
// are fewer than 2: a 2-worker measurement on one CPU would time the scheduler.
std::vector<int> two_cpus_or_skip(benchmark::State& state) {
  std::vector<int> cpus = threading::allowed_cpus();
  if (cpus.size() >= 2) return cpus;
  state.SkipWithError("needs 2 CPUs");
  return {};
}

// shares/*: a late start (the hand-off) or a slower slice (caches, bandwidth shared)?
void run_shares(benchmark::State& state, Shape s, bool together) {
  if (two_cpus_or_skip(state).empty()) return;
  Data d = make(s);
  threading::ThreadPool& pool = pool_of(2);
  const threading::CallerBinding bind(pool.cpus()[0]);
  const KernelDesc& kd = *d.kd;
  const ActivationView av = d.activations(s);
  const OutputView ov = d.output(s);
  const std::vector<Slice> slices = threading::cut_output(s.m, s.n, kd.plan(s.m, s.n, s.k), 2);
  if (slices.size() != 2) {
    state.SkipWithError("the output is one slice (the kernel's plan): nothing to share");
    return;
  }
  using Clock = std::chrono::steady_clock;
  double lag[2] = {}, took[2] = {};
  for (auto _ : state) {
    Clock::time_point t_start[2], t_end[2];
    const auto t0 = Clock::now();
    if (together) {
      pool.for_each_worker([&](int64_t wk) {
        t_start[wk] = Clock::now();
        kd.run(*d.w, av, ov, slices[static_cast<size_t>(wk)]);
        t_end[wk] = Clock::now();
      });
    } else {
      for (int wk = 0; wk < 2; ++wk) {
        t_start[wk] = Clock::now();
        kd.run(*d.w, av, ov, slices[static_cast<size_t>(wk)]);
        t_end[wk] = Clock::now();
      }
    }
    for (int wk = 0; wk < 2; ++wk) {
      lag[wk] += std::chrono::duration<double>(t_start[wk] - t0).count();
      took[wk] += std::chrono::duration<double>(t_end[wk] - t_start[wk]).count();
    }
    benchmark::ClobberMemory();
  }
  const auto per_call_us = [&](double sum) { return 1e6 * sum / static_cast<double>(state.iterations()); };
  for (int wk = 0; wk < 2; ++wk) {
    state.counters["start" + std::to_string(wk) + "_us"] = per_call_us(lag[wk]);
    state.counters["slice" + std::to_string(wk) + "_us"] = per_call_us(took[wk]);
  }
}

// A hand-off with a given spin budget, called every `gap`: the caller busy-waits the gap
// (as a decode step's other work would), then runs an empty per-worker call.
void run_handoff(benchmark::State& state, int spin_us, int gap_us) {
  const std::vector<int> cpus = two_cpus_or_skip(state);
  if (cpus.empty()) return;
  threading::ThreadPool pool({cpus[0], cpus[1]},
                             threading::ThreadPool::Options{std::chrono::microseconds(spin_us)});
  const threading::CallerBinding bind(cpus[0]);
  const auto gap = std::chrono::microseconds(gap_us);
  double handoff_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto until = std::chrono::steady_clock::now() + gap;
    while (std::chrono::steady_clock::now() < until) {
    }
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    pool.for_each_worker([](int64_t) {});
    handoff_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  state.counters["handoff_us"] = 1e6 * handoff_s / static_cast<double>(state.iterations());
}

void register_all() {
  // q8_0 at N = 64 and 1024 next to 256: the intercept of time vs N is the fixed cost.
  const Shape shapes[] = {{QType::Q8_0, 1, 64, 512},
                          {QType::Q8_0, 1, 256, 512},
                          {QType::Q8_0, 1, 1024, 512},
                          {QType::Q4_0, 1, 1024, 4096}};
  const std::pair<Piece, const char*> pieces[] = {{Piece::quantize, "quantize"},
                                                  {Piece::kernel, "kernel"},
                                                  {Piece::quantize_parallel, "quantize_parallel"},
                                                  {Piece::run_gemm, "run_gemm"},
                                                  {Piece::whole_call, "whole_call"}};
  for (const Shape& s : shapes) {
    for (int t : {1, 2}) {
      const std::string ts = "/threads:" + std::to_string(t);
      for (const auto& [piece, pname] : pieces) {
        if (t == 2 && (piece == Piece::quantize || piece == Piece::kernel)) continue;  // no pool involved
        benchmark::RegisterBenchmark(("parts/" + s.label() + "/" + pname + ts).c_str(), run_piece, s, piece,
                                     t)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.3);
      }
      benchmark::RegisterBenchmark(("parts/" + s.label() + "/onednn_u8s8s32" + ts).c_str(), run_onednn, s, t)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.3);
    }
  }
  // The shares: the small shapes and two GEMVs whose weights sit in L3 (9 MiB).
  std::vector<Shape> shared(std::begin(shapes), std::end(shapes));
  shared.push_back({QType::Q4_0, 1, 4096, 4096});
  shared.push_back({QType::IQ4_XS, 1, 4096, 4096});
  for (const Shape& s : shared) {
    for (const bool together : {false, true}) {
      benchmark::RegisterBenchmark(
          ("shares/" + s.label() + (together ? "/together" : "/caller_alone")).c_str(), run_shares, s,
          together)
          ->UseRealTime()
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.3);
    }
  }
  for (int spin : {0, 5, 20, 50, 100, 200}) {
    for (int gap : {0, 10, 30, 100, 300}) {
      benchmark::RegisterBenchmark(
          ("handoff/spin:" + std::to_string(spin) + "us/gap:" + std::to_string(gap) + "us").c_str(),
          run_handoff, spin, gap)
          ->Unit(benchmark::kMicrosecond)
          ->Iterations(2000);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return amxlab::testing::run_benchmarks(argc, argv, register_all);
}
