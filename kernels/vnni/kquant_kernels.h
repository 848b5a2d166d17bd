// VNNI kernels for the K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS x Q8_K activations),
// bitwise equal to the golden model; the GEMMs over Layout::kq_i8_vnni16
// (kernels/pack/kquant_pack.h), the GEMVs over kq_nib_vnni16 (kquant_nibble_pack.h):
//   <type>_gemv_1x64__avx512vnni  AVX-512 VNNI, 1 row x 64 columns per register tile
//   <type>_gemv_1x64__avx512icl   the same with VBMI + GFNI (IQ4_XS, Q5_K)
//   <type>_gemm_4x32__avx512vnni  AVX-512 VNNI, 4 rows x 32 columns, K in ranges of 1024
//   <type>_gemm_2x16__avxvnni     AVX-VNNI (256-bit VEX), 2 rows x 16 columns
//   <type>_gemm_2x16__avxvnni_evex  its body with EVEX VPDPBUSD (Engine::stand_in)
//   <type>_gemv_1x16__avxvnni     AVX-VNNI, the nibble GEMV on ymm, 1 row x 16 columns
//   <type>_gemv_1x16__avxvnni_evex  its body with EVEX VPDPBUSD (Engine::stand_in)
//   <type>_gemv_1x16__avx2 / _gemm_2x16__avx2  both with the plain AVX2 dot (no VNNI;
//                                              q3_K, q4_K, q5_K, iq4_xs _gemv_1x32__avx2; q4_K
//                                              _gemm_3x16__avx2, iq4_xs _gemm_2x32__avx2)
// plus IQ4_NL (x Q8_0): its GEMMs over Q8_0 codes (iq4_nl_vnni16, the Q8_0 loops), its GEMV
// over the index nibbles (iq4_nl_nib_vnni16, the Q4_0 loop with the code book looked up;
// iq4_nl_gemv_1x16__avxvnni and its stand-in: the AVX-VNNI GEMM's Q4_0 loop, likewise;
// iq4_nl_gemv_1x32__avx2: that loop two strips per tile, as the Q4_0 GEMV's).
// kKquantVnniKernels is spliced into the registry table (kernels/registry.cpp).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/gemm_kernel.h"
#include "kernels/generic/portable_kernels.h"
#include "kernels/kquant_names.h"
#include "kernels/pack/kquant_nibble_pack.h"
#include "kernels/pack/kquant_pack.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/vnni/vnni_kernels.h"

namespace amxlab::vnni {

// The run function of K-quant VNNI kernel K (kquant_names.h) for weights of type T.
template <QType T, KqKernel K>
void run_kq_vnni(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s);

void run_iq4_nl_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                            const Slice& s);
void run_iq4_nl_gemv_avx512icl(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                               const Slice& s);
void run_iq4_nl_gemv_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                             const Slice& s);
void run_iq4_nl_gemv_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                  const Slice& s);
void run_iq4_nl_gemm_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_iq4_nl_gemv_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                          const Slice& s);
void run_iq4_nl_gemm_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                            const Slice& s);
void run_iq4_nl_gemm_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                             const Slice& s);
void run_iq4_nl_gemm_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                                  const Slice& s);

// The GEMV of every K-quant type reads its codes in nibbles (kq_nib_vnni16: 140-212 bytes
// per 256 weights instead of kq_i8_vnni16's 308), which measured faster (kernels/README.md
// "K-quants"; Q2_K and Q3_K since 2026-11-30, "Q2_K and Q3_K in nibbles").
// The three VNNI lines of one K-quant type.
template <QType T>
constexpr KernelDesc kq_gemv_avx512_desc() {
  return {kq_kernel_name(T, KqKernel::gemv_avx512),
          T,
          QType::Q8_K,
          KernelOp::gemv,
          1,
          64,
          kAvx512VnniIsa,
          Engine::native,
          Layout::kq_nib_vnni16,
          &kqn::pack,
          &quantize_q8_k_avx512,
          &plan_gemv_avx512,
          &run_kq_vnni<T, KqKernel::gemv_avx512>};
}
// How many records ahead the AVX-512 nibble GEMVs (<type>_gemv_1x64__avx512vnni / icl)
// prefetch each strip into L1, a share of the record's lines per row group; 0: none, the
// hardware prefetchers alone. Chosen per CPU by measurement (kernels/README.md "Software
// prefetch per CPU"): Zen 5 (AMD family 0x1A) 1 for every type but Q2_K, whose crumbs
// give it the most arithmetic per byte and which measured no gain; elsewhere 0 (Zen 4
// measured faster without; other CPUs not measured). Same results either way (a prefetch
// changes no value); KqnPrefetchOverride lets a test force a distance.
int kqn_gemv_prefetch_records_for(const std::string& vendor, int family, QType t);
int kqn_gemv_prefetch_records(QType t);  // for this CPU, unless overridden
// Forces the distance for every type while it lives (-1: the CPU's rule); tests only: set
// and dropped on one thread while no kernel runs (kernels started inside its life read it).
class KqnPrefetchOverride {
 public:
  explicit KqnPrefetchOverride(int records);
  ~KqnPrefetchOverride();
  KqnPrefetchOverride(const KqnPrefetchOverride&) = delete;
  KqnPrefetchOverride& operator=(const KqnPrefetchOverride&) = delete;

