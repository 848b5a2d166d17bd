// The bulk samples of generated test and case data: splitmix64 and an Irwin-Hall normal.
// Fully specified (the same numbers from every standard library, unlike
// std::normal_distribution, whose algorithm is implementation-defined) and an order of
// magnitude cheaper: std::normal_distribution over mt19937_64 (a logf per pair) had been
// 60 % of the long kernel suite's time and most of `amxlab bench`'s set-up of an MoE case
// (128 experts x 768 x 2048 weights: seconds per case). Used by the harness's case data
// (case_data.cpp) and the kernel tester (tests/kernels/gemm_tester.cpp).
#pragma once

#include <cstdint>
#include <random>

namespace amxlab::harness {

class Samples {
 public:
  explicit Samples(uint64_t seed) : state_(seed) {}
  explicit Samples(std::mt19937_64& seeder) : state_(seeder()) {}
  // About N(0, 1): the sum of four 16-bit uniforms (Irwin-Hall), centred and scaled to
  // unit variance; |x| < 3.47.
  float normal() {
    const uint64_t z = next();
    const int64_t s = static_cast<int64_t>(z & 0xffff) + static_cast<int64_t>((z >> 16) & 0xffff) +
                      static_cast<int64_t>((z >> 32) & 0xffff) + static_cast<int64_t>(z >> 48);
    // mean 4 * 32767.5; variance 4 * (65536^2 - 1) / 12
    return static_cast<float>(static_cast<double>(s - 131070) * (1.0 / 37836.6));
  }
  // Uniform in [lo, hi).
  float uniform(float lo, float hi) {
    return lo + (hi - lo) * static_cast<float>(static_cast<double>(next() >> 40) * 0x1p-24);
  }

 private:
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t state_;
};

}  // namespace amxlab::harness
