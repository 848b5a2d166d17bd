// The AVX-VNNI kernels' bodies again with VPDPBUSD / VPDPWSSD in their EVEX encoding
// (avxvnni_dot.h): the `*__avxvnni_evex` stand-ins, for CPUs with AVX-512 VNNI and without
// AVX-VNNI, where they prove the production `*__avxvnni` kernels' arithmetic bit for bit.
// Built with -mavx2 -mfma -mf16c -mavx512f -mavx512vl -mavx512vnni (vnni/sources.cmake):
// the compiler may give other instructions EVEX forms too, which compute the same.
#define AMXLAB_AVXVNNI_EVEX 1
#include "kernels/vnni/avxvnni_gemm_tile.h"
#include "kernels/vnni/avxvnni_kq_ops.h"
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec256.h"

namespace amxlab::vnni::raw {

void avxvnni_evex_gemm(const GemmArgs& g) {
  avxvnni_gemm_body(g);
}

void avxvnni_evex_gemv(const GemmArgs& g) {
  avxvnni_gemv_body(g);
}

void avxvnni_evex_iq4_nl_gemv(const GemmArgs& g) {
  avxvnni_iq4_nl_gemv_body(g);
}

void avxvnni_evex_kq_gemm(const KqArgs& g) {
  avxvnni_kq_gemm_body(g);
}

void avxvnni_evex_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec256>(g);
}

}  // namespace amxlab::vnni::raw
