// AVX-VNNI (256-bit VEX) K-quant GEMM over kq_i8_vnni16 (avxvnni_kq_ops.h). Built with
// -mavx2 -mavxvnni -mfma -mf16c (vnni/sources.cmake).
#include "kernels/vnni/avxvnni_kq_ops.h"

namespace amxlab::vnni::raw {

void avxvnni_kq_gemm(const KqArgs& g) {
  avxvnni_kq_gemm_body(g);
}

}  // namespace amxlab::vnni::raw
