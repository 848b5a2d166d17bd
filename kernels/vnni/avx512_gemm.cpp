// The AVX-512 VNNI GEMM and GEMV over vnni16 (vnni16_tile.h, X = false). Built with
// -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mfma -mf16c (vnni/sources.cmake).
#include "kernels/vnni/vnni16_tile.h"

namespace amxlab::vnni::raw {

void avx512_gemm(const GemmArgs& g) {
  switch (g.kind) {
    case kQ8_0: return drive<kQ8_0, false, kGemmMR, kGemmNS>(g, kGemmKcBlocks);
    case kQ4_0: return drive<kQ4_0, false, kGemmMR, kGemmNS>(g, kGemmKcBlocks);
    default: return drive<kQ4_1, false, kGemmMR, kGemmNS>(g, kGemmKcBlocks);
  }
}

void avx512_gemv(const GemmArgs& g) {
  switch (g.kind) {
    case kQ8_0: return drive<kQ8_0, false, kGemvMR, kGemvNS>(g, g.blocks);
    case kQ4_0: return drive<kQ4_0, false, kGemvMR, kGemvNS>(g, g.blocks);
    case kIQ4_NL: return drive<kIQ4_NL, false, kGemvMR, kGemvNS>(g, g.blocks);
    default: return drive<kQ4_1, false, kGemvMR, kGemvNS>(g, g.blocks);
  }
}

}  // namespace amxlab::vnni::raw
