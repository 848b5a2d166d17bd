// Argument checks and per-call tables shared by both instantiations of the AMX GEMM
// (amx_gemm.h): portable code, one definition (amx_common.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/amx/amx_kernels.h"

namespace amxlab::amx::detail {

struct Prepared {
  bool empty = false;           // the slice has no output: nothing to do
  int64_t nb = 0;               // K blocks
  int64_t rows = 0;             // rows of the slice (m1 - m0)
  size_t record_bytes = 0;      // packed block record (amx_pack.h)
  size_t act_block_bytes = 0;   // 34 (Q8_0) or 36 (Q8_1)
  size_t code_offset = 0;       // 2 (Q8_0) or 4 (Q8_1): the codes inside an activation block
  size_t activation_bytes = 0;  // footprint of the slice's activation rows
  std::vector<float> da;        // [nb][rows] activation scales d_a as fp32
  std::vector<float> sa;        // [nb][rows] Q8_1 stored sums s_a as fp32 (Q4_1 only)
};

// Checks every argument of a run (type and layout of w, activation format, shapes,
// strides, the slice) and throws amxlab::Error naming `kernel` before anything is
// written; then fills p.
void prepare(QType weight_type, const char* kernel, const PackedWeights& w, const ActivationView& a,
             const OutputView& y, const Slice& s, Prepared& p);

}  // namespace amxlab::amx::detail
