// The per-row, per-block activation terms every vnni16 kernel needs, computed once per
// run() call into the scratch GemmArgs::prep: d_a (fp32), the int32 correction
// -C * sum(codes) (C = 128 for q8_0's biased codes, 8 for q4_0's nibbles, 0 for q4_1),
// and s_a (fp32, Q8_1 only): block_terms() for one block, prepare_row_terms() for the
// AVX-VNNI kernel's arrays (the AVX-512 one interleaves them with the codes: its
// build_panels). Included only by the ISA translation units (avx512_gemm.cpp,
// avxvnni_gemm.cpp), each built with its own flags: everything here is
// in an unnamed namespace, so each gets its own copy and the linker can never hand one
// ISA's copy to the other (vnni_raw.h says why that matters). Needs AVX2 and F16C.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni::raw {
namespace {

// One activation block's terms: d_a, s_a (Q8_1, else 0) and the int32 correction
// -C * sum(codes) (C = 128 for q8_0's biased codes and iq4_nl's code book + 128, 8 for
// q4_0's nibbles, 0 for q4_1). blk: the block (fp16 d [, fp16 s], then codes); codes: its 32 codes.
struct BlockTerms {
  float da, sa;
  int32_t corr;
};
[[gnu::always_inline]] inline BlockTerms block_terms(int kind, const uint8_t* blk, __m256i codes) {
  const int32_t factor = kind == kQ8_0 || kind == kIQ4_NL ? -128 : kind == kQ4_0 ? -8 : 0;
  uint16_t h[2];
  std::memcpy(h, blk, sizeof h);
  BlockTerms t{_cvtsh_ss(h[0]), kind == kQ4_1 ? _cvtsh_ss(h[1]) : 0.0f, 0};
  if (factor != 0) {
    // sum of the signed codes = sum(code + 128) - 32 * 128, the former by VPSADBW.
    const __m256i bias = _mm256_set1_epi8(static_cast<char>(0x80));
    const __m256i sad = _mm256_sad_epu8(_mm256_xor_si256(codes, bias), _mm256_setzero_si256());
    const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(sad), _mm256_extracti128_si256(sad, 1));
    const int64_t biased = _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1);
    t.corr = factor * static_cast<int32_t>(biased - 32 * 128);
  }
  return t;
}

struct RowTerms {
  float* da;     // [rows][blocks]
  int32_t* nc;   // [rows][blocks]
  float* sa;     // [rows][blocks]
  uint8_t* ops;  // [rows][blocks][64]: the plain AVX2 signed dot's operands (avxvnni_gemm_tile.h)
};

// The AVX-VNNI kernel's layout of the terms (the AVX-512 kernels interleave them with the
// codes instead: build_panels in avx512_gemm.cpp), kPrep256FloatsPerRowBlock per row and
// block.
inline RowTerms prepare_row_terms(const GemmArgs& g) {
  const size_t per = static_cast<size_t>(g.rows) * static_cast<size_t>(g.blocks);
  RowTerms t{};
  t.da = g.prep;
  t.nc = reinterpret_cast<int32_t*>(t.da + per);
  t.sa = reinterpret_cast<float*>(t.nc + per);
  t.ops = reinterpret_cast<uint8_t*>(t.sa + per);
  for (int64_t r = 0; r < g.rows; ++r) {
    const auto* row = reinterpret_cast<const uint8_t*>(g.a) + static_cast<size_t>(r) * g.a_stride;
    const size_t at = static_cast<size_t>(r) * static_cast<size_t>(g.blocks);
    for (int64_t b = 0; b < g.blocks; ++b) {
      const uint8_t* blk = row + static_cast<size_t>(b) * g.a_block_bytes;
      const __m256i codes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + g.a_code_offset));
      const BlockTerms bt = block_terms(g.kind, blk, codes);
      t.da[at + static_cast<size_t>(b)] = bt.da;
      t.sa[at + static_cast<size_t>(b)] = bt.sa;
      t.nc[at + static_cast<size_t>(b)] = bt.corr;
    }
  }
  return t;
}

}  // namespace
}  // namespace amxlab::vnni::raw
