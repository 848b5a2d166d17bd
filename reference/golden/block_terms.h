// One weight block times one activation block, reduced to the exact integers and the
// fp32 scales of the golden model's accumulation step. The golden GEMM (fp32) and the
// exact model (double) both consume these, so they cannot disagree on what is summed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/core/block_codes.h"
#include "kernels/core/qtype.h"

namespace amxlab::golden {

enum class ExtraTerm : uint8_t {
  none,        // acc = fmaf((float)main, d_w * d_a, acc)
  q4_1_min,    // ... then acc = fmaf(m_w, s_a, acc)
  kquant_min,  // ... then acc = fmaf(-(d_a * dmin_w), (float)mins, acc)
};

struct BlockTerms {
  int32_t main = 0;  // isum_b (32-wide formats) or S_b = sum_j scale_j * dot_j (K-quants)
  int32_t mins = 0;  // Mn_b = sum_j min_j * bsum_j (K-quants with a min)
  float d_w = 0.0f, d_a = 0.0f;
  float dmin_w = 0.0f;  // K-quant dmin, or Q4_1's m
  float s_a = 0.0f;     // Q8_1's stored fp16 s = d * sum(q)
  ExtraTerm extra = ExtraTerm::none;
};

// wblock: one block of weight type wt; ablock: the matching block of traits(wt).act_type.
BlockTerms block_terms(QType wt, const std::byte* wblock, const std::byte* ablock);
// The same from an already decoded weight block (the golden GEMM decodes each weight
// row once and reuses it for every activation row).
BlockTerms block_terms(QType wt, const BlockInts& w, const std::byte* ablock);

}  // namespace amxlab::golden
