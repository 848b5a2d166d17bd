// Portable wrappers of the VNNI kernels: argument checks and errors, per-thread scratch,
// the ISA guard, then one call into the ISA translation unit (vnni_raw.h).
#include "kernels/vnni/vnni_kernels.h"

#include <string>

#include "kernels/core/error.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/pack/vnni_pack.h"
#include "kernels/vnni/kquant_kernels.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab::vnni {
namespace {

using RawFn = void (*)(const raw::GemmArgs&);

using kernel_args::require_isa;

// `layout`: the kernel's own (vnni16::layout_of(wt) unless it says otherwise).
void run(QType wt, const char* kernel, uint32_t isa, RawFn fn, const PackedWeights& w,
         const ActivationView& a, const OutputView& y, const Slice& s, Layout layout) {
  raw::GemmArgs g;
  if (!kernel_args::check_vnni16_run(wt, kernel, w, a, y, s, g, layout)) return;
  require_isa(isa, kernel);
  g.prep = kernel_args::thread_scratch(raw::prep_floats(g.rows, g.blocks));
  fn(g);
}

// The vector quantisers of one ISA level (vnni_raw.h).
struct QuantizeBodies {
  uint32_t isa;
  const char* suffix;  // of the names in errors: quantize_q8_0_<suffix>
  int64_t (*find_nonfinite)(const float* x, int64_t count);
  void (*rows)(int q8_1, int ref, const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride);
  void (*q8_k_rows)(const float* x, int64_t m, int64_t k, std::byte* out, size_t out_stride);
};
constexpr QuantizeBodies kAvx512Quantize{kIsaAvx512, "avx512", &raw::avx512_find_nonfinite,
                                         &raw::avx512_quantize_rows, &raw::avx512_quantize_q8_k_rows};
constexpr QuantizeBodies kAvx2Quantize{kIsaAvx2, "avx2", &raw::avx2_find_nonfinite, &raw::avx2_quantize_rows,
                                       &raw::avx2_quantize_q8_k_rows};

void quantize_vector(const QuantizeBodies& q, QType act, ActQuant variant, std::span<const float> a,
                     int64_t m, int64_t k, std::span<std::byte> out) {
  const std::string who = std::string(act == QType::Q8_0   ? "quantize_q8_0_"
                                      : act == QType::Q8_1 ? "quantize_q8_1_"
                                                           : "quantize_q8_K_") +
                          q.suffix;
  kernel_args::check_quantize(act, who.c_str(), a, m, k, out);
  if (m == 0) return;
  require_isa(q.isa, who.c_str());
  // Every row is checked before anything is written.
  const int64_t bad = q.find_nonfinite(a.data(), m * k);
  if (bad >= 0) {
    const float v = a[static_cast<size_t>(bad)];
    throw Error(who + ": row " + std::to_string(bad / k) + " holds " + (v != v ? "NaN" : "Inf") +
                " at column " + std::to_string(bad % k));
  }
  if (act == QType::Q8_K) {
    q.q8_k_rows(a.data(), m, k, out.data(), row_bytes(act, k));
    return;
  }
  q.rows(act == QType::Q8_1 ? 1 : 0, variant == ActQuant::ref ? 1 : 0, a.data(), m, k, out.data(),
         row_bytes(act, k));
}

}  // namespace

void quantize_q8_0_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out) {
  quantize_vector(kAvx512Quantize, QType::Q8_0, variant, a, m, k, out);
}
void quantize_q8_1_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out) {
  quantize_vector(kAvx512Quantize, QType::Q8_1, variant, a, m, k, out);
}
void quantize_q8_k_avx512(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                          std::span<std::byte> out) {
  quantize_vector(kAvx512Quantize, QType::Q8_K, variant, a, m, k, out);
}
void quantize_q8_0_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out) {
  quantize_vector(kAvx2Quantize, QType::Q8_0, variant, a, m, k, out);
}
void quantize_q8_1_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out) {
  quantize_vector(kAvx2Quantize, QType::Q8_1, variant, a, m, k, out);
}
void quantize_q8_k_avx2(ActQuant variant, std::span<const float> a, int64_t m, int64_t k,
                        std::span<std::byte> out) {
  quantize_vector(kAvx2Quantize, QType::Q8_K, variant, a, m, k, out);
}

Plan plan_gemv_avx512(int64_t, int64_t, int64_t) {
  return Plan{1, 64};
}
Plan plan_gemm_avx512(int64_t, int64_t, int64_t) {
  return Plan{4, 32};
}
Plan plan_gemm_avxvnni(int64_t, int64_t, int64_t) {
  return Plan{2, 16};
}
Plan plan_gemv_avxvnni(int64_t, int64_t, int64_t) {
  return Plan{1, 16};
}

// A run function over `layout` (AMXLAB_VNNI_RUN: the type's vnni16 layout).
#define AMXLAB_VNNI_RUN_ON(fn, type, kname, isa, raw_fn, layout)                                  \
  void fn(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) { \
    run(type, kname, isa, raw_fn, w, a, y, s, layout);                                            \
  }
#define AMXLAB_VNNI_RUN(fn, type, kname, isa, raw_fn) \
  AMXLAB_VNNI_RUN_ON(fn, type, kname, isa, raw_fn, vnni16::layout_of(type))
