// The native side of the VNNI validation (validate_vnni_native.cpp, AVX-512 TU).
// Plain functions over arrays of `vectors` zmm-sized blocks; the caller checks
// cpu_features() first (avx512vnni for vpdpbusd_zmm, avx512bf16 for vdpbf16ps_zmm).
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::tile::native_vnni {

// out[16v+j] = VPDPBUSD(acc, a, b) lane j: a bytes unsigned, b bytes signed.
// acc/out: 16 dwords per vector; a, b: 64 bytes per vector.
void vpdpbusd_zmm(std::size_t vectors, const uint32_t* acc, const uint8_t* a, const uint8_t* b,
                  uint32_t* out);

// out[16v+j] = VDPBF16PS(acc, a, b) lane j (fp32 bits): a, b 32 bf16 per vector
// (pair j = elements 2j (even), 2j+1 (odd)).
void vdpbf16ps_zmm(std::size_t vectors, const uint32_t* acc, const uint16_t* a, const uint16_t* b,
                   uint32_t* out);

}  // namespace amxlab::tile::native_vnni
