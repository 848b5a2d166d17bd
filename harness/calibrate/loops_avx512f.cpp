// AVX-512F loops: vfmadd231ps zmm throughput and the zmm read-bandwidth loop.
// Compiled with -mavx512f only.
#include <immintrin.h>

#include "harness/calibrate/loops.h"

namespace amxlab::calibrate::loops {

double fp32_fma_zmm(int64_t iterations, float seed) {
  // c = c * a + b with a = 0.5: every accumulator converges to 2b, stays normal.
  __m512 a = _mm512_set1_ps(0.5f);
  __m512 b = _mm512_set1_ps(seed);
  __asm__ volatile("" : "+v"(a), "+v"(b));
  __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  __m512 c8 = c0, c9 = c0, c10 = c0, c11 = c0, c12 = c0, c13 = c0, c14 = c0, c15 = c0;
  // Opaque to the compiler: otherwise it sees sixteen identical chains and keeps one.
  __asm__ volatile("" : "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5), "+v"(c6), "+v"(c7));
  __asm__ volatile("" : "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11), "+v"(c12), "+v"(c13), "+v"(c14), "+v"(c15));
  for (int64_t i = 0; i < iterations; ++i) {
    c0 = _mm512_fmadd_ps(c0, a, b);
    c1 = _mm512_fmadd_ps(c1, a, b);
    c2 = _mm512_fmadd_ps(c2, a, b);
    c3 = _mm512_fmadd_ps(c3, a, b);
    c4 = _mm512_fmadd_ps(c4, a, b);
    c5 = _mm512_fmadd_ps(c5, a, b);
    c6 = _mm512_fmadd_ps(c6, a, b);
    c7 = _mm512_fmadd_ps(c7, a, b);
    c8 = _mm512_fmadd_ps(c8, a, b);
    c9 = _mm512_fmadd_ps(c9, a, b);
    c10 = _mm512_fmadd_ps(c10, a, b);
    c11 = _mm512_fmadd_ps(c11, a, b);
    c12 = _mm512_fmadd_ps(c12, a, b);
    c13 = _mm512_fmadd_ps(c13, a, b);
    c14 = _mm512_fmadd_ps(c14, a, b);
    c15 = _mm512_fmadd_ps(c15, a, b);
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                           _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)),
                                     _mm512_add_ps(_mm512_add_ps(c12, c13), _mm512_add_ps(c14, c15))));
  // Summed through memory: gcc 12's _mm512_reduce_* trip -Wuninitialized (_mm256_undefined).
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  double sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}

uint64_t read_zmm(const void* p, size_t bytes, int64_t passes) {
  const __m512i* v = static_cast<const __m512i*>(p);
  const size_t n = bytes / 64;
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
  for (int64_t pass = 0; pass < passes; ++pass) {
    __asm__ volatile("" ::: "memory");  // every pass really reads memory again
    for (size_t i = 0; i < n; i += 8) {
      s0 = _mm512_add_epi64(s0, _mm512_load_si512(v + i));
      s1 = _mm512_add_epi64(s1, _mm512_load_si512(v + i + 1));
      s2 = _mm512_add_epi64(s2, _mm512_load_si512(v + i + 2));
      s3 = _mm512_add_epi64(s3, _mm512_load_si512(v + i + 3));
      s4 = _mm512_add_epi64(s4, _mm512_load_si512(v + i + 4));
      s5 = _mm512_add_epi64(s5, _mm512_load_si512(v + i + 5));
      s6 = _mm512_add_epi64(s6, _mm512_load_si512(v + i + 6));
      s7 = _mm512_add_epi64(s7, _mm512_load_si512(v + i + 7));
    }
  }
  const __m512i s = _mm512_add_epi64(_mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)),
                                     _mm512_add_epi64(_mm512_add_epi64(s4, s5), _mm512_add_epi64(s6, s7)));
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, s);
  uint64_t sum = 0;
  for (uint64_t lane : lanes) sum += lane;
  return sum;
}

}  // namespace amxlab::calibrate::loops
