// The K-quant nibble GEMV (kqn_gemv_tile.h) on 256-bit registers with AVX-VNNI (VEX): the
// `<type>_gemv_1x16__avxvnni` kernels. Built with -mavx2 -mavxvnni -mfma -mf16c
// (vnni/sources.cmake); its stand-ins are the same body in avxvnni_evex.cpp.
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec256.h"

namespace amxlab::vnni::raw {

void avxvnni_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec256>(g);
}

}  // namespace amxlab::vnni::raw