 private:
  int previous_;
};

// The nibble GEMV again, built with AVX-512 VBMI and GFNI (kqn_gemv_tile.h unpack_x):
// registered for the types whose unpack those shorten (avx512ext_kqn_gemv.cpp runs only
// these). The dispatcher prefers it where the CPU has both (isa_preference); measured in
// kernels/README.md "K-quants".
constexpr bool kq_gemv_has_icl(QType t) {
  return t == QType::IQ4_XS || t == QType::Q5_K;
}
template <QType T>
constexpr KernelDesc kq_gemv_avx512icl_desc() {
  static_assert(kq_gemv_has_icl(T));
  return {kq_kernel_name(T, KqKernel::gemv_avx512icl),
          T,
          QType::Q8_K,
          KernelOp::gemv,
          1,
          64,
          kAvx512IclIsa,
          Engine::native,
          Layout::kq_nib_vnni16,
          &kqn::pack,
          &quantize_q8_k_avx512,
          &plan_gemv_avx512,
          &run_kq_vnni<T, KqKernel::gemv_avx512icl>};
}
// The nibble GEMV on 256-bit registers (kqn_vec256.h) for AVX2 + AVX-VNNI CPUs: at M = 1
// they read the same 100-212 bytes per 256 weights as the AVX-512 GEMVs instead of the
// 2x16 GEMM's 308 (kq_i8_vnni16), and its stand-in.
template <QType T>
constexpr KernelDesc kq_gemv_avxvnni_desc() {
  return {kq_kernel_name(T, KqKernel::gemv_avxvnni),
          T,
          QType::Q8_K,
          KernelOp::gemv,
          1,
          16,
          kAvxVnniIsa,
          Engine::native,
          Layout::kq_nib_vnni16,
          &kqn::pack,
          &quantize_q8_k_avx2,
          &plan_gemv_avxvnni,
          &run_kq_vnni<T, KqKernel::gemv_avxvnni>};
}
template <QType T>
constexpr KernelDesc kq_gemv_avxvnni_evex_desc() {
  return avxvnni_stand_in(kq_gemv_avxvnni_desc<T>(), kq_kernel_name(T, KqKernel::gemv_avxvnni_evex),
                          &run_kq_vnni<T, KqKernel::gemv_avxvnni_evex>);
}
template <QType T>
constexpr KernelDesc kq_gemm_avx512_desc() {
  return {kq_kernel_name(T, KqKernel::gemm_avx512),
          T,
          QType::Q8_K,
          KernelOp::gemm,
          4,
          32,
          kAvx512VnniIsa,
          Engine::native,
          Layout::kq_i8_vnni16,
          &kq16::pack,
          &quantize_q8_k_avx512,
          &plan_gemm_avx512,
          &run_kq_vnni<T, KqKernel::gemm_avx512>};
}
template <QType T>
constexpr KernelDesc kq_gemm_avxvnni_desc() {
  return {kq_kernel_name(T, KqKernel::gemm_avxvnni),
          T,
          QType::Q8_K,
          KernelOp::gemm,
          2,
          16,
          kAvxVnniIsa,
          Engine::native,
          Layout::kq_i8_vnni16,
          &kq16::pack,
          &quantize_q8_k_avx2,
          &plan_gemm_avxvnni,
          &run_kq_vnni<T, KqKernel::gemm_avxvnni>};
}
// Its stand-in (Engine::stand_in, avxvnni_dot.h): the same line but the ISA and the run.
template <QType T>
constexpr KernelDesc kq_gemm_avxvnni_evex_desc() {
  return avxvnni_stand_in(kq_gemm_avxvnni_desc<T>(), kq_kernel_name(T, KqKernel::gemm_avxvnni_evex),
                          &run_kq_vnni<T, KqKernel::gemm_avxvnni_evex>);
}

