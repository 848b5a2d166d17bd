// AVX2 activation quantisation F32 -> Q8_0 / Q8_1 / Q8_K, bit-identical to kernels/core's
// quantize_activations() (both variants): the quantisers of the 256-bit kernels (the
// `__avx2` and `__avxvnni` ones), which until the twenty-first session used the scalar
// definition itself - 4.5 ns per value on the AVX2-only VM, 9 ms of a 512 x 4096 call,
// 40 % of a Q4_0 512 x 512 x 2048 GEMM there. Built with -mavx2 -mfma -mf16c
// (vnni/sources.cmake); internal linkage except the vnni_raw.h entry points.
//
// The operations per block are those of avx512_quantize.cpp (its header states them),
// written for 8 lanes:
//  * amax by VMAXPS over |x| (order irrelevant; the rows hold no NaN: checked first);
//  * runtime rounding: VROUNDPS to nearest even, then an exact conversion; ref rounding:
//    trunc(v) + sign(v) where |v - trunc(v)| >= 0.5 (v - trunc(v) is exact);
//  * int32 -> int8 by VPACKSSDW / VPACKSSWB and a dword permute: the codes lie in
//    [-127, 127] (|x * inv| <= 127 (1 + 2^-23)^2 rounds to 127), so the saturating packs
//    never saturate and give the truncating VPMOVDB's bytes;
//  * Q8_K: the first element of largest |x| by a compare per vector in element order.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/quantize_rows.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

[[gnu::always_inline]] inline __m256 abs_ps(__m256 v) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v);
}

[[gnu::always_inline]] inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

[[gnu::always_inline]] inline int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

[[gnu::always_inline]] inline __m256i round_even(__m256 v) {
  return _mm256_cvttps_epi32(_mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

[[gnu::always_inline]] inline __m256i round_ref(__m256 v) {
  const __m256 t = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 away = _mm256_cmp_ps(abs_ps(_mm256_sub_ps(v, t)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  // sign(v) * 1 where rounding away, else 0
  const __m256 one = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(1.0f));
  return _mm256_cvttps_epi32(_mm256_add_ps(t, _mm256_and_ps(away, one)));
}

// 32 int32 codes in [-127, 127] (four vectors in element order) -> 32 bytes.
[[gnu::always_inline]] inline void store_codes(uint8_t* out, __m256i q0, __m256i q1, __m256i q2, __m256i q3) {
  // Per 128-bit lane the packs interleave: bytes come out as dwords q0a q1a q2a q3a |
  // q0b q1b q2b q3b (a: elements 0-3 of a vector, b: 4-7); the permute restores the order.
  const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permutevar8x32_epi32(b, order));
}

void quantize_block(int q8_1, int ref, const float* x, uint8_t* out) {
  __m256 xv[4];
  __m256 amax_v = _mm256_setzero_ps();
  for (int i = 0; i < 4; ++i) {
    xv[i] = _mm256_loadu_ps(x + 8 * i);
    amax_v = _mm256_max_ps(amax_v, abs_ps(xv[i]));
  }
  const float amax = hmax(amax_v);
  const auto [d, inv] = q8_scale(amax, ref);
  const __m256 vi = _mm256_set1_ps(inv);
  __m256i q[4];
  for (int i = 0; i < 4; ++i) {
    const __m256 v = _mm256_mul_ps(xv[i], vi);
    q[i] = ref != 0 ? round_ref(v) : round_even(v);
  }
  const size_t code_offset = q8_1 != 0 ? 4 : 2;
  store_codes(out + code_offset, q[0], q[1], q[2], q[3]);
  store_q8_header(
      out, q8_1, d,
      q8_1 != 0 ? hsum(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3]))) : 0);
}

// One Q8_K super-block: fp32 d, 256 codes, 16 int16 group sums (kernels/core/blocks.h).
void quantize_q8_k_block(const float* x, uint8_t* out) {
  constexpr int kVecs = 32;  // 256 / 8 lanes; loaded twice (16 ymm registers hold half)
  __m256 amax_v = _mm256_setzero_ps();
  for (int i = 0; i < kVecs; ++i) amax_v = _mm256_max_ps(amax_v, abs_ps(_mm256_loadu_ps(x + 8 * i)));
  const float amax = hmax(amax_v);
  float max = 0.0f;
  if (amax != 0.0f) {
    const __m256 target = _mm256_set1_ps(amax);
    for (int i = 0; i < kVecs; ++i) {
      const int at =
          _mm256_movemask_ps(_mm256_cmp_ps(abs_ps(_mm256_loadu_ps(x + 8 * i)), target, _CMP_EQ_OQ));
      if (at != 0) {
        max = x[8 * i + __builtin_ctz(static_cast<unsigned>(at))];
        break;
      }
    }
  }
  const float iscale = q8_k_iscale(amax, max, out);
  if (iscale == 0.0f) return;  // written all zero (a finite max never gives 0)
  constexpr size_t kCodes = kq_records::kQ8KCodeOffset, kSums = kq_records::kQ8KBsumOffset;
  const __m256 vi = _mm256_set1_ps(iscale);
  const __m256i top = _mm256_set1_epi32(127);
  for (int g = 0; g < kVecs / 4; ++g) {  // 32 codes: two bsum groups of 16
    __m256i q[4];
    for (int i = 0; i < 4; ++i)
      q[i] = _mm256_min_epi32(round_even(_mm256_mul_ps(vi, _mm256_loadu_ps(x + 32 * g + 8 * i))), top);
    store_codes(out + kCodes + 32 * static_cast<size_t>(g), q[0], q[1], q[2], q[3]);
    const auto lo = static_cast<int16_t>(hsum(_mm256_add_epi32(q[0], q[1])));
    const auto hi = static_cast<int16_t>(hsum(_mm256_add_epi32(q[2], q[3])));
    std::memcpy(out + kSums + 4 * static_cast<size_t>(g), &lo, sizeof lo);
    std::memcpy(out + kSums + 4 * static_cast<size_t>(g) + 2, &hi, sizeof hi);
  }
  const float d = 1.0f / iscale;
  std::memcpy(out, &d, sizeof d);
}

}  // namespace

void avx2_quantize_q8_k_rows(const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride) {
  for_each_block(x, m, k, 256, kq_records::kQ8KBlockBytes, out, out_stride, &quantize_q8_k_block);
}

int64_t avx2_find_nonfinite(const float* x, int64_t count) {
  const __m256i exp = _mm256_set1_epi32(0x7f800000);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i v = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i)), exp);
    const int bad = _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(v, exp)));
    if (bad != 0) return i + __builtin_ctz(static_cast<unsigned>(bad));
  }
  return first_nonfinite_from(x, i, count);
}

void avx2_quantize_rows(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out,
                        size_t out_stride) {
  q8_rows<&quantize_block>(q8_1, ref, x, m, k, out, out_stride);
}

}  // namespace amxlab::vnni::raw
