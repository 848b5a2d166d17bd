// AVX-VNNI (VEX VPDPBUSD on 256-bit registers) GEMM over the vnni16 layout
// (avxvnni_gemm_tile.h). Built with -mavx2 -mavxvnni -mfma -mf16c (vnni/sources.cmake).
#include "kernels/vnni/avxvnni_gemm_tile.h"

namespace amxlab::vnni::raw {

void avxvnni_gemm(const GemmArgs& g) {
  avxvnni_gemm_body(g);
}

void avxvnni_gemv(const GemmArgs& g) {
  avxvnni_gemv_body(g);
}

void avxvnni_iq4_nl_gemv(const GemmArgs& g) {
  avxvnni_iq4_nl_gemv_body(g);
}

}  // namespace amxlab::vnni::raw
