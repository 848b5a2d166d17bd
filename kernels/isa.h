// ISA requirements of kernels, decided in one place: the registry, the dispatcher, the
// tests (GTEST_SKIP with the reason) and the harness all ask isa_supported().
#pragma once

#include <cstdint>
#include <string>

namespace amxlab {

// NOLINTNEXTLINE(performance-enum-size): bits of the uint32_t masks KernelDesc::isa holds
enum IsaBit : uint32_t {
  kIsaNone = 0,           // portable C++ (any x86-64)
  kIsaAvx2 = 1u << 0,     // AVX2 + FMA + F16C
  kIsaAvxVnni = 1u << 1,  // AVX-VNNI (VEX)
  kIsaAvx512 = 1u << 2,   // AVX-512 F/BW/VL
  kIsaAvx512Vnni = 1u << 3,
  kIsaAvx512Bf16 = 1u << 4,
  kIsaAmxInt8 = 1u << 5,  // AMX-TILE + AMX-INT8, OS permission granted
  kIsaAmxBf16 = 1u << 6,
  // Byte-shuffle extensions of the AVX-512 level (Ice Lake and later, Zen 4 and later):
  // a kernel that needs them is an alternative to one that does not, never the only path.
  kIsaAvx512Vbmi = 1u << 7,  // VPERMB
  kIsaGfni = 1u << 8,        // GF2P8AFFINEQB (EVEX form: with kIsaAvx512)
};

// Ordered ISA levels for the cap (AMXLAB_MAX_ISA / --max-isa): a kernel runs only if
// every bit it needs is at or below the cap.
enum class IsaLevel : uint8_t { portable, avx2, avx512_vnni, amx };
const char* name(IsaLevel l);
bool parse_isa_level(const std::string& text, IsaLevel& out);

// The bits this CPU/OS supports (AMX only once request_amx_permission() granted it).
uint32_t isa_available();
// The same without the AMX bits and without asking the OS for AMX permission (which
// isa_available() does): for code that must not make the request, such as the emulated
// AMX kernels (the emulator refuses tile code before it, as hardware would).
uint32_t isa_vector_available();

// The cap in force: AMXLAB_MAX_ISA from the environment unless set_isa_cap() was called.
IsaLevel isa_cap();
void set_isa_cap(IsaLevel cap);
uint32_t isa_bits_up_to(IsaLevel cap);

// True if `required` is available and under the cap; otherwise false with the reason
// ("CPU lacks avx512_vnni", "ISA capped at avx2 by AMXLAB_MAX_ISA", "AMX unusable: ...").
bool isa_supported(uint32_t required, std::string* why = nullptr);

std::string isa_names(uint32_t bits);

}  // namespace amxlab
