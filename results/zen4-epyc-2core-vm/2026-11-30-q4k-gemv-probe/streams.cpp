#include <immintrin.h>
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
// read `bytes` as S streams (stream q: [q*bytes/S, (q+1)*bytes/S)), B bytes from each in turn
template <int S>
static __m512i run(const uint8_t* p, size_t bytes, size_t B) {
  __m512i acc[S];
  for (int q = 0; q < S; ++q) acc[q] = _mm512_setzero_si512();
  size_t len = bytes / S;
  const uint8_t* base[S];
  for (int q = 0; q < S; ++q) base[q] = p + q * len;
  for (size_t off = 0; off + B <= len; off += B)
    for (int q = 0; q < S; ++q)
      for (size_t i = 0; i < B; i += 64)
        acc[q] = _mm512_xor_si512(acc[q], _mm512_loadu_si512(base[q] + off + i));
  for (int q = 1; q < S; ++q) acc[0] = _mm512_xor_si512(acc[0], acc[q]);
  return acc[0];
}
int main(int argc, char** argv) {
  size_t mb = atoi(argv[1]);
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  size_t bytes = mb << 20;
  auto* p = static_cast<uint8_t*>(aligned_alloc(2u << 20, bytes));
  madvise(p, bytes, MADV_HUGEPAGE);
  memset(p, 1, bytes);
  struct C {
    int S;
    size_t B;
  } cs2[] = {{1, 256}, {2, 64}, {2, 512}, {2, 2048}, {4, 64}, {4, 512}, {4, 2048}, {8, 64}};
  std::vector<std::vector<double>> t(8);
  volatile long long sink = 0;
  for (int rep = 0; rep < 15; ++rep)
    for (int c = 0; c < 8; ++c) {
      auto t0 = std::chrono::steady_clock::now();
      __m512i r;
      switch (cs2[c].S) {
        case 1: r = run<1>(p, bytes, cs2[c].B); break;
        case 2: r = run<2>(p, bytes, cs2[c].B); break;
        case 4: r = run<4>(p, bytes, cs2[c].B); break;
        default: r = run<8>(p, bytes, cs2[c].B);
      }
      auto t1 = std::chrono::steady_clock::now();
      sink = sink + _mm512_reduce_add_epi64(r);
      if (rep >= 2) t[c].push_back(std::chrono::duration<double>(t1 - t0).count());
    }
  for (int c = 0; c < 8; ++c) {
    std::sort(t[c].begin(), t[c].end());
    printf("%zu MiB  S=%d B=%4zu  %6.1f GB/s\n", mb, cs2[c].S, cs2[c].B, bytes / t[c][t[c].size() / 2] / 1e9);
  }
}
