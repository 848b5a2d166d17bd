#include <immintrin.h>
#include <sched.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
alignas(64) static int32_t mem[64];
// 16 VPDPBUSD per iteration into 8 accumulators (2 each)
__attribute__((noinline)) double regs(long n) {
  __m512i a[8];
  for (auto& x : a) x = _mm512_setzero_si512();
  __m512i w0 = _mm512_set1_epi8(1), w1 = _mm512_set1_epi8(2), b0 = _mm512_set1_epi32(3),
          b1 = _mm512_set1_epi32(5);
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    __asm__ volatile("" : "+v"(b0), "+v"(b1));
    for (int j = 0; j < 8; ++j) {
      a[j] = _mm512_dpbusd_epi32(a[j], w0, b0);
      a[j] = _mm512_dpbusd_epi32(a[j], w1, b1);
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  for (auto& x : a) __asm__ volatile("" : : "v"(x));
  return std::chrono::duration<double>(t1 - t0).count();
}
// same, operands broadcast from memory: 4 VPBROADCASTD per 16 VPDPBUSD (the GEMM tile's ratio is 1:2)
__attribute__((noinline)) double bc(long n, int ratio) {
  __m512i a[8];
  for (auto& x : a) x = _mm512_setzero_si512();
  __m512i w0 = _mm512_set1_epi8(1), w1 = _mm512_set1_epi8(2);
  const int32_t* p = mem;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    __asm__ volatile("" : "+r"(p));
    if (ratio == 2) {
      for (int j = 0; j < 4; ++j) {
        __m512i x = _mm512_set1_epi32(p[2 * j]);
        __m512i y = _mm512_set1_epi32(p[2 * j + 1]);
        __asm__ volatile("" : "+v"(x), "+v"(y));
        a[2 * j] = _mm512_dpbusd_epi32(a[2 * j], w0, x);
        a[2 * j + 1] = _mm512_dpbusd_epi32(a[2 * j + 1], w0, x);
        a[2 * j] = _mm512_dpbusd_epi32(a[2 * j], w1, y);
        a[2 * j + 1] = _mm512_dpbusd_epi32(a[2 * j + 1], w1, y);
      }
    } else {
      for (int j = 0; j < 8; ++j) {
        __m512i x = _mm512_set1_epi32(p[j]);
        __m512i y = _mm512_set1_epi32(p[j + 8]);
        a[j] = _mm512_dpbusd_epi32(a[j], w0, x);
        a[j] = _mm512_dpbusd_epi32(a[j], w1, y);
      }
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  for (auto& x : a) __asm__ volatile("" : : "v"(x));
  return std::chrono::duration<double>(t1 - t0).count();
}
int main() {
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  for (int i = 0; i < 64; ++i) mem[i] = i;
  long n = 20000000;
  for (int r = 0; r < 3; ++r) {
    double t_r = regs(n), t_b2 = bc(n, 2), t_b1 = bc(n, 1);
    printf(
        "per VPDPBUSD: regs %.3f ns | 1 bcast per 2 dpbusd %.3f ns | 1 bcast(embedded?) per 1 dpbusd %.3f "
        "ns\n",
        t_r / n / 16 * 1e9, t_b2 / n / 16 * 1e9, t_b1 / n / 16 * 1e9);
  }
}
