// s8 x s8 and u8 x s8 -> s32 (AVX-512F/BW + AVX512-VNNI VPDPBUSD, wrapping int32).
#include "kernels/plain/avx512_panel_gemm.h"

namespace amxlab::plain::raw {

// One instantiation for both: u8 x s8 is s8 x s8 without the +128 and the compensation
// (comp_at gives no sums for it), decided at run time. (A second instantiation for u8 got a worse
// register allocation from gcc 12: accumulators spilled in the inner loop.)
void avx512_panel_gemm_int8(const PanelArgs& g) {
  panel_gemm<kS8S8>(g);
}

}  // namespace amxlab::plain::raw
