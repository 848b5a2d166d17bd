// The golden GEMM for the block-quantised weight formats. Its order of fp32
// operations is the bitwise contract (see golden_gemm.h).
#include <cmath>
#include <string>
#include <vector>

#include "kernels/core/error.h"
#include "reference/golden/block_terms.h"
#include "reference/golden/checks.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/output_chunks.h"

namespace amxlab::golden {
namespace {

void check_weight_type(QType wt, const char* who) {
  const auto& tr = traits(wt);
  require(tr.block_quantized && tr.weight_type,
          std::string(who) + ": " + tr.name + " is not a quantised weight format");
}

}  // namespace

void gemm_quantized(QType wt, std::span<const std::byte> w, std::span<const std::byte> aq, Shape s,
                    std::span<float> y) {
  check_weight_type(wt, "golden::gemm_quantized");
  check_shape(s, "golden::gemm_quantized");
  const auto& tw = traits(wt);
  const auto& ta = traits(tw.act_type);
  const size_t wrow = row_bytes(wt, s.k), arow = row_bytes(tw.act_type, s.k);
  const auto m = static_cast<size_t>(s.m), n = static_cast<size_t>(s.n);
  require_buffer(w.data(), w.size(), wrow * n,
                 std::string("golden::gemm_quantized ") + tw.name + " weights W[N][K]");
  require_buffer(aq.data(), aq.size(), arow * m,
                 std::string("golden::gemm_quantized ") + ta.name + " activations");
  require_buffer(y.data(), y.size_bytes(), m * n * sizeof(float), "golden::gemm_quantized output Y[M][N]");

  const auto blocks = static_cast<size_t>(s.k / tw.block_elems);
  // Columns (weight rows) in ranges over the CPUs: each y[i][j] is the same sum whichever
  // thread computes it (output_chunks.h).
  for_output_chunks(s.n, s.m * s.k, [&](int64_t first, int64_t last) {
    std::vector<BlockInts> wrow_blocks(blocks);
    for (auto j = static_cast<size_t>(first); j < static_cast<size_t>(last); ++j) {
      for (size_t b = 0; b < blocks; ++b)
        decode_block(wt, w.data() + j * wrow + b * tw.block_bytes, wrow_blocks[b]);
      for (size_t i = 0; i < m; ++i) {
        const std::byte* ap = aq.data() + i * arow;
        float acc = 0.0f;
        for (size_t b = 0; b < blocks; ++b, ap += ta.block_bytes) {
          const BlockTerms t = block_terms(wt, wrow_blocks[b], ap);
          acc = std::fmaf(static_cast<float>(t.main), t.d_w * t.d_a, acc);
          if (t.extra == ExtraTerm::q4_1_min) {
            acc = std::fmaf(t.dmin_w, t.s_a, acc);
          } else if (t.extra == ExtraTerm::kquant_min) {
            acc = std::fmaf(-(t.d_a * t.dmin_w), static_cast<float>(t.mins), acc);
          }
        }
        y[i * n + j] = acc;
      }
    }
  });
}

void gemm(QType wt, std::span<const std::byte> w, std::span<const float> a, Shape s, ActQuant variant,
          std::span<float> y) {
  check_weight_type(wt, "golden::gemm");
  check_shape(s, "golden::gemm");
  const QType act = traits(wt).act_type;
  std::vector<std::byte> aq(row_bytes(act, s.k) * static_cast<size_t>(s.m));
  quantize_activations(act, variant, a, s.m, s.k, aq);
  gemm_quantized(wt, w, aq, s, y);
}

}  // namespace amxlab::golden
