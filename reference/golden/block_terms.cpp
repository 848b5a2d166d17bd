#include "reference/golden/block_terms.h"

#include <cstring>

#include "kernels/core/block_codes.h"
#include "kernels/core/blocks.h"
#include "kernels/core/fp16.h"

namespace amxlab::golden {
namespace {

template <class Block>
Block load(const std::byte* p) {
  Block b;
  std::memcpy(&b, p, sizeof b);
  return b;
}

int32_t dot(const int8_t* w, const int8_t* a, int n) {
  int32_t s = 0;
  for (int i = 0; i < n; ++i) s += static_cast<int32_t>(w[i]) * a[i];
  return s;
}

}  // namespace

BlockTerms block_terms(QType wt, const std::byte* wblock, const std::byte* ablock) {
  BlockInts w;
  decode_block(wt, wblock, w);
  return block_terms(wt, w, ablock);
}

BlockTerms block_terms(QType wt, const BlockInts& w, const std::byte* ablock) {
  BlockTerms t;
  t.d_w = w.d;
  const QType act = traits(wt).act_type;
  if (act == QType::Q8_0) {
    const auto a = load<BlockQ8_0>(ablock);
    t.d_a = fp16_to_f32(a.d);
    t.main = dot(w.code, a.qs, kQK);
    return t;
  }
  if (act == QType::Q8_1) {  // Q4_1: codes 0..15, x = d*q + m
    const auto a = load<BlockQ8_1>(ablock);
    t.d_a = fp16_to_f32(a.d);
    t.s_a = fp16_to_f32(a.s);
    t.dmin_w = w.dmin;
    t.main = dot(w.code, a.qs, kQK);
    t.extra = ExtraTerm::q4_1_min;
    return t;
  }
  // K-quants and IQ4_XS against Q8_K.
  const auto a = load<BlockQ8_K>(ablock);
  t.d_a = a.d;
  t.dmin_w = w.dmin;
  const int bsums_per_sub = w.sub_len / 16;
  for (int j = 0; j < w.n_sub; ++j) {
    t.main += static_cast<int32_t>(w.scale[j]) * dot(w.code + j * w.sub_len, a.qs + j * w.sub_len, w.sub_len);
    int32_t bsum = 0;
    for (int g = 0; g < bsums_per_sub; ++g) bsum += a.bsums[j * bsums_per_sub + g];
    t.mins += static_cast<int32_t>(w.min[j]) * bsum;
  }
  if (w.has_min) t.extra = ExtraTerm::kquant_min;
  return t;
}

}  // namespace amxlab::golden