AMXLAB_VNNI_RUN(run_q8_0_gemv_avx512, QType::Q8_0, "q8_0_gemv_1x64__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemv)
AMXLAB_VNNI_RUN(run_q4_0_gemv_avx512, QType::Q4_0, "q4_0_gemv_1x64__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemv)
AMXLAB_VNNI_RUN(run_q4_1_gemv_avx512, QType::Q4_1, "q4_1_gemv_1x64__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemv)
AMXLAB_VNNI_RUN(run_q8_0_gemm_avx512, QType::Q8_0, "q8_0_gemm_4x32__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemm)
AMXLAB_VNNI_RUN(run_q4_0_gemm_avx512, QType::Q4_0, "q4_0_gemm_4x32__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemm)
AMXLAB_VNNI_RUN(run_q4_1_gemm_avx512, QType::Q4_1, "q4_1_gemm_4x32__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemm)
AMXLAB_VNNI_RUN(run_iq4_nl_gemm_avx512, QType::IQ4_NL, "iq4_nl_gemm_4x32__avx512vnni", kAvx512VnniIsa,
                raw::avx512_gemm)
// An AVX-VNNI kernel and its EVEX stand-in (vnni/avxvnni_dot.h): one body, two builds.
#define AMXLAB_AVXVNNI_RUNS(t, T, op, tile)                                                          \
  AMXLAB_VNNI_RUN(run_##t##_##op##_avxvnni, QType::T, #t "_" #op "_" #tile "__avxvnni", kAvxVnniIsa, \
                  raw::avxvnni_##op)                                                                 \
  AMXLAB_VNNI_RUN(run_##t##_##op##_avxvnni_evex, QType::T, #t "_" #op "_" #tile "__avxvnni_evex",    \
                  kAvxVnniEvexIsa, raw::avxvnni_evex_##op)
AMXLAB_AVXVNNI_RUNS(q8_0, Q8_0, gemm, 2x16)
AMXLAB_AVXVNNI_RUNS(q4_0, Q4_0, gemm, 2x16)
AMXLAB_AVXVNNI_RUNS(q4_1, Q4_1, gemm, 2x16)
AMXLAB_AVXVNNI_RUNS(iq4_nl, IQ4_NL, gemm, 2x16)
AMXLAB_AVXVNNI_RUNS(q8_0, Q8_0, gemv, 1x32)
AMXLAB_AVXVNNI_RUNS(q4_0, Q4_0, gemv, 1x32)
AMXLAB_AVXVNNI_RUNS(q4_1, Q4_1, gemv, 1x32)
#undef AMXLAB_AVXVNNI_RUNS
AMXLAB_VNNI_RUN(run_q8_0_gemm_avx2, QType::Q8_0, "q8_0_gemm_2x16__avx2", kAvx2Isa, raw::avx2_gemm)
AMXLAB_VNNI_RUN(run_iq4_nl_gemm_avx2, QType::IQ4_NL, "iq4_nl_gemm_2x16__avx2", kAvx2Isa, raw::avx2_gemm)
AMXLAB_VNNI_RUN(run_q4_0_gemm_avx2, QType::Q4_0, "q4_0_gemm_3x16__avx2", kAvx2Isa, raw::avx2_gemm)
AMXLAB_VNNI_RUN(run_q4_1_gemm_avx2, QType::Q4_1, "q4_1_gemm_3x16__avx2", kAvx2Isa, raw::avx2_gemm)
AMXLAB_VNNI_RUN(run_q8_0_gemv_avx2, QType::Q8_0, "q8_0_gemv_1x32__avx2", kAvx2Isa, raw::avx2_gemv)
AMXLAB_VNNI_RUN(run_q4_0_gemv_avx2, QType::Q4_0, "q4_0_gemv_1x32__avx2", kAvx2Isa, raw::avx2_gemv)
AMXLAB_VNNI_RUN(run_q4_1_gemv_avx2, QType::Q4_1, "q4_1_gemv_1x32__avx2", kAvx2Isa, raw::avx2_gemv)
// The IQ4_NL GEMVs read the index nibbles (iq4_nl_nib_vnni16), not the GEMMs' byte codes.
AMXLAB_VNNI_RUN_ON(run_iq4_nl_gemv_avx512, QType::IQ4_NL, "iq4_nl_gemv_1x64__avx512vnni", kAvx512VnniIsa,
                   raw::avx512_gemv, Layout::iq4_nl_nib_vnni16)
AMXLAB_VNNI_RUN_ON(run_iq4_nl_gemv_avx512icl, QType::IQ4_NL, "iq4_nl_gemv_1x64__avx512icl", kAvx512IclIsa,
                   raw::avx512ext_iq4_nl_gemv, Layout::iq4_nl_nib_vnni16)
AMXLAB_VNNI_RUN_ON(run_iq4_nl_gemv_avxvnni, QType::IQ4_NL, "iq4_nl_gemv_1x16__avxvnni", kAvxVnniIsa,
                   raw::avxvnni_iq4_nl_gemv, Layout::iq4_nl_nib_vnni16)
AMXLAB_VNNI_RUN_ON(run_iq4_nl_gemv_avxvnni_evex, QType::IQ4_NL, "iq4_nl_gemv_1x16__avxvnni_evex",
                   kAvxVnniEvexIsa, raw::avxvnni_evex_iq4_nl_gemv, Layout::iq4_nl_nib_vnni16)
AMXLAB_VNNI_RUN_ON(run_iq4_nl_gemv_avx2, QType::IQ4_NL, "iq4_nl_gemv_1x32__avx2", kAvx2Isa, raw::avx2_gemv,
                   Layout::iq4_nl_nib_vnni16)
#undef AMXLAB_VNNI_RUN
#undef AMXLAB_VNNI_RUN_ON

}  // namespace amxlab::vnni
