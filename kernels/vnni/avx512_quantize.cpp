// AVX-512 activation quantisation F32 -> Q8_0 / Q8_1 / Q8_K, bit-identical to
// kernels/core's quantize_activations() (both variants). Built with AVX-512 flags (vnni/sources.cmake);
// internal linkage except the vnni_raw.h entry points.
//
// Per 32-element block, the same operations as the scalar definition:
//   amax = max |x|                       (VMAXPS over |x|; the order of a max is irrelevant)
//   d    = amax / 127                    (one scalar division)
//   inv  = runtime: amax != 0 ? 127 / amax : 0;  ref: d != 0 ? 1 / d : 0;  not finite -> 0
//   v    = x * inv                       (one rounded multiply per element)
//   q    = runtime: round to nearest even (VCVTPS2DQ with embedded {rn-sae}, the same value
//          as the 1.5 * 2^23 trick for |v| < 2^22);
//          ref: round half away from zero = trunc(v) + sign(v) where |v - trunc(v)| >= 0.5
//          (v - trunc(v) is exact)
//   Q8_1: s = fp16((float)sum(q) * d)
// fp16 rounding of d and s calls amxlab::f32_to_fp16 (portable code, the same function).
//
// Per 256-element Q8_K super-block (one definition for both variants):
//   max   = the element of largest |x|, the first one on ties (VMAXPS over |x| gives the
//           magnitude; the first lane equal to it, in element order, gives the element)
//   iscale = -127 / max (amax == 0 or not finite: d = 0, codes and sums 0)
//   q     = min(round_even(iscale * x), 127); bsums[g] = sum of q[16g .. 16g+15] (one
//           zmm of codes is one group); d = 1 / iscale
// gcc 12's AVX-512 intrinsics merge into _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports at every inlined use (GCC bug 105593), or -Wuninitialized where the inlining
// is certain (the Q8_K block's max and its reduction): a false positive, silenced for
// this file.
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"
#include "kernels/vnni/quantize_rows.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

[[gnu::always_inline]] inline __m512i round_ref(__m512 v) {
  const __m512 t = _mm512_roundscale_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512 frac = _mm512_sub_ps(v, t);
  const __mmask16 away = _mm512_cmp_ps_mask(_mm512_abs_ps(frac), _mm512_set1_ps(0.5f), _CMP_GE_OQ);
  // sign(v) * 1: copy v's sign onto 1.0
  const __m512 one = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(static_cast<int>(0x80000000u))),
      _mm512_castps_si512(_mm512_set1_ps(1.0f))));
  const __m512 r = _mm512_mask_add_ps(t, away, t, one);
  return _mm512_cvtt_roundps_epi32(r, _MM_FROUND_NO_EXC);
}

[[gnu::always_inline]] inline __m512i round_even(__m512 v) {
  return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

void quantize_block(int q8_1, int ref, const float* x, uint8_t* out) {
  const __m512 x0 = _mm512_loadu_ps(x);
  const __m512 x1 = _mm512_loadu_ps(x + 16);
  const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
  const auto [d, inv] = q8_scale(amax, ref);
  const __m512 vi = _mm512_set1_ps(inv);
  const __m512 v0 = _mm512_mul_ps(x0, vi);
  const __m512 v1 = _mm512_mul_ps(x1, vi);
  const __m512i q0 = ref != 0 ? round_ref(v0) : round_even(v0);
  const __m512i q1 = ref != 0 ? round_ref(v1) : round_even(v1);
  const size_t code_offset = q8_1 != 0 ? 4 : 2;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + code_offset), _mm512_cvtepi32_epi8(q0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out + code_offset + 16), _mm512_cvtepi32_epi8(q1));
  store_q8_header(out, q8_1, d, q8_1 != 0 ? _mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1)) : 0);
}

// One Q8_K super-block: fp32 d, 256 codes, 16 int16 group sums (kernels/core/blocks.h).
void quantize_q8_k_block(const float* x, uint8_t* out) {
  constexpr int kVecs = 16;  // 256 / 16 lanes
  __m512 xv[kVecs];
  __m512 amax_v = _mm512_setzero_ps();
  for (int i = 0; i < kVecs; ++i) {
    xv[i] = _mm512_loadu_ps(x + 16 * i);
    amax_v = _mm512_max_ps(amax_v, _mm512_abs_ps(xv[i]));
  }
  const float amax = _mm512_reduce_max_ps(amax_v);
  float max = 0.0f;
  if (amax != 0.0f) {
    const __m512 target = _mm512_set1_ps(amax);
    for (int i = 0; i < kVecs; ++i) {
      const __mmask16 at = _mm512_cmp_ps_mask(_mm512_abs_ps(xv[i]), target, _CMP_EQ_OQ);
      if (at != 0) {
        max = x[16 * i + __builtin_ctz(at)];
        break;
      }
    }
  }
  const float iscale = q8_k_iscale(amax, max, out);
  if (iscale == 0.0f) return;  // written all zero (a finite max never gives 0)
  constexpr size_t kCodes = kq_records::kQ8KCodeOffset, kSums = kq_records::kQ8KBsumOffset;
  const __m512 vi = _mm512_set1_ps(iscale);
  const __m512i top = _mm512_set1_epi32(127);
  for (int i = 0; i < kVecs; ++i) {
    const __m512i q = _mm512_min_epi32(round_even(_mm512_mul_ps(vi, xv[i])), top);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + kCodes + 16 * i), _mm512_cvtepi32_epi8(q));
    const auto sum = static_cast<int16_t>(_mm512_reduce_add_epi32(q));
    std::memcpy(out + kSums + 2 * i, &sum, sizeof sum);
  }
  const float d = 1.0f / iscale;
  std::memcpy(out, &d, sizeof d);
}

}  // namespace

void avx512_quantize_q8_k_rows(const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride) {
  for_each_block(x, m, k, 256, kq_records::kQ8KBlockBytes, out, out_stride, &quantize_q8_k_block);
}

int64_t avx512_find_nonfinite(const float* x, int64_t count) {
  const __m512i exp = _mm512_set1_epi32(0x7f800000);
  int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512i v = _mm512_and_si512(_mm512_loadu_si512(x + i), exp);
    const __mmask16 bad = _mm512_cmpeq_epi32_mask(v, exp);
    if (bad != 0) return i + __builtin_ctz(bad);
  }
  return first_nonfinite_from(x, i, count);
}

void avx512_quantize_rows(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out,
                          size_t out_stride) {
  q8_rows<&quantize_block>(q8_1, ref, x, m, k, out, out_stride);
}

}  // namespace amxlab::vnni::raw
