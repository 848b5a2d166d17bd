// bf16 x bf16 -> f32 (AVX-512F + AVX512-BF16 VDPBF16PS).
#include "kernels/plain/avx512_panel_gemm.h"

namespace amxlab::plain::raw {

void avx512_panel_gemm_bf16(const PanelArgs& g) {
  panel_gemm<kBf16>(g);
}

}  // namespace amxlab::plain::raw
