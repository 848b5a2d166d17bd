// Native instantiation of the AMX GEMM kernels (amx_gemm.h) with NativeTiles. Built
// with -mamx-tile -mamx-int8 -mamx-bf16 (kernels/amx/sources.cmake); the AVX-512
// vector steps are in their own unit (amx_vector_steps.h). Runs only
// through run_native(), which throws Error("AMX unusable: <reason>") without AMX.
#include "kernels/amx/amx_gemm.h"
#include "kernels/amx/amx_kernels.h"
#include "kernels/amx/amx_kquant_gemm.h"
#include "kernels/amx/amx_plain_gemm.h"
#include "kernels/generic/kernel_args.h"
#include "kernels/tile/native_backend.h"

namespace amxlab::amx {
namespace {

// Every native run first refuses an ISA the CPU lacks or the cap (AMXLAB_MAX_ISA /
// --max-isa) excludes, as the VNNI kernels do: a direct call of a RunFn must not run
// tiles under `--max-isa avx512_vnni` (the first AMX machine showed it did).
template <class Body>
void run_checked(const char* kernel, uint32_t isa, Body&& body) {
  kernel_args::require_isa(isa, kernel);
  tile::run_native([&](tile::NativeTiles& t) { body(t); });
}

template <QType WT>
void run_native_kernel(const char* kernel, const PackedWeights& w, const ActivationView& a,
                       const OutputView& y, const Slice& s) {
  run_checked(kernel, kAmxNativeIsa, [&](tile::NativeTiles& t) { gemm_slice<WT>(t, kernel, w, a, y, s); });
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
  const char* kernel = kq_kernel_name(T, KqKernel::amx).data();
  run_checked(kernel, kAmxKqNativeIsa,
              [&](tile::NativeTiles& t) { kquant_gemm_slice(t, T, kernel, w, a, y, s); });
}
AMXLAB_AMX_KQ_INSTANTIATE(run_kq_native)

void run_s8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_checked("s8s8_gemm_32x32__amx", kAmxPlainInt8Isa, [&](tile::NativeTiles& t) {
    plain_gemm_slice<QType::S8>(t, "s8s8_gemm_32x32__amx", w, a, y, s);
  });
}
void run_u8s8_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_checked("u8s8_gemm_32x32__amx", kAmxPlainInt8Isa, [&](tile::NativeTiles& t) {
    plain_gemm_slice<QType::U8>(t, "u8s8_gemm_32x32__amx", w, a, y, s);
  });
}
void run_bf16_native(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  run_checked("bf16_gemm_32x32__amx", kAmxPlainBf16Isa, [&](tile::NativeTiles& t) {
    plain_gemm_slice<QType::BF16>(t, "bf16_gemm_32x32__amx", w, a, y, s);
  });
}

}  // namespace amxlab::amx
