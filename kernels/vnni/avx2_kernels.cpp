// The 256-bit kernels' bodies with the plain AVX2 dot (VPMADDUBSW + VPMADDWD, avxvnni_dot.h)
// for CPUs without any VNNI: the `*__avx2` kernels. Built with -mavx2 -mfma -mf16c and no
// VNNI or AVX-512 flag (vnni/sources.cmake). Operands below 128 (the nibbles of Q4_0, Q4_1,
// the K-quants' codes + bias) take one VPMADDUBSW per 32 bytes; Q8_0's codes and the IQ4
// books (+ 128) one VPMADDUBSW and a VPXOR against the activations' |a| and sign
// (Dot256::dot_flip).
#define AMXLAB_DOT256_AVX2 1
#include <cstring>

#include "kernels/vnni/avxvnni_gemm_tile.h"
#include "kernels/vnni/avxvnni_kq_ops.h"
#include "kernels/vnni/kqn_gemv_tile.h"
#include "kernels/vnni/kqn_vec256.h"

namespace amxlab::vnni::raw {

static_assert(!Dot256::kFullU8, "this unit's dot is the plain AVX2 one");

void avx2_gemm(const GemmArgs& g) {
  avxvnni_gemm_body(g);
}

void avx2_gemv(const GemmArgs& g) {
  avx2_gemv_body(g);
}

void avx2_kq_gemm(const KqArgs& g) {
  avxvnni_kq_gemm_body(g);
}

void avx2_kqn_gemv(const KqArgs& g) {
  kqn_gemv_body<Vec256>(g);
}

void avx2_dot_flip_probe(const uint8_t* u, const int8_t* a, int32_t* out) {
  int32_t dword = 0;
  std::memcpy(&dword, a, 4);
  const auto o = Dot256::signed_operands(_mm256_set1_epi32(dword));
  // neg(a) of the broadcast: the 32 bytes hold the dword 8 times.
  const __m256i start = _mm256_set1_epi32(Dot256::neg_sum(o) / 8);
  const __m256i dot = Dot256::dot_flip(start, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(u)), o.abs,
                                       o.flip, _mm256_set1_epi16(1));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), dot);
}

}  // namespace amxlab::vnni::raw
