// The K-quant nibble GEMV (kqn_gemv_tile.h) with AVX-512 F/BW/VL + VNNI only. Built with
// the flags of avx512_gemm.cpp (vnni/sources.cmake).
#include "kernels/vnni/kqn_gemv_tile.h"

namespace amxlab::vnni::raw {

void avx512_kqn_gemv(const KqArgs& g) {
  switch (g.nib_kind) {
    case kNibQ4_K: return drive<kNibQ4_K, false>(g);
    case kNibIQ4_XS: return drive<kNibIQ4_XS, false>(g);
    case kNibQ5_K: return drive<kNibQ5_K, false>(g);
    case kNibQ2_K: return drive<kNibQ2_K, false>(g);
    case kNibQ3_K: return drive<kNibQ3_K, false>(g);
    default: return drive<kNibQ6_K, false>(g);
  }
}

}  // namespace amxlab::vnni::raw
