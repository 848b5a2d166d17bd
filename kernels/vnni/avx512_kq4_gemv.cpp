// AVX-512 VNNI GEMV for Q4_K and IQ4_XS over kq4_nib_vnni16 (kernels/pack/kq4_nibble_pack.h),
// the 4-bit codes kept: the decode step streams 148 bytes per 256 weights instead of
// kq_i8_vnni16's 308. Built with the flags of avx512_gemm.cpp (vnni/sources.cmake).
//
// Per output lane and super-block, in ascending order (the golden order, golden_gemm.h):
//   row kk of the record: lo = raw AND 0x0f (sub-block kk/8), hi = (raw >> 4) AND 0x0f
//   (sub-block 4 + kk/8); IQ4_XS: VPSHUFB through the code book + 128
//   dot(sub) = VPDPBUSD chain (8 per sub-block);  S = sum_sub VPMULLD(dot, scale)
//   T = 4 VPDPWSSD of the int8 coefficient pairs (VPMOVSXBW) x the row's bsum32 pairs
//   Q4_K:   acc = fma((float)S, d_w * d_a, acc); acc = fma(-(d_a * dmin_w), (float)T, acc)
//   IQ4_XS: acc = fma((float)(S - 128 T), d_w * d_a, acc)
// which are the golden S_b and Mn_b exactly (int32 sums wrap alike).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

constexpr size_t kRecordBytes = 2368;  // kq4n::kRecordBytes
constexpr size_t kScaleOffset = 2048, kCoefOffset = 2176, kDOffset = 2304, kDminOffset = 2336;
constexpr size_t kActBlockBytes = 292, kActCodeOffset = 4, kActBsumOffset = 260;
constexpr auto kAll = static_cast<__mmask16>(0xffff);
constexpr int kNS = 4;  // strips per register tile: 64 columns

// Records ahead that are prefetched (measured in kernels/README.md "K-quants").
constexpr size_t kPrefetchRecords = 2;

struct Row {
  const uint8_t* a;  // the Q8_K row
  float* y;
};

template <bool IQ4, int NS>
[[gnu::always_inline]] inline void tile(const KqArgs& g, const Row& row, int64_t s0, const __mmask16* masks) {
  const auto* w = reinterpret_cast<const uint8_t*>(g.w);
  const uint8_t* ws[NS];
  for (int s = 0; s < NS; ++s) ws[s] = w + static_cast<size_t>(s0 + s) * g.strip_bytes;
  const __m512i low4 = _mm512_set1_epi8(0x0f);
  // The code book + 128 (unsigned VPDPBUSD operand), in every 128-bit lane.
  const __m512i book = _mm512_maskz_broadcast_i32x4(kAll,
      _mm_setr_epi8(1, 24, 45, 63, 79, 93, 106, 118, static_cast<char>(129), static_cast<char>(141),
                    static_cast<char>(153), static_cast<char>(166), static_cast<char>(181), static_cast<char>(197),
                    static_cast<char>(217), static_cast<char>(241)));
  __m512 acc[NS];
  for (int s = 0; s < NS; ++s) acc[s] = _mm512_setzero_ps();
  for (int64_t b = 0; b < g.superblocks; ++b) {
    const uint8_t* ab = row.a + static_cast<size_t>(b) * kActBlockBytes;
    const uint8_t* rec[NS];
    for (int s = 0; s < NS; ++s) {
      rec[s] = ws[s] + static_cast<size_t>(b) * kRecordBytes;
      if (b + static_cast<int64_t>(kPrefetchRecords) < g.superblocks) {
        const uint8_t* pf = rec[s] + kPrefetchRecords * kRecordBytes;
        for (size_t line = 0; line < kRecordBytes; line += 64) _mm_prefetch(reinterpret_cast<const char*>(pf + line), _MM_HINT_T0);
      }
    }
    __m512i sum[NS];
    for (int s = 0; s < NS; ++s) sum[s] = _mm512_setzero_si512();
#pragma GCC unroll 1
    for (int q = 0; q < 4; ++q) {
      __m512i dlo[NS], dhi[NS];
      for (int s = 0; s < NS; ++s) dlo[s] = dhi[s] = _mm512_setzero_si512();
#pragma GCC unroll 8
      for (int kk = 0; kk < 8; ++kk) {
        int32_t alo_i, ahi_i;
        std::memcpy(&alo_i, ab + kActCodeOffset + 32 * q + 4 * kk, 4);
        std::memcpy(&ahi_i, ab + kActCodeOffset + 128 + 32 * q + 4 * kk, 4);
        const __m512i alo = _mm512_set1_epi32(alo_i), ahi = _mm512_set1_epi32(ahi_i);
#pragma GCC unroll 4
        for (int s = 0; s < NS; ++s) {
          const __m512i raw = _mm512_loadu_si512(rec[s] + 64 * static_cast<size_t>(8 * q + kk));
          __m512i lo = _mm512_and_si512(raw, low4);
          __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);
          if constexpr (IQ4) {
            lo = _mm512_shuffle_epi8(book, lo);
            hi = _mm512_shuffle_epi8(book, hi);
          }
          dlo[s] = _mm512_dpbusd_epi32(dlo[s], lo, alo);
          dhi[s] = _mm512_dpbusd_epi32(dhi[s], hi, ahi);
        }
      }
#pragma GCC unroll 4
      for (int s = 0; s < NS; ++s) {
        const __m512i sl = _mm512_maskz_cvtepi8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s] + kScaleOffset + 16 * q)));
        const __m512i sh = _mm512_maskz_cvtepi8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rec[s] + kScaleOffset + 16 * (q + 4))));
        sum[s] = _mm512_add_epi32(sum[s], _mm512_add_epi32(_mm512_mullo_epi32(dlo[s], sl), _mm512_mullo_epi32(dhi[s], sh)));
      }
    }
    // bsum32 pairs of this row: (sum of codes of sub-block 2p, of 2p + 1) as int16.
    int16_t bs[16];
    std::memcpy(bs, ab + kActBsumOffset, sizeof bs);
    __m512i pair[4];
    for (int p = 0; p < 4; ++p) {
      const auto lo = static_cast<uint16_t>(bs[4 * p] + bs[4 * p + 1]);
      const auto hi = static_cast<uint16_t>(bs[4 * p + 2] + bs[4 * p + 3]);
      pair[p] = _mm512_set1_epi32(static_cast<int32_t>(lo | (static_cast<uint32_t>(hi) << 16)));
    }
    float da;
    std::memcpy(&da, ab, sizeof da);
    const __m512 dav = _mm512_set1_ps(da);
