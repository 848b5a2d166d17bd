// bench_kernels: a quick Google Benchmark of the registered Q8_0 / Q4_0 / Q4_1 kernels
// (not a test; the harness's timing and oneDNN comparisons live in harness/).
//
//   GEMM  M=512 N=K=4096: GOPS (2*M*N*K / time), activations quantised outside the loop
//         (as oneDNN's s8s8s32 figures in /work/shared/ANCHORS.md are);
//   GEMV  M=1 N=4096 K=14336: time, GB/s of GGUF weight bytes, activation quantisation
//         inside the timed region (DESIGN.md "Measuring speed"); hot buffers;
//   small M (1..8, N=K=4096): GEMV vs GEMM kernels, for the dispatcher's threshold;
//   quantize/q8_K: the AVX-512 Q8_K activation quantiser vs the scalar definition
//   (M=1, K=14336: one decode step's FFN-down input).
// Filter with --benchmark_filter, e.g. 'gemv/q4_0'. Kernels this CPU cannot run are skipped.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/formats.h"
#include "kernels/isa.h"
#include "kernels/registry.h"
#include "kernels/vnni/vnni_kernels.h"
#include "reference/onednn/matmul.h"
#include "reference/onednn/runtime.h"
#include "tests/kernels/bench_main.h"

namespace {

using namespace amxlab;

threading::ThreadPool& pool_for(int threads) {
  static std::unique_ptr<threading::ThreadPool> pools[9];
  if (!pools[threads]) pools[threads] = std::make_unique<threading::ThreadPool>(threads);
  return *pools[threads];
}

struct Data {
  std::unique_ptr<PackedWeights> w;
  std::vector<float> a;
  std::vector<std::byte> aq;
  std::vector<float> y;
  size_t gguf_bytes = 0;
};

Data make(const KernelDesc& kd, int64_t m, int64_t n, int64_t k) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> wf(static_cast<size_t>(n * k));
  for (auto& v : wf) v = normal(rng);
  Data d;
  d.gguf_bytes = row_bytes(kd.weight_type, k) * static_cast<size_t>(n);
  std::vector<std::byte> gguf(d.gguf_bytes);
  quantize_weights(kd.weight_type, wf, n, k, gguf);
  d.w = std::make_unique<PackedWeights>(kd.pack(kd.weight_type, gguf, n, k, default_memory_resource()));
  d.a.resize(static_cast<size_t>(m * k));
  for (auto& v : d.a) v = normal(rng);
  d.aq.resize(row_bytes(kd.act_type, k) * static_cast<size_t>(m));
  kd.quantize(ActQuant::runtime, d.a, m, k, d.aq);
  d.y.resize(static_cast<size_t>(m * n));
  return d;
}

void run_case(benchmark::State& state, const KernelDesc* kd, int64_t m, int64_t n, int64_t k, int threads,
              bool quantize_inside) {
  Data d = make(*kd, m, n, k);
  threading::ThreadPool& pool = pool_for(threads);
  const ActivationView av{kd->act_type, d.aq.data(), row_bytes(kd->act_type, k), m, k};
  const OutputView ov{d.y.data(), static_cast<size_t>(n), m, n};
  for (auto _ : state) {
    if (quantize_inside) threading::quantize_parallel(pool, *kd, ActQuant::runtime, d.a, m, k, d.aq);
    threading::run_gemm(pool, *kd, *d.w, av, ov);
    benchmark::ClobberMemory();
  }
  const double ops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weight_GBps"] = benchmark::Counter(static_cast<double>(d.gguf_bytes) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weight_MiB"] = static_cast<double>(d.gguf_bytes) / (1024.0 * 1024.0);
}

