// Emulated instantiation of the AMX GEMM kernels (amx_gemm.h) with the strict tile
// emulator: no AMX flags; the vector steps are the 512-bit build where the CPU has
// AVX-512, else the 256-bit one (amx_vector_steps.h), hence kIsaAvx2 in the registry.
// The process must have called request_amx_permission() first (the emulator refuses
// otherwise, as hardware would answer SIGILL); the thread pool and the tests do.
#include <string>

#include "kernels/amx/amx_gemm.h"
#include "kernels/amx/amx_kernels.h"
#include "kernels/amx/amx_kquant_gemm.h"
#include "kernels/amx/amx_plain_gemm.h"
#include "kernels/core/error.h"
#include "kernels/tile/emulator.h"

namespace amxlab::amx {

void run_emulated_on(tile::EmulatedTiles& t, QType wt, const PackedWeights& w, const ActivationView& a,
                     const OutputView& y, const Slice& s) {
  switch (wt) {
    case QType::Q8_0: return gemm_slice<QType::Q8_0>(t, "q8_0_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::Q4_0: return gemm_slice<QType::Q4_0>(t, "q4_0_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::Q4_1: return gemm_slice<QType::Q4_1>(t, "q4_1_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::IQ4_NL: return gemm_slice<QType::IQ4_NL>(t, "iq4_nl_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::Q2_K:
    case QType::Q3_K:
    case QType::Q4_K:
    case QType::Q5_K:
    case QType::Q6_K:
    case QType::IQ4_XS:
      // kq_kernel_name() views string literals: .data() is NUL-terminated.
      return kquant_gemm_slice(t, wt,
                               kq_kernel_name(wt, KqKernel::amx_emulated)
                                   .data(),  // NOLINT(bugprone-suspicious-stringview-data-usage)
                               w, a, y, s);
    case QType::S8: return plain_gemm_slice<QType::S8>(t, "s8s8_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::U8: return plain_gemm_slice<QType::U8>(t, "u8s8_gemm_32x32__amx_emulated", w, a, y, s);
    case QType::BF16: return plain_gemm_slice<QType::BF16>(t, "bf16_gemm_32x32__amx_emulated", w, a, y, s);
    default: break;
  }
  throw Error(std::string("amx::run_emulated_on: no AMX kernel for ") + name(wt) + " weights");
}

void run_q8_0_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  gemm_slice<QType::Q8_0>(t, "q8_0_gemm_32x32__amx_emulated", w, a, y, s);
}
void run_q4_0_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  gemm_slice<QType::Q4_0>(t, "q4_0_gemm_32x32__amx_emulated", w, a, y, s);
}
void run_q4_1_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  gemm_slice<QType::Q4_1>(t, "q4_1_gemm_32x32__amx_emulated", w, a, y, s);
}
void run_iq4_nl_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y,
                         const Slice& s) {
  tile::EmulatedTiles t;
  gemm_slice<QType::IQ4_NL>(t, "iq4_nl_gemm_32x32__amx_emulated", w, a, y, s);
}

template <QType T>
void run_kq_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  // kq_kernel_name() views string literals: .data() is NUL-terminated.
  kquant_gemm_slice(
      t, T,
      kq_kernel_name(T, KqKernel::amx_emulated).data(),  // NOLINT(bugprone-suspicious-stringview-data-usage)
      w, a, y, s);
}
AMXLAB_AMX_KQ_INSTANTIATE(run_kq_emulated)

void run_s8s8_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  run_emulated_on(t, QType::S8, w, a, y, s);
}
void run_u8s8_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  run_emulated_on(t, QType::U8, w, a, y, s);
}
void run_bf16_emulated(const PackedWeights& w, const ActivationView& a, const OutputView& y, const Slice& s) {
  tile::EmulatedTiles t;
  run_emulated_on(t, QType::BF16, w, a, y, s);
}

}  // namespace amxlab::amx
