// AVX2 fallbacks: vfmadd231ps ymm throughput and the ymm read-bandwidth loop.
// Compiled with -mavx2 -mfma only.
#include <immintrin.h>

#include "harness/calibrate/loops.h"

namespace amxlab::calibrate::loops {

double fp32_fma_ymm(int64_t iterations, float seed) {
  // 12 accumulators + 2 inputs fit the 16 ymm registers; 16 FMAs per iteration as the
  // other loops (four accumulators take two per iteration).
  __m256 a = _mm256_set1_ps(0.5f);
  __m256 b = _mm256_set1_ps(seed);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  __m256 c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  // Opaque to the compiler: otherwise it sees twelve identical chains and keeps one.
  __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5));
  __asm__ volatile("" : "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11));
  for (int64_t i = 0; i < iterations; ++i) {
    c0 = _mm256_fmadd_ps(c0, a, b);
    c1 = _mm256_fmadd_ps(c1, a, b);
    c2 = _mm256_fmadd_ps(c2, a, b);
    c3 = _mm256_fmadd_ps(c3, a, b);
    c4 = _mm256_fmadd_ps(c4, a, b);
    c5 = _mm256_fmadd_ps(c5, a, b);
    c6 = _mm256_fmadd_ps(c6, a, b);
    c7 = _mm256_fmadd_ps(c7, a, b);
    c8 = _mm256_fmadd_ps(c8, a, b);
    c9 = _mm256_fmadd_ps(c9, a, b);
    c10 = _mm256_fmadd_ps(c10, a, b);
    c11 = _mm256_fmadd_ps(c11, a, b);
    c0 = _mm256_fmadd_ps(c0, a, b);
    c1 = _mm256_fmadd_ps(c1, a, b);
    c2 = _mm256_fmadd_ps(c2, a, b);
    c3 = _mm256_fmadd_ps(c3, a, b);
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                           _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7)));
  s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  float out[4];
  _mm_storeu_ps(out, h);
  return static_cast<double>(out[0]) + out[1] + out[2] + out[3];
}

uint64_t read_ymm(const void* p, size_t bytes, int64_t passes) {
  const __m256i* v = static_cast<const __m256i*>(p);
  const size_t n = bytes / 32;
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  for (int64_t pass = 0; pass < passes; ++pass) {
    __asm__ volatile("" ::: "memory");
    for (size_t i = 0; i < n; i += 8) {
      s0 = _mm256_add_epi64(s0, _mm256_load_si256(v + i));
      s1 = _mm256_add_epi64(s1, _mm256_load_si256(v + i + 1));
      s2 = _mm256_add_epi64(s2, _mm256_load_si256(v + i + 2));
      s3 = _mm256_add_epi64(s3, _mm256_load_si256(v + i + 3));
      s4 = _mm256_add_epi64(s4, _mm256_load_si256(v + i + 4));
      s5 = _mm256_add_epi64(s5, _mm256_load_si256(v + i + 5));
      s6 = _mm256_add_epi64(s6, _mm256_load_si256(v + i + 6));
      s7 = _mm256_add_epi64(s7, _mm256_load_si256(v + i + 7));
    }
  }
  const __m256i s = _mm256_add_epi64(_mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)),
                                     _mm256_add_epi64(_mm256_add_epi64(s4, s5), _mm256_add_epi64(s6, s7)));
  alignas(32) uint64_t out[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), s);
  return out[0] + out[1] + out[2] + out[3];
}

}  // namespace amxlab::calibrate::loops