// The plain AVX2 builds (no VNNI; avxvnni_dot.h) of the GEMV (16 x kq_records::avx2_gemv_strips
// columns: 1 x 32 but Q2_K's and Q6_K's 1 x 16) and the GEMM (2 x 16, but Q4_K 3 x 16 and
// IQ4_XS 2 x 32): vnni_raw.h.
template <QType T>
constexpr KernelDesc kq_gemv_avx2_desc() {
  constexpr int strips = kq_records::avx2_gemv_strips(kqn::nib_kind_of(T));
  constexpr int tile_n = strips > 1 ? 16 * strips : 0;
  return rebuilt_for(kq_gemv_avxvnni_desc<T>(), kq_kernel_name(T, KqKernel::gemv_avx2), kAvx2Isa,
                     &run_kq_vnni<T, KqKernel::gemv_avx2>, 0, tile_n);
}
template <QType T>
constexpr KernelDesc kq_gemm_avx2_desc() {
  constexpr raw::TileShape tile = T == QType::Q4_K     ? raw::kAvx2Q4KTile
                                  : T == QType::IQ4_XS ? raw::kAvx2Iq4XsTile
                                                       : raw::TileShape{0, 0};  // the AVX-VNNI line's
  return rebuilt_for(kq_gemm_avxvnni_desc<T>(), kq_kernel_name(T, KqKernel::gemm_avx2), kAvx2Isa,
                     &run_kq_vnni<T, KqKernel::gemm_avx2>, tile.m, tile.n);
}

inline constexpr KernelDesc kIq4NlGemmAvxVnni = {"iq4_nl_gemm_2x16__avxvnni",
                                                 QType::IQ4_NL,
                                                 QType::Q8_0,
                                                 KernelOp::gemm,
                                                 2,
                                                 16,
                                                 kAvxVnniIsa,
                                                 Engine::native,
                                                 Layout::iq4_nl_vnni16,
                                                 &vnni16::pack,
                                                 &quantize_q8_0_avx2,
                                                 &plan_gemm_avxvnni,
                                                 &run_iq4_nl_gemm_avxvnni};

inline constexpr KernelDesc kIq4NlGemvAvxVnni = {"iq4_nl_gemv_1x16__avxvnni",
                                                 QType::IQ4_NL,
                                                 QType::Q8_0,
                                                 KernelOp::gemv,
                                                 1,
                                                 16,
                                                 kAvxVnniIsa,
                                                 Engine::native,
                                                 Layout::iq4_nl_nib_vnni16,
                                                 &vnni16::pack_iq4_nl_nibbles,
                                                 &quantize_q8_0_avx2,
                                                 &plan_gemv_avxvnni,
                                                 &run_iq4_nl_gemv_avxvnni};

