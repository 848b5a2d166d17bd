// Read-order probe (2026-11-29): one thread streams ~1.4 GB of records, four strips at a
// time, with a GEMV's arithmetic per 64-byte row (two VPDPBUSD), reading each record in
// two orders: the records' old layout (the reads jump ahead within each record and come
// back) and the ascending one the layouts now have. Build and run:
//   g++ -O2 -mavx512f -mavx512bw -mavx512vnni -o order_probe order_probe.cpp && ./order_probe
// Prints GB/s and the time per 4096x14336 matrix of each case.
#include <immintrin.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

// A record: CODE 64-byte code rows, HEAD header lines, HIGH rows of high bits (one per PER
// code rows); the first header line (the scales) is read after every EVERY code rows, the
// rest at the end of the record. OLD: code rows, then high rows, then the header, as
// kq_nib_vnni16 and vnni16 were until 2026-11-29; else the header first and each high row
// before the code rows it serves, as they are now.
template <size_t CODE, size_t HEAD, size_t HIGH, size_t PER, size_t EVERY, bool OLD>
struct Record {
  static constexpr size_t kBytes = 64 * (CODE + HEAD + HIGH);
  static constexpr size_t code(size_t kk) {
    if (OLD) return 64 * kk;
    if (HIGH == 0) return 64 * (HEAD + kk);
    return 64 * (HEAD + kk / PER * (PER + 1) + 1 + kk % PER);
  }
  static constexpr size_t high(size_t kk) {
    return OLD ? 64 * (CODE + kk / PER) : 64 * (HEAD + kk / PER * (PER + 1));
  }
  static constexpr size_t head(size_t line) { return OLD ? 64 * (CODE + HIGH + line) : 64 * line; }
};

template <class R, size_t CODE, size_t HEAD, size_t HIGH, size_t EVERY>
__attribute__((noinline)) __m512i run(const uint8_t* buf, size_t records, size_t strips) {
  const size_t strip_bytes = R::kBytes * records;
  __m512i acc[8];
  for (auto& a : acc) a = _mm512_setzero_si512();
  const __m512i a = _mm512_set1_epi8(1), low4 = _mm512_set1_epi8(15);
  for (size_t t = 0; t + 4 <= strips; t += 4) {
    for (size_t b = 0; b < records; ++b) {
      const uint8_t* rec[4];
      for (size_t s = 0; s < 4; ++s) rec[s] = buf + (t + s) * strip_bytes + b * R::kBytes;
      __m512i hdr = _mm512_setzero_si512();
#pragma GCC unroll 32
      for (size_t kk = 0; kk < CODE; ++kk) {
#pragma GCC unroll 4
        for (size_t s = 0; s < 4; ++s) {
          __m512i raw = _mm512_loadu_si512(rec[s] + R::code(kk));
          if (HIGH != 0) raw = _mm512_ternarylogic_epi32(raw, _mm512_loadu_si512(rec[s] + R::high(kk)), low4, 0xf8);
          acc[2 * s] = _mm512_dpbusd_epi32(acc[2 * s], _mm512_and_si512(raw, low4), a);
          acc[2 * s + 1] = _mm512_dpbusd_epi32(acc[2 * s + 1], _mm512_andnot_si512(low4, raw), a);
        }
        if (kk % EVERY == EVERY - 1) {  // the block's scales enter its sums, as in the kernels
#pragma GCC unroll 4
          for (size_t s = 0; s < 4; ++s)
            acc[2 * s] = _mm512_mullo_epi32(
                acc[2 * s], _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s] + R::head(0)))));
        }
      }
#pragma GCC unroll 4
      for (size_t s = 0; s < 4; ++s)
        for (size_t l = 1; l < HEAD; ++l)
          hdr = _mm512_add_epi32(
              hdr, _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s] + R::head(l)))));
      acc[0] = _mm512_add_epi32(acc[0], hdr);
    }
  }
  __m512i r = acc[0];
  for (int i = 1; i < 8; ++i) r = _mm512_add_epi32(r, acc[i]);
  return r;
}

template <size_t CODE, size_t HEAD, size_t HIGH, size_t PER, size_t EVERY>
void measure(const char* name, const uint8_t* buf, size_t bytes, size_t records) {
  for (bool old : {true, false}) {
    using Old = Record<CODE, HEAD, HIGH, PER, EVERY, true>;
    using New = Record<CODE, HEAD, HIGH, PER, EVERY, false>;
    const size_t rec_bytes = Old::kBytes;
    const size_t strips = bytes / (rec_bytes * records) / 4 * 4;
    const auto t0 = std::chrono::steady_clock::now();
    const __m512i r = old ? run<Old, CODE, HEAD, HIGH, EVERY>(buf, records, strips)
                          : run<New, CODE, HEAD, HIGH, EVERY>(buf, records, strips);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double streamed = static_cast<double>(strips * records * rec_bytes);
    const double matrix = 256.0 * static_cast<double>(records * rec_bytes);  // 4096 rows
    std::printf("%-10s %-9s %5.1f GB/s  %5.0f us per 4096x14336 %d\n", name, old ? "old" : "ascending",
                streamed / s / 1e9, matrix / (streamed / s) * 1e6, _mm512_reduce_add_epi32(r) & 1);
  }
}

}  // namespace

int main() {
  const size_t bytes = size_t{1400} << 20;
  auto* buf = static_cast<uint8_t*>(aligned_alloc(size_t{2} << 20, bytes));
  madvise(buf, bytes, MADV_HUGEPAGE);
  std::memset(buf, 1, bytes);
  // K = 14336: 56 K-quant records or 224 vnni16 group pairs... per strip. Q4_K-like: 32 code
  // rows, 5 header lines; Q5_K-like: 8 high rows too; Q4_0-like: one vnni16 group (8 code
  // rows, the scale line read after each block's 4).
  for (int round = 0; round < 2; ++round) {
    measure<32, 5, 0, 1, 8>("q4_K-like", buf, bytes, 56);
    measure<32, 5, 8, 4, 8>("q5_K-like", buf, bytes, 56);
    measure<8, 1, 0, 1, 4>("q4_0-like", buf, bytes, 224);
  }
}
