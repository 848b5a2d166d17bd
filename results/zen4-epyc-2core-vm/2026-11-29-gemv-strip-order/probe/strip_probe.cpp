// Strip-order probe (2026-11-29, twelfth session): one thread streams a large buffer of
// GEMV strips, four strips per register tile, with a GEMV's arithmetic per 64-byte row
// (two VPDPBUSD) and a scale line per 4 or 8 rows, in two tile orders:
//   adjacent:  tile j reads strips 4j .. 4j+3 (each tile starts four new streams);
//   staggered: with T tiles, tile j reads strips j, j+T, j+2T, j+3T (each stream walks T
//              strips one after another), as kernels/vnni/strip_order.h does now.
// Build and run (MiB of buffer, rounds):
//   g++ -O2 -mavx512f -mavx512bw -mavx512vnni -o strip_probe strip_probe.cpp
//   ./strip_probe 1400 4
#include <immintrin.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

// A record: HEAD header lines (scales first), then CODE code rows; the first header line
// is read after every EVERY code rows, the others at the start of the record.
template <size_t CODE, size_t HEAD, size_t EVERY, bool STAGGER>
__attribute__((noinline)) __m512i run(const uint8_t* buf, size_t records, size_t strips) {
  constexpr size_t kBytes = 64 * (CODE + HEAD);
  const size_t strip_bytes = kBytes * records, tiles = strips / 4;
  __m512i acc[8];
  for (auto& a : acc) a = _mm512_setzero_si512();
  const __m512i a = _mm512_set1_epi8(1), low4 = _mm512_set1_epi8(15);
  for (size_t j = 0; j < tiles; ++j) {
    for (size_t b = 0; b < records; ++b) {
      const uint8_t* rec[4];
      for (size_t s = 0; s < 4; ++s) {
        const size_t strip = STAGGER ? j + s * tiles : 4 * j + s;
        rec[s] = buf + strip * strip_bytes + b * kBytes;
      }
      __m512i hdr = _mm512_setzero_si512();
      for (size_t s = 0; s < 4; ++s)
        for (size_t l = 1; l < HEAD; ++l)
          hdr = _mm512_add_epi32(hdr, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s] + 64 * l))));
#pragma GCC unroll 32
      for (size_t kk = 0; kk < CODE; ++kk) {
#pragma GCC unroll 4
        for (size_t s = 0; s < 4; ++s) {
          const __m512i raw = _mm512_loadu_si512(rec[s] + 64 * (HEAD + kk));
          acc[2 * s] = _mm512_dpbusd_epi32(acc[2 * s], _mm512_and_si512(raw, low4), a);
          acc[2 * s + 1] = _mm512_dpbusd_epi32(acc[2 * s + 1], _mm512_andnot_si512(low4, raw), a);
        }
        if (kk % EVERY == EVERY - 1) {
#pragma GCC unroll 4
          for (size_t s = 0; s < 4; ++s)
            acc[2 * s] = _mm512_mullo_epi32(
                acc[2 * s], _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s]))));
        }
      }
      acc[0] = _mm512_add_epi32(acc[0], hdr);
    }
  }
  __m512i r = acc[0];
  for (int i = 1; i < 8; ++i) r = _mm512_add_epi32(r, acc[i]);
  return r;
}

template <size_t CODE, size_t HEAD, size_t EVERY>
void measure(const char* name, const uint8_t* buf, size_t bytes, size_t records) {
  for (const bool stagger : {false, true}) {
    const size_t rec_bytes = 64 * (CODE + HEAD);
    const size_t strips = bytes / (rec_bytes * records) / 4 * 4;
    const auto t0 = std::chrono::steady_clock::now();
    const __m512i r = stagger ? run<CODE, HEAD, EVERY, true>(buf, records, strips)
                              : run<CODE, HEAD, EVERY, false>(buf, records, strips);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%-22s %-9s %5.1f GB/s %d\n", name, stagger ? "staggered" : "adjacent",
                static_cast<double>(strips * records * rec_bytes) / s / 1e9, _mm512_reduce_add_epi32(r) & 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const size_t bytes = static_cast<size_t>((argc > 1 ? atof(argv[1]) : 1400.0) * (1 << 20));
  const int rounds = argc > 2 ? atoi(argv[2]) : 2;
  auto* buf = static_cast<uint8_t*>(aligned_alloc(size_t{2} << 20, bytes / (2 << 20) * (2 << 20) + (2 << 20)));
  madvise(buf, bytes, MADV_HUGEPAGE);
  std::memset(buf, 1, bytes);
  for (int round = 0; round < rounds; ++round) {
    // K = 2048 (an MoE expert's rows): 8 K-quant records or 32 vnni16 groups per strip;
    // K = 14336: 56 or 224.
    measure<32, 5, 8>("q4_K-like K=2048", buf, bytes, 8);
    measure<8, 1, 4>("q4_0-like K=2048", buf, bytes, 32);
    measure<32, 5, 8>("q4_K-like K=14336", buf, bytes, 56);
    measure<8, 1, 4>("q4_0-like K=14336", buf, bytes, 224);
  }
}
