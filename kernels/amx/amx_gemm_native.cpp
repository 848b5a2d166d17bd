// Native instantiation of the AMX GEMM kernels (amx_gemm.h) with NativeTiles. Built
// with -mamx-tile -mamx-int8 -mamx-bf16 (kernels/amx/sources.cmake); the AVX-512
// epilogue comes through a function target attribute (amx_epilogue.h). Runs only
// through run_native(), which throws Error("AMX unusable: <reason>") without AMX.
#include "kernels/amx/amx_gemm.h"
#include "kernels/amx/amx_kernels.h"
#include "kernels/amx/amx_kquant_gemm.h"
#include "kernels/amx/amx_plain_gemm.h"
#include "kernels/tile/native_backend.h"

namespace amxlab::amx {
namespace {

template <QType WT>
void run_native_kernel(const char* kernel, const PackedWeights& w, const ActivationView& a,
                       const OutputView& y, const Slice& s) {
  tile::run_native([&](tile::NativeTiles& t) { gemm_slice<WT>(t, kernel, w, a, y, s); });
}

}  // namespace

void run_q8_0_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_native_kernel<QType::Q8_0>("q8_0_gemm_32x32__amx", w, a, y, s);
}
void run_q4_0_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_native_kernel<QType::Q4_0>("q4_0_gemm_32x32__amx", w, a, y, s);
}
void run_q4_1_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_native_kernel<QType::Q4_1>("q4_1_gemm_32x32__amx", w, a, y, s);
}
void run_iq4_nl_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_native_kernel<QType::IQ4_NL>("iq4_nl_gemm_32x32__amx", w, a, y, s);
}

template <QType T>
void run_kq_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::run_native([&](tile::NativeTiles& t) {
    kquant_gemm_slice(t, T, kq_kernel_name(T, KqKernel::amx).data(), w, a, y, s);
  });
}
AMXLAB_AMX_KQ_INSTANTIATE(run_kq_native)

void run_s8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::run_native(
      [&](tile::NativeTiles& t) { plain_gemm_slice<QType::S8>(t, "s8s8_gemm_32x32__amx", w, a, y, s); });
}
void run_u8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::run_native(
      [&](tile::NativeTiles& t) { plain_gemm_slice<QType::U8>(t, "u8s8_gemm_32x32__amx", w, a, y, s); });
}
void run_bf16_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::run_native(
      [&](tile::NativeTiles& t) { plain_gemm_slice<QType::BF16>(t, "bf16_gemm_32x32__amx", w, a, y, s); });
}

}  // namespace amxlab::amx
