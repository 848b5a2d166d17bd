// s8 x s8 and u8 x s8 -> s32 (AVX-512F/BW + AVX512-VNNI VPDPBUSD, wrapping int32).
#include "kernels/plain/avx512_panel_gemm.h"

namespace amxlab::plain::raw {

void avx512_panel_gemm_int8(const PanelArgs& g) {
  if (g.op == kS8S8) {
    panel_gemm<kS8S8>(g);
  } else {
    panel_gemm<kU8S8>(g);
  }
}

}  // namespace amxlab::plain::raw
