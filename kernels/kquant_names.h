// The names of the K-quant kernels (type_op_tile__isa), one table for the run wrappers'
// error messages and the registry lines of every family.
#pragma once

#include <cstdint>
#include <string_view>

#include "kernels/core/qtype.h"

namespace amxlab {

// gemv_avx512icl: the nibble GEMV built for AVX-512 VNNI + VBMI + GFNI, the subset of Ice
// Lake's AVX-512 it uses (XNNPACK's name for that level), registered for IQ4_XS and Q5_K.
enum class KqKernel : uint8_t {
  gemv_avx512,
  gemv_avx512icl,
  gemv_avxvnni,
  gemv_avxvnni_evex,  // the AVX-VNNI GEMV's body with EVEX VPDPBUSD (Engine::stand_in)
  gemv_avx2,          // the same body with the plain AVX2 dot (no VNNI; not IQ4_XS)
  gemm_avx512,
  gemm_avxvnni,
  gemm_avxvnni_evex,  // the AVX-VNNI GEMM's body with EVEX VPDPBUSD (Engine::stand_in)
  gemm_avx2,          // the same body with the plain AVX2 dot (no VNNI; not IQ4_XS)
  portable,
  amx,
  amx_emulated
};

// "" for a type without K-quant kernels.
constexpr std::string_view kq_kernel_name(QType t, KqKernel k) {
#define AMXLAB_KQ_NAMES(T, AVX2_GEMV, AVX2_TILE)                           \
  switch (k) {                                                             \
    case KqKernel::gemv_avx512: return T "_gemv_1x64__avx512vnni";         \
    case KqKernel::gemv_avx512icl: return T "_gemv_1x64__avx512icl";       \
    case KqKernel::gemv_avxvnni: return T "_gemv_1x16__avxvnni";           \
    case KqKernel::gemv_avxvnni_evex: return T "_gemv_1x16__avxvnni_evex"; \
    case KqKernel::gemv_avx2: return T "_gemv_" AVX2_GEMV "__avx2";        \
    case KqKernel::gemm_avx512: return T "_gemm_4x32__avx512vnni";         \
    case KqKernel::gemm_avxvnni: return T "_gemm_2x16__avxvnni";           \
    case KqKernel::gemm_avxvnni_evex: return T "_gemm_2x16__avxvnni_evex"; \
    case KqKernel::gemm_avx2: return T "_gemm_" AVX2_TILE "__avx2";        \
    case KqKernel::portable: return T "_gemm_1x1__portable";               \
    case KqKernel::amx: return T "_gemm_32x32__amx";                       \
    case KqKernel::amx_emulated: return T "_gemm_32x32__amx_emulated";     \
  }                                                                        \
  return ""
  switch (t) {
    // The plain AVX2 GEMV's and GEMM's tiles: kq_records::avx2_gemv_strips (kquant_records.h),
    // vnni_raw.h kAvx2Q4KTile, kAvx2Iq4XsTile, else 1 x 16 and 2 x 16 (the registry test
    // Dispatch.EveryRegisteredNameStatesTypeOpTileAndIsa holds them to the lines' tiles).
    case QType::Q2_K: AMXLAB_KQ_NAMES("q2_K", "1x16", "2x16");
    case QType::Q3_K: AMXLAB_KQ_NAMES("q3_K", "1x32", "2x16");
    case QType::Q4_K: AMXLAB_KQ_NAMES("q4_K", "1x32", "3x16");
    case QType::Q5_K: AMXLAB_KQ_NAMES("q5_K", "1x32", "2x16");
    case QType::Q6_K: AMXLAB_KQ_NAMES("q6_K", "1x16", "2x16");
    case QType::IQ4_XS: AMXLAB_KQ_NAMES("iq4_xs", "1x32", "2x32");
    default: return "";
  }
#undef AMXLAB_KQ_NAMES
}

}  // namespace amxlab
