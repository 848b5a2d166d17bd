// The body of the AMX kernels' vector steps (amx_vector_steps.h says what each does),
// written once over a register width: 16 lanes (zmm) in a unit built with AVX-512
// (amx_vector_avx512.cpp), 8 lanes (ymm) in one built with AVX2 (amx_vector_avx2.cpp).
// A 16-column strip is 16 / kLanes parts; each part runs the whole sequence of steps on
// its lanes, so every output lane sees the same operations in the same order at either
// width. Internal linkage (vnni_raw.h says why).
#pragma once

#include <immintrin.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/amx/amx_vector_steps.h"
#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/kq_bsum_pairs.h"

namespace amxlab::amx {
namespace {

#if defined(__AVX512F__)
#if !defined(__AVX512BW__) || !defined(__AVX512VNNI__)
#error "the 512-bit vector steps need -mavx512f -mavx512bw -mavx512vnni"
#endif
struct Lanes {
  using F = __m512;
  using I = __m512i;
  static constexpr int kLanes = 16;
  static constexpr const char* kIsa = "avx512";
  // Zero-masking forms with an all-ones mask (the same instructions): gcc 12's unmasked
  // conversions merge into an undefined vector that -Wmaybe-uninitialized reports.
  static constexpr auto kAll = static_cast<__mmask16>(0xffff);
  [[gnu::always_inline]] static F load(const float* p) { return _mm512_loadu_ps(p); }
  [[gnu::always_inline]] static void store(float* p, F x) { _mm512_storeu_ps(p, x); }
  [[gnu::always_inline]] static I load(const int32_t* p) { return _mm512_loadu_si512(p); }
  [[gnu::always_inline]] static I load(const std::byte* p) { return _mm512_loadu_si512(p); }
  [[gnu::always_inline]] static void store(int32_t* p, I x) { _mm512_storeu_si512(p, x); }
  [[gnu::always_inline]] static F set1(float x) { return _mm512_set1_ps(x); }
  [[gnu::always_inline]] static I set1(int32_t x) { return _mm512_set1_epi32(x); }
  [[gnu::always_inline]] static F zero_ps() { return _mm512_setzero_ps(); }
  [[gnu::always_inline]] static I zero() { return _mm512_setzero_si512(); }
  [[gnu::always_inline]] static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  [[gnu::always_inline]] static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  [[gnu::always_inline]] static F to_f32(I x) { return _mm512_maskz_cvtepi32_ps(kAll, x); }
  [[gnu::always_inline]] static F negate(F x) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN)));
  }
  [[gnu::always_inline]] static I add(I a, I b) { return _mm512_add_epi32(a, b); }
  [[gnu::always_inline]] static I mullo(I a, I b) { return _mm512_mullo_epi32(a, b); }
  [[gnu::always_inline]] static I dpwssd(I acc, I a, I b) { return _mm512_dpwssd_epi32(acc, a, b); }
  // kLanes int8 -> int32; kLanes fp16 -> fp32.
  [[gnu::always_inline]] static I from_i8(const std::byte* p) {
    return _mm512_maskz_cvtepi8_epi32(kAll, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  [[gnu::always_inline]] static F from_f16(const std::byte* p) {
    return _mm512_maskz_cvtph_ps(kAll, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
};
#elif defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
struct Lanes {
  using F = __m256;
  using I = __m256i;
  static constexpr int kLanes = 8;
  static constexpr const char* kIsa = "avx2";
  [[gnu::always_inline]] static F load(const float* p) { return _mm256_loadu_ps(p); }
  [[gnu::always_inline]] static void store(float* p, F x) { _mm256_storeu_ps(p, x); }
  [[gnu::always_inline]] static I load(const int32_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  [[gnu::always_inline]] static I load(const std::byte* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  [[gnu::always_inline]] static void store(int32_t* p, I x) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), x);
  }
  [[gnu::always_inline]] static F set1(float x) { return _mm256_set1_ps(x); }
  [[gnu::always_inline]] static I set1(int32_t x) { return _mm256_set1_epi32(x); }
  [[gnu::always_inline]] static F zero_ps() { return _mm256_setzero_ps(); }
  [[gnu::always_inline]] static I zero() { return _mm256_setzero_si256(); }
  [[gnu::always_inline]] static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  [[gnu::always_inline]] static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  [[gnu::always_inline]] static F to_f32(I x) { return _mm256_cvtepi32_ps(x); }
  [[gnu::always_inline]] static F negate(F x) {
    return _mm256_castsi256_ps(_mm256_xor_si256(_mm256_castps_si256(x), _mm256_set1_epi32(INT32_MIN)));
  }
  [[gnu::always_inline]] static I add(I a, I b) { return _mm256_add_epi32(a, b); }
  [[gnu::always_inline]] static I mullo(I a, I b) { return _mm256_mullo_epi32(a, b); }
  // VPDPWSSD is VPMADDWD then VPADDD exactly: both wrap modulo 2^32 alike.
  [[gnu::always_inline]] static I dpwssd(I acc, I a, I b) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
  }
  [[gnu::always_inline]] static I from_i8(const std::byte* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  [[gnu::always_inline]] static F from_f16(const std::byte* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
};
#else
#error "the vector steps' unit needs -mavx512f -mavx512bw -mavx512vnni or -mavx2 -mfma -mf16c"
#endif

using F = Lanes::F;
using I = Lanes::I;
constexpr int kParts = 16 / Lanes::kLanes;  // parts of a 16-column strip

template <bool kMin, int G>
void epilogue_group(float* acc, const int32_t* c, const BlockScales* sc, const float* da, const float* sa,
                    std::ptrdiff_t ld, int rows, bool two) {
  for (int part = 0; part < kParts; ++part) {
    const int o = part * Lanes::kLanes;
    F w0[G], w1[G], m0[G], m1[G];
    for (int g = 0; g < G; ++g) {
      w0[g] = Lanes::load(sc[g].dw0 + o);
      w1[g] = two ? Lanes::load(sc[g].dw1 + o) : Lanes::zero_ps();
      m0[g] = kMin ? Lanes::load(sc[g].mw0 + o) : Lanes::zero_ps();
      m1[g] = kMin && two ? Lanes::load(sc[g].mw1 + o) : Lanes::zero_ps();
    }
    for (int r = 0; r < rows; ++r) {
      float* ar = acc + 32 * r + o;
      F x0 = Lanes::load(ar);
      F x1 = Lanes::load(ar + 16);
      for (int g = 0; g < G; ++g) {
        const int32_t* cr = c + 1024 * g + 32 * r + o;
        const F a = Lanes::set1(da[g * ld + r]);
        x0 = Lanes::fmadd(Lanes::to_f32(Lanes::load(cr)), Lanes::mul(w0[g], a), x0);
        if (kMin) x0 = Lanes::fmadd(m0[g], Lanes::set1(sa[g * ld + r]), x0);
        if (two) {
          x1 = Lanes::fmadd(Lanes::to_f32(Lanes::load(cr + 16)), Lanes::mul(w1[g], a), x1);
          if (kMin) x1 = Lanes::fmadd(m1[g], Lanes::set1(sa[g * ld + r]), x1);
        }
      }
      Lanes::store(ar, x0);
      if (two) Lanes::store(ar + 16, x1);
    }
  }
}

// G = count (1..kGroupBlocks) as a compile-time constant: the block loop unrolls and
// the per-block scale vectors stay in registers.
template <bool kMin>
void epilogue_of(float* acc, const int32_t* c, const BlockScales* sc, int count, const float* da,
                 const float* sa, std::ptrdiff_t ld, int rows, bool two) {
  static_assert(kGroupBlocks == 4, "update the dispatch below");
  switch (count) {
    case 1: return epilogue_group<kMin, 1>(acc, c, sc, da, sa, ld, rows, two);
    case 2: return epilogue_group<kMin, 2>(acc, c, sc, da, sa, ld, rows, two);
    case 3: return epilogue_group<kMin, 3>(acc, c, sc, da, sa, ld, rows, two);
    default: return epilogue_group<kMin, 4>(acc, c, sc, da, sa, ld, rows, two);
  }
}

void epilogue(bool min, float* acc, const int32_t* c, const BlockScales* sc, int count, const float* da,
              const float* sa, std::ptrdiff_t ld, int rows, bool two) {
  if (min) return epilogue_of<true>(acc, c, sc, count, da, sa, ld, rows, two);
  epilogue_of<false>(acc, c, sc, count, da, sa, ld, rows, two);
}

void fold_subblock(int32_t* sum, const int32_t* dot, const std::byte* sc0, const std::byte* sc1, int rows,
                   bool two) {
  for (int part = 0; part < kParts; ++part) {
    const int o = part * Lanes::kLanes;
    const I s0 = Lanes::from_i8(sc0 + o);
    const I s1 = Lanes::from_i8(sc1 + o);
    for (int r = 0; r < rows; ++r) {
      int32_t* sr = sum + 32 * r + o;
      const int32_t* dr = dot + 32 * r + o;
      Lanes::store(sr, Lanes::add(Lanes::load(sr), Lanes::mullo(Lanes::load(dr), s0)));
      if (two)
        Lanes::store(sr + 16, Lanes::add(Lanes::load(sr + 16), Lanes::mullo(Lanes::load(dr + 16), s1)));
    }
  }
}

template <int SUB, bool MIN>
void finish_of(float* acc, const int32_t* sum, const std::byte* rec0, const std::byte* rec1,
               const std::byte* ab, size_t stride, int rows, bool two) {
  constexpr int kPairs = 256 / SUB / 2;
  const std::byte* rec[2] = {rec0, rec1};
  for (int part = 0; part < kParts; ++part) {
    const int o = part * Lanes::kLanes;
    I cf[2][kPairs];
    F dw[2], dmw[2];
    for (int h = 0; h < 2; ++h) {
      for (int p = 0; p < kPairs; ++p)
        cf[h][p] = Lanes::load(rec[h] + kq_records::kI8CoefOffset + 64 * p + 4 * o);
      dw[h] = Lanes::from_f16(rec[h] + kq_records::kI8DOffset + 2 * o);
      dmw[h] = Lanes::from_f16(rec[h] + kq_records::kI8DminOffset + 2 * o);
    }
    for (int r = 0; r < rows; ++r) {
      const std::byte* a = ab + static_cast<size_t>(r) * stride;
      float da;
      std::memcpy(&da, a, sizeof da);
      const F dav = Lanes::set1(da);
      int32_t pairs[kPairs];
      vnni::raw::kq_bsum_pairs(a, SUB, pairs);
      for (int h = 0; h < (two ? 2 : 1); ++h) {
        I t = Lanes::zero();
        for (int p = 0; p < kPairs; ++p) t = Lanes::dpwssd(t, cf[h][p], Lanes::set1(pairs[p]));
        float* ar = acc + 32 * r + 16 * h + o;
        const I s = Lanes::load(sum + 32 * r + 16 * h + o);
        F x = Lanes::load(ar);
        if constexpr (MIN) {
          x = Lanes::fmadd(Lanes::to_f32(s), Lanes::mul(dw[h], dav), x);
          x = Lanes::fmadd(Lanes::negate(Lanes::mul(dav, dmw[h])), Lanes::to_f32(t), x);
        } else {
          x = Lanes::fmadd(Lanes::to_f32(Lanes::add(s, t)), Lanes::mul(dw[h], dav), x);
        }
        Lanes::store(ar, x);
      }
    }
  }
}

void finish_superblock(int sub, bool min, float* acc, const int32_t* sum, const std::byte* rec0,
                       const std::byte* rec1, const std::byte* ab, size_t stride, int rows, bool two) {
  if (sub == 32) {
    if (min) return finish_of<32, true>(acc, sum, rec0, rec1, ab, stride, rows, two);
    return finish_of<32, false>(acc, sum, rec0, rec1, ab, stride, rows, two);
  }
  if (min) return finish_of<16, true>(acc, sum, rec0, rec1, ab, stride, rows, two);
  finish_of<16, false>(acc, sum, rec0, rec1, ab, stride, rows, two);
}

constexpr VectorSteps kSteps{&epilogue, &fold_subblock, &finish_superblock, Lanes::kIsa};

}  // namespace
}  // namespace amxlab::amx
