// The K-quant nibble GEMV (kqn_gemv_tile.h) with AVX-512 VBMI and GFNI besides VNNI: the
// unpack of IQ4_XS and Q5_K in fewer instructions (Vec512::unpack_x). Built with the flags
// of avx512_gemm.cpp plus -mavx512vbmi -mgfni (vnni/sources.cmake); called only where
// isa_supported() found both.
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec512.h"

namespace amxlab::vnni::raw {

// Only IQ4_XS and Q5_K have an X unpack, and only they are registered at this level
// (kquant_kernels.h kq_gemv_has_icl); the other kinds are not built here.
void avx512ext_kqn_gemv(const KqArgs& g) {
  static_assert(has_unpack_x(kNibIQ4_XS) && has_unpack_x(kNibQ5_K));
  if (g.nib_kind == kNibIQ4_XS) return drive<Vec512, kNibIQ4_XS, true>(g);
  drive<Vec512, kNibQ5_K, true>(g);
}

}  // namespace amxlab::vnni::raw
