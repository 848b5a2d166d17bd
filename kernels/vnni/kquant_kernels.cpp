// Portable wrappers of the K-quant VNNI kernels: argument checks and errors, per-thread
// scratch, the ISA guard, then one call into the ISA translation unit (vnni_raw.h).
#include "kernels/vnni/kquant_kernels.h"

#include "kernels/generic/kernel_args.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni {
namespace {

using RawKqFn = void (*)(const raw::KqArgs&);

void run_kq(QType wt, KqKernel which, uint32_t isa, RawKqFn fn, const PackedWeights& w,
            const ActivationView& a, const OutputView& y, const Slice& s,
            Layout layout = Layout::kq_i8_vnni16) {
  const char* kernel = kq_kernel_name(wt, which).data();  // a string literal: NUL-terminated
  raw::KqArgs g;
  if (!kernel_args::check_kq16_run(wt, kernel, w, a, y, s, g, layout)) return;
  kernel_args::require_isa(isa, kernel);
  g.partial = kernel_args::thread_scratch(raw::kq_partial_floats(g.rows));
  fn(g);
}

}  // namespace

template <QType T>
void run_kq_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                        const Slice& s) {
  run_kq(T, KqKernel::gemv_avx512, kAvx512VnniIsa, &raw::avx512_kqn_gemv, w, a, y, s, Layout::kq_nib_vnni16);
}
template <QType T>
void run_kq_gemv_avx512icl(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                           const Slice& s) {
  static_assert(kq_gemv_has_icl(T));
  run_kq(T, KqKernel::gemv_avx512icl, kAvx512IclIsa, &raw::avx512ext_kqn_gemv, w, a, y, s,
         Layout::kq_nib_vnni16);
}
template <QType T>
void run_kq_gemv_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s) {
  run_kq(T, KqKernel::gemv_avxvnni, kAvxVnniIsa, &raw::avxvnni_kqn_gemv, w, a, y, s, Layout::kq_nib_vnni16);
}
template <QType T>
void run_kq_gemv_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                              const Slice& s) {
  run_kq(T, KqKernel::gemv_avxvnni_evex, kAvxVnniEvexIsa, &raw::avxvnni_evex_kqn_gemv, w, a, y, s,
         Layout::kq_nib_vnni16);
}
template <QType T>
void run_kq_gemm_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                        const Slice& s) {
  run_kq(T, KqKernel::gemm_avx512, kAvx512VnniIsa, &raw::avx512_kq_gemm, w, a, y, s);
}
template <QType T>
void run_kq_gemm_avxvnni(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s) {
  run_kq(T, KqKernel::gemm_avxvnni, kAvxVnniIsa, &raw::avxvnni_kq_gemm, w, a, y, s);
}
template <QType T>
void run_kq_gemm_avxvnni_evex(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                              const Slice& s) {
  run_kq(T, KqKernel::gemm_avxvnni_evex, kAvxVnniEvexIsa, &raw::avxvnni_evex_kq_gemm, w, a, y, s);
}

#define AMXLAB_KQ_INSTANTIATE(T)                                                                            \
  template void run_kq_gemv_avx512<T>(const PackedWeights&, const ActivationView&, const OutputView&,       \
                                      const Slice&);                                                        \
  template void run_kq_gemv_avxvnni<T>(const PackedWeights&, const ActivationView&, const OutputView&,      \
                                       const Slice&);                                                       \
  template void run_kq_gemv_avxvnni_evex<T>(const PackedWeights&, const ActivationView&, const OutputView&, \
                                            const Slice&);                                                  \
  template void run_kq_gemm_avx512<T>(const PackedWeights&, const ActivationView&, const OutputView&,       \
                                      const Slice&);                                                        \
  template void run_kq_gemm_avxvnni<T>(const PackedWeights&, const ActivationView&, const OutputView&,      \
                                       const Slice&);                                                       \
  template void run_kq_gemm_avxvnni_evex<T>(const PackedWeights&, const ActivationView&, const OutputView&, \
                                            const Slice&);
AMXLAB_KQ_INSTANTIATE(QType::Q2_K)
AMXLAB_KQ_INSTANTIATE(QType::Q3_K)
AMXLAB_KQ_INSTANTIATE(QType::Q4_K)
AMXLAB_KQ_INSTANTIATE(QType::Q5_K)
AMXLAB_KQ_INSTANTIATE(QType::Q6_K)
AMXLAB_KQ_INSTANTIATE(QType::IQ4_XS)
#undef AMXLAB_KQ_INSTANTIATE
template void run_kq_gemv_avx512icl<QType::Q5_K>(const PackedWeights&, const ActivationView&,
                                                 const OutputView&, const Slice&);
template void run_kq_gemv_avx512icl<QType::IQ4_XS>(const PackedWeights&, const ActivationView&,
                                                   const OutputView&, const Slice&);

}  // namespace amxlab::vnni
