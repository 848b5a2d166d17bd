// The IQ4_NL GEMV over iq4_nl_nib_vnni16 (vnni16_tile.h with X = true): the index nibbles
// looked up by VPERMB. Built with the flags of avx512_gemm.cpp plus -mavx512vbmi -mgfni
// (vnni/sources.cmake; GFNI unused here, the flags are those of the avx512icl level);
// called only where isa_supported() found them.
#include "kernels/vnni/vnni16_tile.h"

namespace amxlab::vnni::raw {

void avx512ext_iq4_nl_gemv(const GemmArgs& g) {
  drive<kIQ4_NL, true, kGemvMR, kGemvNS>(g, g.blocks);
}

}  // namespace amxlab::vnni::raw
