// The plain GEMMs in plain C++ over the panel32 layout: one output at a time, units in
// ascending K, the same steps as the AVX-512 kernels (plain_raw.h Op), so every x86-64
// CPU gets the same bits from the same packed weights.
#pragma once

#include "kernels/plain/plain_raw.h"

namespace amxlab::plain {

void portable_panel_gemm(const raw::PanelArgs& g);

}  // namespace amxlab::plain
