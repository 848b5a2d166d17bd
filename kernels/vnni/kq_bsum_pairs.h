// The activation operand of a K-quant kernel's bsum term T (kernels/pack/kquant_pack.h):
// per coefficient pair p, the bsums of sub-blocks 2p and 2p + 1 of one Q8_K block as
// int16 in a dword (low half 2p). A 16-code sub-block's bsum is a stored Q8_K bsum; a
// 32-code one is the sum of its two (|sum| <= 32 * 128: int16). One scalar definition for
// the nibble GEMV (avx512_kqn_gemv.cpp) and the AMX K-quant GEMM (amx_kquant_gemm.h);
// the 4 x 32 VNNI tile forms the same dwords with vector instructions
// (kquant_tile.h: sub32_bsum_pairs). Plain integer code in an unnamed namespace: each
// translation unit gets its own copy (vnni_raw.h says why that matters).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/pack/kquant_records.h"

namespace amxlab::vnni::raw {
namespace {

// out[0 .. 256 / sub_len / 2) for the Q8_K block at q8k (sub_len 16 or 32).
inline void kq_bsum_pairs(const void* q8k, int sub_len, int32_t* out) {
  int16_t bs[16];
  std::memcpy(bs, static_cast<const unsigned char*>(q8k) + kq_records::kQ8KBsumOffset, sizeof bs);
  const int per = sub_len / 16;  // stored bsums per sub-block
  for (int p = 0; p < 8 / per; ++p) {
    int32_t b[2] = {0, 0};
    for (int h = 0; h < 2; ++h) {
      for (int i = 0; i < per; ++i) b[h] += bs[(2 * p + h) * per + i];
    }
    out[p] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(b[0])) |
                                  static_cast<uint32_t>(static_cast<uint16_t>(b[1])) << 16);
  }
}

}  // namespace
}  // namespace amxlab::vnni::raw
