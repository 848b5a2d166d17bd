// The main() of the benchmark programs under tests/kernels: registers the program's
// benchmarks at run time (their names carry the registry's kernel names and the shapes),
// then runs what --benchmark_filter selects.
#pragma once

#include <benchmark/benchmark.h>

namespace amxlab::testing {

inline int run_benchmarks(int argc, char** argv, void (*register_all)()) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace amxlab::testing
