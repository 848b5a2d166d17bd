// The floating-point environment is part of the bitwise contract (DESIGN.md):
// kernels run with the default MXCSR (round to nearest even, DAZ/FTZ off, all
// exceptions masked). Workers set it; tests assert it is unchanged after a call.
#pragma once

#include <xmmintrin.h>

#include <cstdint>

namespace amxlab {

inline constexpr uint32_t kDefaultMxcsr = 0x1f80;      // all exceptions masked, RNE
inline constexpr uint32_t kMxcsrControlMask = 0xffc0;  // ignores the sticky flags

inline uint32_t read_mxcsr() {
  return _mm_getcsr();
}
inline void set_default_mxcsr() {
  _mm_setcsr(kDefaultMxcsr);
}
inline bool mxcsr_is_default() {
  return (read_mxcsr() & kMxcsrControlMask) == kDefaultMxcsr;
}

}  // namespace amxlab
