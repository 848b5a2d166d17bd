// What the CPU and the OS let us run: CPUID / XCR0 feature bits, AMX palettes, and
// the Linux AMX permission request. The one place ISA facts are decided; tests,
// the dispatcher and the CLI all ask here.
#pragma once

#include <string>

namespace amxlab {

struct CpuFeatures {
  std::string vendor;
  std::string model_name;  // CPUID brand string
  int family = 0;          // CPUID leaf 1: display family (base + extended; AMD Zen 5: 0x1A)
  // Instruction-set bits (CPUID) that the OS also enabled (XCR0), so usable.
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  bool avx512fp16 = false;
  bool avx512vbmi = false;
  bool gfni = false;  // GF2P8AFFINEQB and friends (EVEX forms need AVX-512 too)
  bool avx_vnni = false;
  // AMX as enumerated by CPUID (before any OS permission).
  bool amx_tile = false;
  bool amx_int8 = false;
  bool amx_bf16 = false;
  bool amx_fp16 = false;
  bool xcr0_amx = false;  // XCR0 bits 17 (XTILECFG) and 18 (XTILEDATA)
  int amx_palettes = 0;   // CPUID leaf 0x1D EAX: highest palette id
  int amx_max_rows = 0;   // palette 1 from leaf 0x1D
  int amx_max_colsb = 0;
};

// Detected once, cached, thread-safe.
const CpuFeatures& cpu_features();

// Outcome of making AMX usable in this process.
struct AmxStatus {
  bool usable = false;
  std::string reason;     // empty when usable, else e.g. "CPU lacks AMX"
  std::string os_answer;  // the arch_prctl answer: "granted" or an errno name
};

// Asks the Linux kernel for XTILEDATA permission (arch_prctl ARCH_REQ_XCOMP_PERM, 18)
// the first time it is called, from whichever thread; later calls return the same
// answer. Must run before any thread touches a tile register.
const AmxStatus& request_amx_permission();

// True once request_amx_permission() has been called in this process (whatever its
// answer). The tile emulator refuses to run tile code before that, as hardware would.
bool amx_permission_requested();

// Names of the usable ISA features, space separated ("avx2 avx512f ... amx-int8").
std::string feature_list(const CpuFeatures& f);

}  // namespace amxlab