// oneDNN s8s8s32 on the same shape, in the same run (the ratio the README reports).
// Run with OMP_WAIT_POLICY=passive so that OpenMP's idle threads do not spin into the
// next benchmark.
void run_onednn(benchmark::State& state, int64_t m, int64_t n, int64_t k, int threads) {
  onednn::set_threads(threads);
  onednn::Matmul mm(onednn::MatmulKind::s8s8s32, m, n, k);
  std::vector<int8_t> w(static_cast<size_t>(n * k)), a(static_cast<size_t>(m * k));
  std::mt19937 rng(1);
  for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  for (auto& v : a) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
  std::vector<int32_t> y(static_cast<size_t>(m * n));
  mm.set_weights(w.data());
  for (auto _ : state) {
    mm.run(a.data(), y.data());
    benchmark::ClobberMemory();
  }
  const double ops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  state.counters["GOPS"] = benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weight_GBps"] = benchmark::Counter(static_cast<double>(mm.weight_bytes()) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(mm.impl() + " OMP_WAIT_POLICY=" + onednn::omp_wait_policy());
}

// F32 -> Q8_K, M=1, K=14336: the scalar definition or the AVX-512 quantiser.
void run_quantize_q8_k(benchmark::State& state, bool avx512) {
  constexpr int64_t kK = 14336;
  std::string why;
  if (avx512 && !isa_supported(kIsaAvx512, &why)) {
    state.SkipWithError(why.c_str());
    return;
  }
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> a(kK);
  for (auto& v : a) v = normal(rng);
  std::vector<std::byte> out(row_bytes(QType::Q8_K, kK));
  for (auto _ : state) {
    if (avx512) {
      vnni::quantize_q8_k_avx512(ActQuant::runtime, a, 1, kK, out);
    } else {
      quantize_activations(QType::Q8_K, ActQuant::runtime, a, 1, kK, out);
    }
    benchmark::ClobberMemory();
  }
  state.counters["GB/s_read"] =
      benchmark::Counter(static_cast<double>(kK) * 4e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  benchmark::RegisterBenchmark("quantize/q8_K/scalar/M1_K14336", run_quantize_q8_k, false)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("quantize/q8_K/avx512/M1_K14336", run_quantize_q8_k, true)
      ->Unit(benchmark::kMicrosecond);
  for (int t : {1, 2}) {
    const std::string ts = "/threads:" + std::to_string(t);
    benchmark::RegisterBenchmark(("gemm/onednn_s8s8s32/M512_N4096_K4096" + ts).c_str(), run_onednn, 512, 4096,
                                 4096, t)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1.0);
    benchmark::RegisterBenchmark(("gemv/onednn_s8s8s32/M1_N4096_K14336" + ts).c_str(), run_onednn, 1, 4096,
                                 14336, t)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(1.0);
  }
  for (const KernelDesc& kd : kernel_registry()) {
    std::string why;
    if (kd.engine != Engine::native || !isa_supported(kd.isa, &why)) continue;
    const std::string tn = name(kd.weight_type);
    const std::string kn(kd.name);
    for (int t : {1, 2}) {
      const std::string ts = "/threads:" + std::to_string(t);
      if (kd.op == KernelOp::gemm && kd.isa != kIsaNone) {
        benchmark::RegisterBenchmark(("gemm/" + tn + "/" + kn + "/M512_N4096_K4096" + ts).c_str(), run_case,
                                     &kd, 512, 4096, 4096, t, false)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond)
            ->MinTime(1.0);
      }
      if (kd.isa != kIsaNone) {
        benchmark::RegisterBenchmark(("gemv/" + tn + "/" + kn + "/M1_N4096_K14336" + ts).c_str(), run_case,
                                     &kd, 1, 4096, 14336, t, true)
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(1.0);
        for (int64_t m : {1, 2, 3, 4, 6, 8}) {
          benchmark::RegisterBenchmark(
              ("smallm/" + tn + "/" + kn + "/M" + std::to_string(m) + "_N4096_K4096" + ts).c_str(), run_case,
              &kd, m, 4096, 4096, t, true)
              ->UseRealTime()
              ->Unit(benchmark::kMicrosecond)
              ->MinTime(0.5);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  return amxlab::testing::run_benchmarks(argc, argv, register_all);
}
