// f32 x f32 and f16 weights x f32 activations -> f32 (AVX-512F, FMA, F16C).
#include "kernels/plain/avx512_panel_gemm.h"

namespace amxlab::plain::raw {

void avx512_panel_gemm_f32(const PanelArgs& g) {
  if (g.op == kF16) {
    panel_gemm<kF16>(g);
  } else {
    panel_gemm<kF32>(g);
  }
}

}  // namespace amxlab::plain::raw
