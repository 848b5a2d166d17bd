// The plain GEMMs' run functions: argument checks and errors, the ISA guard, scratch, then
// the AVX-512 or AVX2 translation unit (plain_raw.h) or the portable loop
// (portable_panel_gemm.cpp).
#include "kernels/plain/plain_kernels.h"

#include <xmmintrin.h>

#include <cmath>
#include <cstring>
#include <string>

#include "kernels/core/error.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/kernel_checks.h"
#include "kernels/plain/plain_raw.h"
#include "kernels/plain/portable_panel_gemm.h"

namespace amxlab::plain {
namespace {

using RawFn = void (*)(const raw::PanelArgs&);

}  // namespace

bool check_panel_run(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                     const OutputView& y, const Slice& s, raw::PanelArgs& g) {
  w.require(wt, panel32::layout_of(wt), kernel);
  check_gemm_views(wt, kernel, w.n(), w.k(), a, y, s);
  if (s.m0 == s.m1 || s.n0 == s.n1) return false;
  require(a.bytes != nullptr && y.data != nullptr,
          [&] { return std::string(kernel) + ": null activation or output pointer"; });
  const panel32::Geometry geo = panel32::geometry(wt, w.n(), w.k());
  g.op = wt == QType::S8     ? raw::kS8S8
         : wt == QType::U8   ? raw::kU8S8
         : wt == QType::BF16 ? raw::kBf16
         : wt == QType::F16  ? raw::kF16
                             : raw::kF32;
  g.w = w.bytes().data();
  g.panel_bytes = geo.panel_bytes;
  g.unit_row_bytes = geo.unit_row_bytes;
  g.w_sum128 = geo.comp_offset != 0 ? reinterpret_cast<const int32_t*>(g.w + geo.comp_offset) : nullptr;
  g.k = w.k();
  g.units = geo.units;
  g.a = a.bytes + static_cast<size_t>(s.m0) * a.row_stride;
  g.a_stride = a.row_stride;
  g.a_row_bytes = row_bytes(traits(wt).act_type, w.k());
  g.rows = s.m1 - s.m0;
  g.y = static_cast<std::byte*>(y.data) + static_cast<size_t>(s.m0) * y.row_stride * 4;
  g.y_stride = y.row_stride;
  g.n0 = s.n0;
  g.n1 = s.n1;
  return true;
}

size_t whole_unit_copy_bytes(const raw::PanelArgs& g, bool to_u8) {
  const size_t pitch = static_cast<size_t>(g.units) * 4;
  if (!to_u8 && g.a_row_bytes == pitch) return 0;
  return (static_cast<size_t>(g.rows) * pitch + 63) / 64 * 64;
}

void whole_unit_rows(raw::PanelArgs& g, bool to_u8, std::byte* scratch) {
  if (whole_unit_copy_bytes(g, to_u8) == 0) return;
  const size_t pitch = static_cast<size_t>(g.units) * 4;
  for (int64_t r = 0; r < g.rows; ++r) {
    std::byte* dst = scratch + static_cast<size_t>(r) * pitch;
    std::memcpy(dst, g.a + static_cast<size_t>(r) * g.a_stride, g.a_row_bytes);
    std::memset(dst + g.a_row_bytes, 0, pitch - g.a_row_bytes);
    if (to_u8) {
      for (size_t i = 0; i < pitch; ++i) dst[i] ^= std::byte{0x80};  // s8 -> u8 = s8 + 128
    }
  }
  g.a = scratch;
  g.a_stride = pitch;
}

namespace {

// The NaN outputs of a vector float kernel, recomputed one by one by the portable steps,
// which follow the NaN rules of kernels/core/fma_step.h (the hardware FMA takes its NaN
// from operand slots the compiler picks); its other outputs never met a NaN operand.
void recompute_nan_outputs(const raw::PanelArgs& g) {
  for (int64_t r = 0; r < g.rows; ++r) {
    float* row = static_cast<float*>(g.y) + static_cast<size_t>(r) * g.y_stride;
    int64_t n = g.n0;
    for (; n + 4 <= g.n1; n += 4) {  // the common case: four at a time, none NaN
      const __m128 v = _mm_loadu_ps(row + n);
      if (_mm_movemask_ps(_mm_cmpunord_ps(v, v)) != 0) break;
    }
    for (; n < g.n1; ++n) {
      if (!std::isnan(row[n])) continue;
      raw::PanelArgs one = g;
      one.rows = 1;
      one.a = g.a + static_cast<size_t>(r) * g.a_stride;
      one.y = row;
      one.n0 = n;
      one.n1 = n + 1;
      portable_panel_gemm(one);
    }
  }
}

void run_vector(QType wt, const char* kernel, uint32_t isa, RawFn fn, const PackedWeights& w,
                const ActivationView& a, const OutputView& y, const Slice& s) {
  raw::PanelArgs g;
  if (!check_panel_run(wt, kernel, w, a, y, s, g)) return;
  kernel_args::require_isa(isa, kernel);
  const size_t part =
      g.units > raw::block_units(g.rows, g.units) ? raw::partial_bytes(g.rows, g.n0, g.n1) : 0;
  const bool to_u8 = g.op == raw::kS8S8;
  const bool int8 = g.op == raw::kS8S8 || g.op == raw::kU8S8;
  const size_t copy = whole_unit_copy_bytes(g, to_u8);
  const size_t negs = int8 ? (static_cast<size_t>(g.rows) * sizeof(int32_t) + 63) / 64 * 64 : 0;
  auto* scratch = reinterpret_cast<std::byte*>(kernel_args::thread_scratch((copy + part + negs) / 4));
  whole_unit_rows(g, to_u8, scratch);
  g.c_part = scratch + copy;
  if (int8) g.row_neg = reinterpret_cast<int32_t*>(scratch + copy + part);
  fn(g);
  if (!int8) recompute_nan_outputs(g);
}

void run_portable(QType wt, const char* kernel, const PackedWeights& w, const ActivationView& a,
                  const OutputView& y, const Slice& s) {
  raw::PanelArgs g;
  if (!check_panel_run(wt, kernel, w, a, y, s, g)) return;
  portable_panel_gemm(g);
}

}  // namespace

Plan plan_panel(int64_t, int64_t, int64_t) {
  return Plan{raw::kGemmRows, 2 * panel32::kPanelCols};
}

#define AMXLAB_PLAIN_RUN(type, t, kname, isa, raw_fn)                                           \
  void run_##t##_avx512(const PackedWeights& w, const ActivationView& a, const OutputView& y,   \
                        const Slice& s) {                                                       \
    run_vector(type, kname, isa, raw_fn, w, a, y, s);                                           \
  }                                                                                             \
  void run_##t##_portable(const PackedWeights& w, const ActivationView& a, const OutputView& y, \
                          const Slice& s) {                                                     \
    run_portable(type, #t "_gemm_1x32__portable", w, a, y, s);                                  \
  }
AMXLAB_PLAIN_RUN(QType::S8, s8s8, "s8s8_gemm_6x64__avx512vnni", kAvx512VnniIsa, &raw::avx512_panel_gemm_int8)
AMXLAB_PLAIN_RUN(QType::U8, u8s8, "u8s8_gemm_6x64__avx512vnni", kAvx512VnniIsa, &raw::avx512_panel_gemm_int8)
AMXLAB_PLAIN_RUN(QType::BF16, bf16, "bf16_gemm_6x64__avx512bf16", kAvx512Bf16Isa,
                 &raw::avx512_panel_gemm_bf16)
AMXLAB_PLAIN_RUN(QType::F16, f16, "f16_gemm_6x64__avx512", kAvx512FmaIsa, &raw::avx512_panel_gemm_f32)
AMXLAB_PLAIN_RUN(QType::F32, f32, "f32_gemm_6x64__avx512", kAvx512FmaIsa, &raw::avx512_panel_gemm_f32)
#undef AMXLAB_PLAIN_RUN

// AVX2 + FMA + F16C (no AVX-512): the same wrapper, a 256-bit body.
void run_f16_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_vector(QType::F16, "f16_gemm_3x32__avx2", kIsaAvx2, &raw::avx2_panel_gemm_f32, w, a, y, s);
}
void run_s8s8_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_vector(QType::S8, "s8s8_gemm_2x32__avx2", kIsaAvx2, &raw::avx2_panel_gemm_int8, w, a, y, s);
}
void run_u8s8_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_vector(QType::U8, "u8s8_gemm_2x32__avx2", kIsaAvx2, &raw::avx2_panel_gemm_int8, w, a, y, s);
}
void run_bf16_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_vector(QType::BF16, "bf16_gemm_2x32__avx2", kIsaAvx2, &raw::avx2_panel_gemm_bf16, w, a, y, s);
}
void run_f32_avx2(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_vector(QType::F32, "f32_gemm_3x32__avx2", kIsaAvx2, &raw::avx2_panel_gemm_f32, w, a, y, s);
}

}  // namespace amxlab::plain
