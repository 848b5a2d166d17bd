// Portable wrappers of the K-quant VNNI kernels: argument checks and errors, per-thread
// scratch, the ISA guard, then one call into the ISA translation unit (vnni_raw.h).
#include "kernels/vnni/kquant_kernels.h"

#include <atomic>
#include <cstdlib>

#include "kernels/core/cpu_features.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni {
namespace {

constexpr long kL1PrefetchMinL1d = 48 * 1024;
std::atomic<int> g_forced_prefetch{0};  // 0: the rule; else a PrefetchTarget

using RawKqFn = void (*)(const raw::KqArgs&);

void run_kq(QType wt, KqKernel which, uint32_t isa, RawKqFn fn, const PackedWeights& w,
            const ActivationView& a, const OutputView& y, const Slice& s,
            Layout layout = Layout::kq_i8_vnni16) {
  const char* kernel = kq_kernel_name(wt, which).data();  // a string literal: NUL-terminated
  raw::KqArgs g;
  if (!kernel_args::check_kq16_run(wt, kernel, w, a, y, s, g, layout)) return;
  kernel_args::require_isa(isa, kernel);
  g.partial = kernel_args::thread_scratch(raw::kq_partial_floats(g.rows));
  g.prefetch_l2 = layout == Layout::kq_nib_vnni16 && kq_gemv_prefetch() == PrefetchTarget::l2 ? 1 : 0;
  fn(g);
}

// The rule of kquant_kernels.h, decided once per process.
struct RuleChoice {
  PrefetchTarget target;
  std::string why;
};
const RuleChoice& rule_choice() {
  static const RuleChoice c = [] {
    const char* env = std::getenv("AMXLAB_KQ_GEMV_PREFETCH");
    std::string ignored;
    if (env != nullptr && *env != '\0') {
      const std::string v(env);
      if (v == "1" || v == "2") {
        return RuleChoice{v == "1" ? PrefetchTarget::l1 : PrefetchTarget::l2, "AMXLAB_KQ_GEMV_PREFETCH=" + v};
      }
      ignored = "; AMXLAB_KQ_GEMV_PREFETCH='" + v + "' ignored (1: L1, 2: L2)";
    }
    const long l1d = cpu_features().l1d_bytes;
    const std::string size = l1d > 0 ? std::to_string(l1d / 1024) + " KiB L1D" : "L1D size unknown";
    if (l1d == 0 || l1d >= kL1PrefetchMinL1d) return RuleChoice{PrefetchTarget::l1, size + ignored};
    return RuleChoice{PrefetchTarget::l2, size + " < 48 KiB" + ignored};
  }();
  return c;
}

}  // namespace

PrefetchTarget kq_gemv_prefetch(std::string* why) {
  const int forced = g_forced_prefetch.load();
  if (forced != 0) {
    if (why != nullptr) *why = "set_kq_gemv_prefetch";
    return static_cast<PrefetchTarget>(forced);
  }
  const RuleChoice& c = rule_choice();
  if (why != nullptr) *why = c.why;
  return c.target;
}

void set_kq_gemv_prefetch(std::optional<PrefetchTarget> t) {
  g_forced_prefetch.store(t ? static_cast<int>(*t) : 0);
}

template <QType T>
void run_kq_gemv_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                        const Slice& s) {
  if constexpr (kq_gemv_keeps_nibbles(T)) {
    run_kq(T, KqKernel::gemv_avx512, kAvx512VnniIsa, &raw::avx512_kqn_gemv, w, a, y, s,
           Layout::kq_nib_vnni16);
  } else {
    run_kq(T, KqKernel::gemv_avx512, kAvx512VnniIsa, &raw::avx512_kq_gemv, w, a, y, s);
  }
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

#define AMXLAB_KQ_INSTANTIATE(T)                                                                       \
  template void run_kq_gemv_avx512<T>(const PackedWeights&, const ActivationView&, const OutputView&,  \
                                      const Slice&);                                                   \
  template void run_kq_gemm_avx512<T>(const PackedWeights&, const ActivationView&, const OutputView&,  \
                                      const Slice&);                                                   \
  template void run_kq_gemm_avxvnni<T>(const PackedWeights&, const ActivationView&, const OutputView&, \
                                       const Slice&);
AMXLAB_KQ_INSTANTIATE(QType::Q2_K)
AMXLAB_KQ_INSTANTIATE(QType::Q3_K)
AMXLAB_KQ_INSTANTIATE(QType::Q4_K)
AMXLAB_KQ_INSTANTIATE(QType::Q5_K)
AMXLAB_KQ_INSTANTIATE(QType::Q6_K)
AMXLAB_KQ_INSTANTIATE(QType::IQ4_XS)
#undef AMXLAB_KQ_INSTANTIATE

}  // namespace amxlab::vnni
