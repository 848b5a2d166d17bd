// The 256-bit register operations of the K-quant nibble GEMV (kqn_gemv_tile.h) for the
// AVX-VNNI kernels: a 16-column strip of kq_nib_vnni16 is two ymm parts, lanes 0-7 and
// 8-15, each reading its half of every per-lane field (the tile adds the part's lane
// offset). VPDPBUSD / VPDPWSSD through Dot256 (avxvnni_dot.h), so one body serves the VEX
// production kernels (avxvnni_kqn_gemv.cpp), the EVEX stand-ins (avxvnni_evex.cpp) and the
// plain AVX2 kernels (avx2_kernels.cpp).
// The partial-strip store is VMASKMOVPS (ymm_lanes.h). Internal linkage (vnni_raw.h says
// why).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/avxvnni_dot.h"
#include "kernels/vnni/iq4_book.h"
#include "kernels/vnni/vnni_raw.h"
#include "kernels/vnni/ymm_lanes.h"

namespace amxlab::vnni::raw {
namespace {

struct Vec256 {
  using I = __m256i;
  using F = __m256;
  static constexpr int kLanes = 8;
  static constexpr int kParts = 2;
  static constexpr bool kFullU8 = Dot256::kFullU8;  // false for the AVX2 dot (avxvnni_dot.h)
  // Strips per tile: one (its two parts take 2 x (fields + 2) of the 16 VEX registers),
  // but two for Q4_K, Q5_K, IQ4_XS and Q3_K on plain AVX2 (kq_records::avx2_gemv_strips), where the
  // int16 groups (kqn_gemv_tile.h) take the dot chains' widening out of most rows: two
  // streams per core instead of one. M = 1, N = 4096, K = 14336, hot, 4 alternating rounds
  // (2026-12-01): Q4_K 0.81-0.89 of the time, Q5_K 0.79-0.96 at 1 and 2 threads; Q6_K
  // (groups of 2 rows) 0.92-1.41, so one strip there; IQ4_XS (6 rounds, twenty-fifth
  // session) by medians 0.87 / 0.81 hot and 1.05 / 0.94 cold at 1 / 2 threads, by minima
  // 0.91-0.97 across the four shapes; Q3_K (6 rounds, same session) by minima 0.93-1.01,
  // medians 0.90-1.04; Q2_K (crumbs: 4 fields) by minima 1.04-1.07 slower, so one strip.
  template <int KIND>
  static constexpr int tile_strips() {
    return kFullU8 ? 1 : kq_records::avx2_gemv_strips(KIND);
  }

  [[gnu::always_inline]] static I zero() { return _mm256_setzero_si256(); }
  [[gnu::always_inline]] static F zero_ps() { return _mm256_setzero_ps(); }
  [[gnu::always_inline]] static I set1_32(int32_t x) { return _mm256_set1_epi32(x); }
  [[gnu::always_inline]] static I set1_8(int x) { return _mm256_set1_epi8(static_cast<char>(x)); }
  [[gnu::always_inline]] static F set1_ps(float x) { return _mm256_set1_ps(x); }
  [[gnu::always_inline]] static I load_row(const uint8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  [[gnu::always_inline]] static void touch(const uint8_t* p) {
    const __m256i line = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __asm__ volatile("" : : "x"(line));
  }
  [[gnu::always_inline]] static I and_(I a, I b) { return _mm256_and_si256(a, b); }
  [[gnu::always_inline]] static I or_(I a, I b) { return _mm256_or_si256(a, b); }
  [[gnu::always_inline]] static I srli16(I a, unsigned n) {
    return _mm256_srli_epi16(a, static_cast<int>(n));
  }
  [[gnu::always_inline]] static I slli16(I a, unsigned n) {
    return _mm256_slli_epi16(a, static_cast<int>(n));
  }
  [[gnu::always_inline]] static I srai32(I a, unsigned n) {
    return _mm256_srai_epi32(a, static_cast<int>(n));
  }
  [[gnu::always_inline]] static I slli32(I a, unsigned n) {
    return _mm256_slli_epi32(a, static_cast<int>(n));
  }
  [[gnu::always_inline]] static I add32(I a, I b) { return _mm256_add_epi32(a, b); }
  [[gnu::always_inline]] static I mullo32(I a, I b) { return _mm256_mullo_epi32(a, b); }
  [[gnu::always_inline]] static I shuffle8(I table, I idx) { return _mm256_shuffle_epi8(table, idx); }
  [[gnu::always_inline]] static I dpbusd(I acc, I u, I a) { return Dot256::dpbusd(acc, u, a); }
  [[gnu::always_inline]] static I dpwssd(I acc, I c, I b) { return Dot256::dpwssd(acc, c, b); }
  [[gnu::always_inline]] static I blend_high_words(I lo, I hi) { return _mm256_blend_epi16(lo, hi, 0xaa); }
  [[gnu::always_inline]] static I scales_i32(const uint8_t* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  [[gnu::always_inline]] static I pairs_i16(const uint8_t* p) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  [[gnu::always_inline]] static F f16_ps(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  [[gnu::always_inline]] static F cvt_ps(I a) { return _mm256_cvtepi32_ps(a); }
  [[gnu::always_inline]] static F mul_ps(F a, F b) { return _mm256_mul_ps(a, b); }
  [[gnu::always_inline]] static F fmadd_ps(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  [[gnu::always_inline]] static F neg_ps(F a) {
    return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(a), _mm256_set1_epi32(INT32_MIN)));
  }
  // The lanes whose bit is set in the low 8 bits of `bits`.
  [[gnu::always_inline]] static void store(float* p, F v, uint32_t bits) {
    if ((bits & 0xffu) == 0xffu) {
      _mm256_storeu_ps(p, v);
      return;
    }
    _mm256_maskstore_ps(p, ymm_lane_mask(bits), v);
  }
  // Products kept in int16 over groups of rows where the codes allow (plain AVX2 only:
  // avxvnni_dot.h kq_int16_group; 0 with VPDPBUSD).
  template <int SUB, int UMAX>
  static constexpr int int16_group() {
    return kq_int16_group<SUB, UMAX>();
  }
  [[gnu::always_inline]] static I dot16(I acc16, I u, I a) { return raw::dot16(acc16, u, a); }
  [[gnu::always_inline]] static I widen16(I acc, I acc16) { return raw::widen16(acc, acc16); }
  // The IQ4_NL / IQ4_XS code book + 128 in both 128-bit lanes, for VPSHUFB (iq4_book.h).
  [[gnu::always_inline]] static I iq4_book() { return iq4_book_u8_256(); }
  // IQ4_XS on plain AVX2: its book + 128 through Dot256::dot_flip (kqn_gemv_tile.h kFlip).
#if defined(AMXLAB_DOT256_AVX2)
  static constexpr bool kSignedBook = true;
  [[gnu::always_inline]] static void signed_codes(const uint8_t* codes, uint8_t* abs, uint8_t* flip,
                                                  int32_t* neg) {
    Dot256::signed_codes(codes, abs, flip, neg);
  }
  [[gnu::always_inline]] static I dot_flip(I acc, I u, I abs_a, I flip) {
    return Dot256::dot_flip(acc, u, abs_a, flip, _mm256_set1_epi16(1));
  }
#else
  static constexpr bool kSignedBook = false;
#endif
};

}  // namespace
}  // namespace amxlab::vnni::raw
