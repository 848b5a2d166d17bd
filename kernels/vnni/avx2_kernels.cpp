// The 256-bit kernels' bodies with the plain AVX2 dot (VPMADDUBSW + VPMADDWD, avxvnni_dot.h)
// for CPUs without any VNNI: the `*__avx2` kernels. Built with -mavx2 -mfma -mf16c and no
// VNNI or AVX-512 flag (vnni/sources.cmake). Only the types whose unsigned operands stay
// below 128 are registered (avxvnni_dot.h says why): Q4_0 and Q4_1 on the 2x16 GEMM
// (vnni16), Q2_K..Q6_K on the 2x16 K-quant GEMM (kq_i8_vnni16, u = code + bias <= 63) and
// on the 1x16 nibble GEMV (kq_nib_vnni16, no field kept in place).
#define AMXLAB_DOT256_AVX2 1
#include "kernels/vnni/avxvnni_gemm_tile.h"
#include "kernels/vnni/avxvnni_kq_ops.h"
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec256.h"

namespace amxlab::vnni::raw {

static_assert(!Dot256::kFullU8, "this unit's dot takes u <= 127 only");

void avx2_gemm(const GemmArgs& g) {
  // Q4_0 and Q4_1 only (their nibbles are the u operand): vnni_kernels.cpp registers no
  // other AVX2 block32 kernel.
  if (g.kind == kQ4_0) return drive<kQ4_0>(g);
  drive<kQ4_1>(g);
}

void avx2_kq_gemm(const KqArgs& g) {
  avxvnni_kq_gemm_body(g);
}

void avx2_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec256>(g);
}

}  // namespace amxlab::vnni::raw
