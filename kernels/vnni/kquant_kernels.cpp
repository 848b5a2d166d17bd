// Portable wrappers of the K-quant VNNI kernels: argument checks and errors, per-thread
// scratch, the ISA guard, then one call into the ISA translation unit (vnni_raw.h).
#include "kernels/vnni/kquant_kernels.h"

#include <array>
#include <atomic>
#include <iterator>

#include "kernels/core/cpu_features.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni {
namespace {

using RawKqFn = void (*)(const raw::KqArgs&);

std::atomic<int> g_prefetch_override{-1};

void run_kq(QType wt, KqKernel which, uint32_t isa, RawKqFn fn, const PackedWeights& w,
            const ActivationView& a, const OutputView& y, const Slice& s, Layout layout) {
  const char* kernel = kq_kernel_name(wt, which).data();  // a string literal: NUL-terminated
  raw::KqArgs g;
  if (!kernel_args::check_kq16_run(wt, kernel, w, a, y, s, g, layout)) return;
  kernel_args::require_isa(isa, kernel);
  g.partial = kernel_args::thread_scratch(raw::kq_partial_floats(g.rows));
  if (which == KqKernel::gemv_avx512 || which == KqKernel::gemv_avx512icl)
    g.prefetch_records = kqn_gemv_prefetch_records(wt);
  fn(g);
}

// What each K-quant VNNI kernel calls: the ISA it needs, its translation unit's entry and
// the layout it reads.
struct KqRun {
  uint32_t isa;
  RawKqFn fn;
  Layout layout;
  // false: not a K-quant VNNI kernel (under the sanitizers a function's address is no
  // constant expression, so fn itself cannot be asserted on)
  bool known = true;
};
constexpr KqRun kq_run(KqKernel k) {
  switch (k) {
    case KqKernel::gemv_avx512: return {kAvx512VnniIsa, &raw::avx512_kqn_gemv, Layout::kq_nib_vnni16};
    case KqKernel::gemv_avx512icl: return {kAvx512IclIsa, &raw::avx512ext_kqn_gemv, Layout::kq_nib_vnni16};
    case KqKernel::gemv_avxvnni: return {kAvxVnniIsa, &raw::avxvnni_kqn_gemv, Layout::kq_nib_vnni16};
    case KqKernel::gemv_avxvnni_evex:
      return {kAvxVnniEvexIsa, &raw::avxvnni_evex_kqn_gemv, Layout::kq_nib_vnni16};
    case KqKernel::gemv_avx2: return {kAvx2Isa, &raw::avx2_kqn_gemv, Layout::kq_nib_vnni16};
    case KqKernel::gemm_avx2: return {kAvx2Isa, &raw::avx2_kq_gemm, Layout::kq_i8_vnni16};
    case KqKernel::gemm_avx512: return {kAvx512VnniIsa, &raw::avx512_kq_gemm, Layout::kq_i8_vnni16};
    case KqKernel::gemm_avxvnni: return {kAvxVnniIsa, &raw::avxvnni_kq_gemm, Layout::kq_i8_vnni16};
    case KqKernel::gemm_avxvnni_evex:
      return {kAvxVnniEvexIsa, &raw::avxvnni_evex_kq_gemm, Layout::kq_i8_vnni16};
    default: return {0, nullptr, Layout::kq_i8_vnni16, false};
  }
}

}  // namespace

int kqn_gemv_prefetch_records_for(const std::string& vendor, int family, QType t) {
  return vendor == "AuthenticAMD" && family == 0x1a && t != QType::Q2_K ? 1 : 0;
}

int kqn_gemv_prefetch_records(QType t) {
  const int forced = g_prefetch_override.load(std::memory_order_relaxed);
  if (forced >= 0) return forced;
  // The rule applied to this CPU once per type, not a vendor string compared on every call.
  static const std::array<int, std::size(kAllQTypes)> by_type = [] {
    const CpuFeatures& f = cpu_features();
    std::array<int, std::size(kAllQTypes)> a{};
    for (QType q : kAllQTypes)
      a[static_cast<size_t>(q)] = kqn_gemv_prefetch_records_for(f.vendor, f.family, q);
    return a;
  }();
  return by_type[static_cast<size_t>(t)];
}

KqnPrefetchOverride::KqnPrefetchOverride(int records) : previous_(g_prefetch_override.exchange(records)) {}
KqnPrefetchOverride::~KqnPrefetchOverride() {
  g_prefetch_override.store(previous_);
}

template <QType T, KqKernel K>
void run_kq_vnni(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  constexpr KqRun r = kq_run(K);
  static_assert(r.known, "a K-quant VNNI kernel");
  static_assert(K != KqKernel::gemv_avx512icl || kq_gemv_has_icl(T));
  run_kq(T, K, r.isa, r.fn, w, a, y, s, r.layout);
}

#define AMXLAB_KQ_INSTANTIATE(T, K)                                                               \
  template void run_kq_vnni<T, K>(const PackedWeights&, const ActivationView&, const OutputView&, \
                                  const Slice&);
#define AMXLAB_KQ_INSTANTIATE_ALL(T)                    \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemv_avx512)       \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemv_avxvnni)      \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemv_avxvnni_evex) \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemm_avx512)       \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemm_avxvnni)      \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemm_avxvnni_evex) \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemv_avx2)         \
  AMXLAB_KQ_INSTANTIATE(T, KqKernel::gemm_avx2)
AMXLAB_KQ_INSTANTIATE_ALL(QType::Q2_K)
AMXLAB_KQ_INSTANTIATE_ALL(QType::Q3_K)
AMXLAB_KQ_INSTANTIATE_ALL(QType::Q4_K)
AMXLAB_KQ_INSTANTIATE_ALL(QType::Q5_K)
AMXLAB_KQ_INSTANTIATE_ALL(QType::Q6_K)
AMXLAB_KQ_INSTANTIATE_ALL(QType::IQ4_XS)
AMXLAB_KQ_INSTANTIATE(QType::Q5_K, KqKernel::gemv_avx512icl)
AMXLAB_KQ_INSTANTIATE(QType::IQ4_XS, KqKernel::gemv_avx512icl)
#undef AMXLAB_KQ_INSTANTIATE_ALL
#undef AMXLAB_KQ_INSTANTIATE

}  // namespace amxlab::vnni
