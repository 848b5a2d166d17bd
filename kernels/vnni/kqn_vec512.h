// The 512-bit register operations of the K-quant nibble GEMV (kqn_gemv_tile.h) for the
// AVX-512 VNNI kernels (avx512_kqn_gemv.cpp, and avx512ext_kqn_gemv.cpp with VBMI + GFNI):
// one zmm holds a whole 16-column strip, so every per-lane field is read at its record
// offset. Each operation is the intrinsic the tile body had before it served two widths
// (the objects did not change). Internal linkage (vnni_raw.h says why).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/iq4_book.h"

namespace amxlab::vnni::raw {
namespace {

struct Vec512 {
  using I = __m512i;
  using F = __m512;
  static constexpr int kLanes = 16;  // columns per register
  static constexpr int kParts = 1;   // registers per 16-column strip
  template <int KIND>
  static constexpr int tile_strips() {
    return 4;  // strips per register tile: 64 columns
  }
  static constexpr auto kAll = static_cast<__mmask16>(0xffff);
  static constexpr bool kFullU8 = true;       // VPDPBUSD takes any u8
  static constexpr bool kSignedBook = false;  // so IQ4_XS's book + 128 goes in as it is
  template <int SUB, int UMAX>
  static constexpr int int16_group() {
    return 0;  // VPDPBUSD sums in int32
  }

