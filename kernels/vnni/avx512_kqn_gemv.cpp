// The K-quant nibble GEMV (kqn_gemv_tile.h) with AVX-512 F/BW/VL + VNNI only. Built with
// the flags of avx512_gemm.cpp (vnni/sources.cmake).
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec512.h"

namespace amxlab::vnni::raw {

void avx512_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec512>(g);
}

}  // namespace amxlab::vnni::raw
