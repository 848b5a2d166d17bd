// Probe (fifteenth session): the Q4_K nibble GEMV (kqn_gemv_tile.h) and variants of it,
// called directly (no harness, no pool, one thread pinned to CPU 0), hot: the same
// random packed weights and Q8_K row every call, median of `reps` calls, three rounds
// of every variant in turn. GB/s are of packed bytes (148 per 256 weights). seqread:
// one ascending read of the same buffer. Variants: make_variants.py.
//   ./probe N K [reps]
#include <sched.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/vnni_raw.h"
namespace amxlab::vnni::raw {
void run_base(const KqArgs&);
void run_noepi(const KqArgs&);
void run_loadonly(const KqArgs&);
void run_sr(const KqArgs&);
void run_ibase(const KqArgs&);
void run_iload(const KqArgs&);
void run_wbase(const KqArgs&);
void run_wload(const KqArgs&);
void run_rbase(const KqArgs&);
void run_rload(const KqArgs&);
void run_pfb8t0(const KqArgs&);
void run_pfb8t2(const KqArgs&);
void run_pfb16t0(const KqArgs&);
void run_pfb16t2(const KqArgs&);
void run_pfb32t0(const KqArgs&);
void run_pfb32t2(const KqArgs&);
void run_pfl8t0(const KqArgs&);
void run_pfl8t2(const KqArgs&);
void run_pfl16t0(const KqArgs&);
void run_pfl16t2(const KqArgs&);
void run_pfl32t0(const KqArgs&);
void run_pfl32t2(const KqArgs&);
}  // namespace amxlab::vnni::raw
using namespace amxlab::vnni::raw;
static uint64_t seqread(const uint8_t* p, size_t n);
int main(int argc, char** argv) {
  int N = atoi(argv[1]), K = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 30;
  cpu_set_t cs;
  CPU_ZERO(&cs);
  CPU_SET(0, &cs);
  sched_setaffinity(0, sizeof cs, &cs);
  size_t sb = K / 256, strips = (N + 15) / 16, rec = 2368;
  size_t bytes = strips * sb * rec;
  size_t alloc = (bytes + (2u << 20)) & ~((2u << 20) - 1);
  auto* w = static_cast<uint8_t*>(aligned_alloc(2u << 20, alloc));
  madvise(w, alloc, MADV_HUGEPAGE);
  std::mt19937 rng(1);
  for (size_t i = 0; i < bytes; ++i) w[i] = static_cast<uint8_t>(rng());
  // fp16 d / dmin fields: keep them finite (small exponents)
  std::vector<uint8_t> a(sb * amxlab::kq_records::kQ8KBlockBytes);
  for (auto& x : a) x = static_cast<uint8_t>(rng());
  for (size_t b = 0; b < sb; ++b) {
    float d = 0.01f;
    memcpy(&a[b * amxlab::kq_records::kQ8KBlockBytes], &d, 4);
  }
  for (size_t s = 0; s < strips; ++s)
    for (size_t b = 0; b < sb; ++b) {
      uint8_t* r = w + (s * sb + b) * rec;
      for (int j = 0; j < 32; ++j) {
        r[amxlab::kq_records::kNibQ4.d_offset + 2 * j] = 0;
        r[amxlab::kq_records::kNibQ4.d_offset + 2 * j + 1] = 0x3c;
      }
    }
  std::vector<float> y(N), partial(64);
  KqArgs g;
  g.w = reinterpret_cast<const std::byte*>(w);
  g.strip_bytes = sb * rec;
  g.superblocks = sb;
  g.sub_len = 32;
  g.has_min = 1;
  g.bias = 0;
  g.a = reinterpret_cast<const std::byte*>(a.data());
  g.a_stride = a.size();
  g.rows = 1;
  g.y = y.data();
  g.y_stride = N;
  g.n0 = 0;
  g.n1 = N;
  g.partial = partial.data();
  g.nib_kind = 0;
  using F = void (*)(const KqArgs&);
  struct V {
    const char* name;
    F f;
  } vs[] = {{"base", run_base},       {"noepi", run_noepi},     {"loadonly", run_loadonly},
            {"sr", run_sr},           {"ibase", run_ibase},     {"iload", run_iload},
            {"wbase", run_wbase},     {"wload", run_wload},     {"rbase", run_rbase},
            {"rload", run_rload},     {"pfb8t0", run_pfb8t0},   {"pfb8t2", run_pfb8t2},
            {"pfb16t0", run_pfb16t0}, {"pfb16t2", run_pfb16t2}, {"pfb32t0", run_pfb32t0},
            {"pfb32t2", run_pfb32t2}, {"pfl8t0", run_pfl8t0},   {"pfl8t2", run_pfl8t2},
            {"pfl16t0", run_pfl16t0}, {"pfl16t2", run_pfl16t2}, {"pfl32t0", run_pfl32t0},
            {"pfl32t2", run_pfl32t2}, {"seqread", nullptr}};
  volatile uint64_t sink = 0;
  for (int round = 0; round < 3; ++round)
    for (auto& v : vs) {
      std::vector<double> t;
      for (int i = 0; i < reps + 3; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        if (v.f)
          v.f(g);
        else
          sink = sink + seqread(w, bytes);
        auto t1 = std::chrono::steady_clock::now();
        if (i >= 3) t.push_back(std::chrono::duration<double>(t1 - t0).count());
      }
      std::sort(t.begin(), t.end());
      printf("N=%d K=%d %-9s %8.1f us  %6.1f GB/s (packed %.1f MB)\n", N, K, v.name, t[t.size() / 2] * 1e6,
             bytes / t[t.size() / 2] / 1e9, bytes / 1e6);
    }
  return (int)(sink & 1) + (y[0] == 12345.f);
}
#include <immintrin.h>
__attribute__((target("avx512f"))) static uint64_t seqread(const uint8_t* p, size_t n) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 256 <= n; i += 256) {
    a0 = _mm512_xor_si512(a0, _mm512_loadu_si512(p + i));
    a1 = _mm512_xor_si512(a1, _mm512_loadu_si512(p + i + 64));
    a2 = _mm512_xor_si512(a2, _mm512_loadu_si512(p + i + 128));
    a3 = _mm512_xor_si512(a3, _mm512_loadu_si512(p + i + 192));
  }
  a0 = _mm512_xor_si512(_mm512_xor_si512(a0, a1), _mm512_xor_si512(a2, a3));
  return (uint64_t)_mm512_reduce_add_epi64(a0);
}