  [[gnu::always_inline]] static I zero() { return _mm512_setzero_si512(); }
  [[gnu::always_inline]] static F zero_ps() { return _mm512_setzero_ps(); }
  [[gnu::always_inline]] static I set1_32(int32_t x) { return _mm512_set1_epi32(x); }
  [[gnu::always_inline]] static I set1_8(int x) { return _mm512_set1_epi8(static_cast<char>(x)); }
  [[gnu::always_inline]] static F set1_ps(float x) { return _mm512_set1_ps(x); }
  // kLanes x 4 bytes: a code row or a high row.
  [[gnu::always_inline]] static I load_row(const uint8_t* p) { return _mm512_loadu_si512(p); }
  // Loads one 64-byte line for touch_lines(); the value is not used.
  [[gnu::always_inline]] static void touch(const uint8_t* p) {
    const __m512i line = _mm512_loadu_si512(p);
    __asm__ volatile("" : : "v"(line));
  }
  [[gnu::always_inline]] static I and_(I a, I b) { return _mm512_and_si512(a, b); }
  [[gnu::always_inline]] static I or_(I a, I b) { return _mm512_or_si512(a, b); }
  [[gnu::always_inline]] static I srli16(I a, unsigned n) { return _mm512_srli_epi16(a, n); }
  [[gnu::always_inline]] static I slli16(I a, unsigned n) { return _mm512_slli_epi16(a, n); }
  [[gnu::always_inline]] static I srai32(I a, unsigned n) { return _mm512_maskz_srai_epi32(kAll, a, n); }
  [[gnu::always_inline]] static I slli32(I a, unsigned n) { return _mm512_maskz_slli_epi32(kAll, a, n); }
  [[gnu::always_inline]] static I add32(I a, I b) { return _mm512_add_epi32(a, b); }
  [[gnu::always_inline]] static I mullo32(I a, I b) { return _mm512_mullo_epi32(a, b); }
  [[gnu::always_inline]] static I shuffle8(I table, I idx) { return _mm512_shuffle_epi8(table, idx); }
  [[gnu::always_inline]] static I dpbusd(I acc, I u, I a) { return _mm512_dpbusd_epi32(acc, u, a); }
  [[gnu::always_inline]] static I dpwssd(I acc, I c, I b) { return _mm512_dpwssd_epi32(acc, c, b); }
  // Odd int16 of each dword from hi, even from lo.
  [[gnu::always_inline]] static I blend_high_words(I lo, I hi) {
    return _mm512_mask_blend_epi16(static_cast<__mmask32>(0xaaaaaaaau), lo, hi);
  }
  // kLanes int8 -> int32 lanes.
  [[gnu::always_inline]] static I scales_i32(const uint8_t* p) {
    return _mm512_maskz_cvtepi8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  // 2 x kLanes int8 -> int16 pairs, one pair per lane.
  [[gnu::always_inline]] static I pairs_i16(const uint8_t* p) {
    return _mm512_maskz_cvtepi8_epi16(~__mmask32{0}, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  // kLanes fp16 -> fp32.
  [[gnu::always_inline]] static F f16_ps(const uint8_t* p) {
    return _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  [[gnu::always_inline]] static F cvt_ps(I a) { return _mm512_maskz_cvtepi32_ps(kAll, a); }
  [[gnu::always_inline]] static F mul_ps(F a, F b) { return _mm512_mul_ps(a, b); }
  [[gnu::always_inline]] static F fmadd_ps(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  [[gnu::always_inline]] static F neg_ps(F a) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
  }
  // The lanes whose bit is set in `bits` (bit j: lane j).
  [[gnu::always_inline]] static void store(float* p, F v, uint32_t bits) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>(bits), v);
  }
  // IQ4_XS's code book + 128 in every 128-bit lane (iq4_book.h).
  [[gnu::always_inline]] static I iq4_book() { return iq4_book_u8(); }

  // The unpack of code row kk with AVX-512 VBMI and GFNI (the X kernels, kqn_gemv_tile.h
  // has_unpack_x): IQ4_XS looks both nibbles up with VPERMB, whose 64-byte table repeats
  // the book four times, so the index bits above the nibble need no mask (3 instructions
  // instead of 5); Q5_K moves its high bits with one GF2P8AFFINEQB each and merges them
  // with the VPTERNLOGD that masks the nibble, (x AND 0x0f) OR h, imm 0xec (5 instead of
  // 9). Same codes as the plain unpack, so the same chains. Q6_K's version of the latter
  // (two bits moved) measured no faster (kernels/README.md), so Q6_K has no X kernel.
  // `rows`: the record, where its code and high rows start for these lanes.
  template <int KIND>
  [[gnu::always_inline]] static void unpack_x(const uint8_t* rows, I raw, int kk, int r, I book, I (&v)[2]) {
    const __m512i low4 = _mm512_set1_epi8(0x0f);
    const __m512i shifted = _mm512_srli_epi16(raw, 4);
    if constexpr (KIND == kq_records::kNibIQ4_XS) {
      constexpr __mmask64 kAllBytes = ~__mmask64{0};
      v[0] = _mm512_maskz_permutexvar_epi8(kAllBytes, raw, book);
      v[1] = _mm512_maskz_permutexvar_epi8(kAllBytes, shifted, book);
    } else {
      static_assert(KIND == kq_records::kNibQ5_K);
      constexpr kq_records::NibRecord kR = kq_records::nib_record_of(KIND);
      const __m512i hb = _mm512_loadu_si512(rows + kR.high_row(kk));
      const __m512i hl =
          _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(kR.high_shift(r, 0))), 0);
      const __m512i hh =
          _mm512_gf2p8affine_epi64_epi8(hb, _mm512_set1_epi64(move_to_bit4(kR.high_shift(r, 1))), 0);
      v[0] = _mm512_ternarylogic_epi32(raw, hl, low4, 0xec);
      v[1] = _mm512_ternarylogic_epi32(shifted, hh, low4, 0xec);
    }
  }

 private:
  // GF2P8AFFINEQB matrix moving bit `from` of every byte to bit 4 and clearing the other
  // bits: result bit i is the parity of the byte AND the matrix's byte 7 - i.
  static constexpr int64_t move_to_bit4(int from) { return static_cast<int64_t>(uint64_t{1} << from << 24); }
};

}  // namespace
}  // namespace amxlab::vnni::raw