#pragma GCC unroll 4
    for (int s = 0; s < NS; ++s) {
      __m512i t = _mm512_setzero_si512();
      for (int p = 0; p < 4; ++p) {
        const __m512i cf = _mm512_maskz_cvtepi8_epi16(static_cast<__mmask32>(0xffffffffu),
                                                      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec[s] + kCoefOffset + 32 * p)));
        t = _mm512_dpwssd_epi32(t, cf, pair[p]);
      }
      const __m512 dw = _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec[s] + kDOffset)));
      if constexpr (IQ4) {
        const __m512i st = _mm512_sub_epi32(sum[s], _mm512_maskz_slli_epi32(kAll, t, 7));
        acc[s] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, st), _mm512_mul_ps(dw, dav), acc[s]);
      } else {
        const __m512 dmw = _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rec[s] + kDminOffset)));
        acc[s] = _mm512_fmadd_ps(_mm512_maskz_cvtepi32_ps(kAll, sum[s]), _mm512_mul_ps(dw, dav), acc[s]);
        const __m512 nd = _mm512_castsi512_ps(
            _mm512_xor_si512(_mm512_castps_si512(_mm512_mul_ps(dav, dmw)), _mm512_set1_epi32(INT32_MIN)));
        acc[s] = _mm512_fmadd_ps(nd, _mm512_maskz_cvtepi32_ps(kAll, t), acc[s]);
      }
    }
  }
  for (int s = 0; s < NS; ++s) _mm512_mask_storeu_ps(row.y + 16 * (s0 + s), masks[s], acc[s]);
}

template <bool IQ4, int NS>
void tile_dispatch(const KqArgs& g, const Row& row, int64_t s0, int ns, const __mmask16* masks) {
  if constexpr (NS > 1) {
    if (ns < NS) return tile_dispatch<IQ4, NS - 1>(g, row, s0, ns, masks);
  }
  tile<IQ4, NS>(g, row, s0, masks);
}

template <bool IQ4>
void drive(const KqArgs& g) {
  const int64_t s_lo = g.n0 / 16, s_hi = (g.n1 + 15) / 16;
  for (int64_t r = 0; r < g.rows; ++r) {
    const Row row{reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride,
                  g.y + static_cast<size_t>(r) * g.y_stride};
    for (int64_t s = s_lo; s < s_hi; s += kNS) {
      const int ns = static_cast<int>(s_hi - s < kNS ? s_hi - s : kNS);
      __mmask16 masks[kNS];
      for (int i = 0; i < kNS; ++i) {
        const int64_t c0 = (s + i) * 16;
        const int64_t lo = g.n0 > c0 ? g.n0 - c0 : 0;
        const int64_t hi = g.n1 - c0 < 16 ? g.n1 - c0 : 16;
        masks[i] = hi <= lo ? static_cast<__mmask16>(0)
                            : static_cast<__mmask16>(((1u << hi) - 1u) & ~((1u << lo) - 1u));
      }
      tile_dispatch<IQ4, kNS>(g, row, s, ns, masks);
    }
  }
}

}  // namespace

void avx512_kq4_gemv(const KqArgs& g) {
  if (g.has_min != 0) return drive<false>(g);
  drive<true>(g);
}

}  // namespace amxlab::vnni::raw
