// The K-quant nibble GEMV (kqn_gemv_tile.h) with AVX-512 VBMI and GFNI besides VNNI: the
// unpack of IQ4_XS and Q5_K in fewer instructions (unpack_x). Built with the flags
// of avx512_gemm.cpp plus -mavx512vbmi -mgfni (vnni/sources.cmake); called only where
// isa_supported() found both.
#include "kernels/vnni/kqn_gemv_tile.h"

namespace amxlab::vnni::raw {

void avx512ext_kqn_gemv(const KqArgs& g) {
  kqn_gemv<true>(g);
}

}  // namespace amxlab::vnni::raw
