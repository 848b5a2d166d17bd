// The golden model checked against exact arithmetic on random data, for every type:
// what `amxlab selfcheck` runs (and the main job until the harness lands).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace amxlab::golden {

struct SelfCheckResult {
  std::string type;   // weight type name
  std::string shape;  // "m3n5k288"
  bool passed = false;
  double worst_ratio = 0.0;  // max |golden - exact| / bound over the outputs (<= 1 passes)
  std::string detail;
};

// Random weights and activations (seeded), golden vs the double model within its bound
// for every quantised weight type, and raw int / bf16 / f32 GEMMs.
std::vector<SelfCheckResult> run_selfcheck(uint64_t seed);

}  // namespace amxlab::golden