inline constexpr KernelDesc kKquantVnniKernels[] = {
    kq_gemv_avx512_desc<QType::Q2_K>(),
    kq_gemv_avx512_desc<QType::Q3_K>(),
    kq_gemv_avx512_desc<QType::Q4_K>(),
    kq_gemv_avx512_desc<QType::Q5_K>(),
    kq_gemv_avx512_desc<QType::Q6_K>(),
    kq_gemv_avx512_desc<QType::IQ4_XS>(),
    kq_gemv_avx512icl_desc<QType::Q5_K>(),
    kq_gemv_avx512icl_desc<QType::IQ4_XS>(),
    kq_gemm_avx512_desc<QType::Q2_K>(),
    kq_gemm_avx512_desc<QType::Q3_K>(),
    kq_gemm_avx512_desc<QType::Q4_K>(),
    kq_gemm_avx512_desc<QType::Q5_K>(),
    kq_gemm_avx512_desc<QType::Q6_K>(),
    kq_gemm_avx512_desc<QType::IQ4_XS>(),
    kq_gemm_avxvnni_desc<QType::Q2_K>(),
    kq_gemm_avxvnni_desc<QType::Q3_K>(),
    kq_gemm_avxvnni_desc<QType::Q4_K>(),
    kq_gemm_avxvnni_desc<QType::Q5_K>(),
    kq_gemm_avxvnni_desc<QType::Q6_K>(),
    kq_gemm_avxvnni_desc<QType::IQ4_XS>(),
    kq_gemm_avxvnni_evex_desc<QType::Q2_K>(),
    kq_gemm_avxvnni_evex_desc<QType::Q3_K>(),
    kq_gemm_avxvnni_evex_desc<QType::Q4_K>(),
    kq_gemm_avxvnni_evex_desc<QType::Q5_K>(),
    kq_gemm_avxvnni_evex_desc<QType::Q6_K>(),
    kq_gemm_avxvnni_evex_desc<QType::IQ4_XS>(),
    kq_gemv_avxvnni_desc<QType::Q2_K>(),
    kq_gemv_avxvnni_desc<QType::Q3_K>(),
    kq_gemv_avxvnni_desc<QType::Q4_K>(),
    kq_gemv_avxvnni_desc<QType::Q5_K>(),
    kq_gemv_avxvnni_desc<QType::Q6_K>(),
    kq_gemv_avxvnni_desc<QType::IQ4_XS>(),
    kq_gemv_avxvnni_evex_desc<QType::Q2_K>(),
    kq_gemv_avxvnni_evex_desc<QType::Q3_K>(),
    kq_gemv_avxvnni_evex_desc<QType::Q4_K>(),
    kq_gemv_avxvnni_evex_desc<QType::Q5_K>(),
    kq_gemv_avxvnni_evex_desc<QType::Q6_K>(),
    kq_gemv_avxvnni_evex_desc<QType::IQ4_XS>(),
    kq_gemv_avx2_desc<QType::Q2_K>(),
    kq_gemv_avx2_desc<QType::Q3_K>(),
    kq_gemv_avx2_desc<QType::Q4_K>(),
    kq_gemv_avx2_desc<QType::Q5_K>(),
    kq_gemv_avx2_desc<QType::Q6_K>(),
    kq_gemm_avx2_desc<QType::Q2_K>(),
    kq_gemm_avx2_desc<QType::Q3_K>(),
    kq_gemm_avx2_desc<QType::Q4_K>(),
    kq_gemm_avx2_desc<QType::Q5_K>(),
    kq_gemm_avx2_desc<QType::Q6_K>(),
    kq_gemv_avx2_desc<QType::IQ4_XS>(),
    kq_gemm_avx2_desc<QType::IQ4_XS>(),
    {"iq4_nl_gemv_1x64__avx512vnni", QType::IQ4_NL, QType::Q8_0, KernelOp::gemv, 1, 64, kAvx512VnniIsa,
     Engine::native, Layout::iq4_nl_nib_vnni16, &vnni16::pack_iq4_nl_nibbles, &quantize_q8_0_avx512,
     &plan_gemv_avx512, &run_iq4_nl_gemv_avx512},
    {"iq4_nl_gemv_1x64__avx512icl", QType::IQ4_NL, QType::Q8_0, KernelOp::gemv, 1, 64, kAvx512IclIsa,
     Engine::native, Layout::iq4_nl_nib_vnni16, &vnni16::pack_iq4_nl_nibbles, &quantize_q8_0_avx512,
     &plan_gemv_avx512, &run_iq4_nl_gemv_avx512icl},
    {"iq4_nl_gemm_4x32__avx512vnni", QType::IQ4_NL, QType::Q8_0, KernelOp::gemm, 4, 32, kAvx512VnniIsa,
     Engine::native, Layout::iq4_nl_vnni16, &vnni16::pack, &quantize_q8_0_avx512, &plan_gemm_avx512,
     &run_iq4_nl_gemm_avx512},
    kIq4NlGemmAvxVnni,
    avxvnni_stand_in(kIq4NlGemmAvxVnni, "iq4_nl_gemm_2x16__avxvnni_evex", &run_iq4_nl_gemm_avxvnni_evex),
    kIq4NlGemvAvxVnni,
    avxvnni_stand_in(kIq4NlGemvAvxVnni, "iq4_nl_gemv_1x16__avxvnni_evex", &run_iq4_nl_gemv_avxvnni_evex),
    rebuilt_for(kIq4NlGemmAvxVnni, "iq4_nl_gemm_2x16__avx2", kAvx2Isa, &run_iq4_nl_gemm_avx2),
    rebuilt_for(kIq4NlGemvAvxVnni, "iq4_nl_gemv_1x32__avx2", kAvx2Isa, &run_iq4_nl_gemv_avx2, 0,
                16 * raw::kAvx2GemvTileStrips),
};

}  // namespace amxlab::vnni
