// The fp32 epilogue of the AMX GEMM kernels: after the tiles have produced the exact
// int32 block sums isum_b of a 32 x 32 output tile for a group of G consecutive K
// blocks, fold them into the fp32 accumulators in the golden order
// (reference/golden/golden_gemm.h), block after block:
//
//   acc = fmaf((float)isum_b, d_w * d_a, acc)            (d_w * d_a: one fp32 multiply)
//   acc = fmaf(m_w, s_a, acc)                            (Q4_1 only)
//
// AVX-512F, 16 outputs per vector; per row the two accumulator vectors stay in
// registers across the G blocks (loaded and stored once per group). Per 16 outputs
// and block: VCVTDQ2PS with its int32 load (round to nearest even; exact here,
// |isum_b| <= 32 * 128 * 128 = 2^19), VMULPS d_w * broadcast d_a, VFMADD; Q4_1 one
// more VFMADD. Compiled through a function target attribute, not a TU flag, so that
// nothing else in the including translation units (library templates the linker may
// share with other TUs) is built for AVX-512; callers need kIsaAvx512. Internal
// linkage: each backend TU has its own copy.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace amxlab::amx {
namespace {

inline constexpr int kGroupBlocks = 4;  // K blocks per epilogue call (scratch: 4 x 4 KiB)

// The scales of one K block of a strip pair (pointers into the packed block records).
struct BlockScales {
  const float* dw0;  // strip s: 16 d_w
  const float* dw1;  // strip s+1 (valid when `two`)
  const float* mw0;  // Q4_1: 16 m_w
  const float* mw1;
};

// VCVTDQ2PS. (gcc 12's _mm512_cvtepi32_ps merges into _mm512_undefined_ps(), which
// -Wmaybe-uninitialized reports; the all-ones zero-masking form is the same instruction.)
__attribute__((target("avx512f"))) inline __m512 to_f32(const int32_t* p) {
  return _mm512_maskz_cvtepi32_ps(static_cast<__mmask16>(0xffff), _mm512_loadu_si512(p));
}

// acc: 32 x 32 fp32 (row stride 32); c: G consecutive 32 x 32 int32 block results
// (block g at c + g * 1024); rows 0..rows-1; columns 0..15 (strip s) and, when `two`,
// 16..31 (strip s+1). da[g * ld + r], sa[g * ld + r]: activation scale / Q8_1 sum of
// row r in block g.
template <bool kMin, int G>
__attribute__((target("avx512f"))) void epilogue_group(float* acc, const int32_t* c, const BlockScales* sc,
                                                       const float* da, const float* sa, std::ptrdiff_t ld,
                                                       int rows, bool two) {
  __m512 w0[G], w1[G], m0[G], m1[G];
  for (int g = 0; g < G; ++g) {
    w0[g] = _mm512_loadu_ps(sc[g].dw0);
    w1[g] = two ? _mm512_loadu_ps(sc[g].dw1) : _mm512_setzero_ps();
    m0[g] = kMin ? _mm512_loadu_ps(sc[g].mw0) : _mm512_setzero_ps();
    m1[g] = kMin && two ? _mm512_loadu_ps(sc[g].mw1) : _mm512_setzero_ps();
  }
  for (int r = 0; r < rows; ++r) {
    float* ar = acc + 32 * r;
    __m512 x0 = _mm512_loadu_ps(ar);
    __m512 x1 = _mm512_loadu_ps(ar + 16);
    for (int g = 0; g < G; ++g) {
      const int32_t* cr = c + 1024 * g + 32 * r;
      const __m512 a = _mm512_set1_ps(da[g * ld + r]);
      x0 = _mm512_fmadd_ps(to_f32(cr), _mm512_mul_ps(w0[g], a), x0);
      if (kMin) x0 = _mm512_fmadd_ps(m0[g], _mm512_set1_ps(sa[g * ld + r]), x0);
      if (two) {
        x1 = _mm512_fmadd_ps(to_f32(cr + 16), _mm512_mul_ps(w1[g], a), x1);
        if (kMin) x1 = _mm512_fmadd_ps(m1[g], _mm512_set1_ps(sa[g * ld + r]), x1);
      }
    }
    _mm512_storeu_ps(ar, x0);
    if (two) _mm512_storeu_ps(ar + 16, x1);
  }
}

// G = count (1..kGroupBlocks) as a compile-time constant: the block loop unrolls and
// the per-block scale vectors stay in registers.
template <bool kMin>
void epilogue(float* acc, const int32_t* c, const BlockScales* sc, int count, const float* da,
              const float* sa, std::ptrdiff_t ld, int rows, bool two) {
  static_assert(kGroupBlocks == 4, "update the dispatch below");
  switch (count) {
    case 1: return epilogue_group<kMin, 1>(acc, c, sc, da, sa, ld, rows, two);
    case 2: return epilogue_group<kMin, 2>(acc, c, sc, da, sa, ld, rows, two);
    case 3: return epilogue_group<kMin, 3>(acc, c, sc, da, sa, ld, rows, two);
    default: return epilogue_group<kMin, 4>(acc, c, sc, da, sa, ld, rows, two);
  }
}

}  // namespace
}  // namespace amxlab::amx
