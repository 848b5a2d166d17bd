// The 256-bit kernels' bodies with the plain AVX2 dot (VPMADDUBSW + VPMADDWD, avxvnni_dot.h)
// for CPUs without any VNNI: the `*__avx2` kernels. Built with -mavx2 -mfma -mf16c and no
// VNNI or AVX-512 flag (vnni/sources.cmake). Operands below 128 (the nibbles of Q4_0, Q4_1,
// the K-quants' codes + bias) take one VPMADDUBSW per 32 bytes, Q8_0's and the IQ4 books'
// code + 128 two (Dot256::dpbusd_u8).
#define AMXLAB_DOT256_AVX2 1
#include "kernels/vnni/avxvnni_gemm_tile.h"
#include "kernels/vnni/avxvnni_kq_ops.h"
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec256.h"

namespace amxlab::vnni::raw {

static_assert(!Dot256::kFullU8, "this unit's dot is the plain AVX2 one");

void avx2_gemm(const GemmArgs& g) {
  avxvnni_gemm_body(g);
}

void avx2_iq4_nl_gemv(const GemmArgs& g) {
  avxvnni_iq4_nl_gemv_body(g);
}

void avx2_kq_gemm(const KqArgs& g) {
  avxvnni_kq_gemm_body(g);
}

void avx2_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec256>(g);
}

}  // namespace amxlab::vnni::raw
