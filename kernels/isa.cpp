#include "kernels/isa.h"

#include <atomic>
#include <cstdlib>

#include "kernels/core/cpu_features.h"

namespace amxlab {
namespace {

constexpr IsaLevel kUncapped = IsaLevel::amx;
std::atomic<int> g_cap{-1};  // -1: not decided yet

IsaLevel cap_from_env() {
  const char* env = std::getenv("AMXLAB_MAX_ISA");
  IsaLevel l = kUncapped;
  if (env != nullptr && *env != '\0' && !parse_isa_level(env, l)) l = kUncapped;
  return l;
}

}  // namespace

const char* name(IsaLevel l) {
  switch (l) {
    case IsaLevel::portable: return "portable";
    case IsaLevel::avx2: return "avx2";
    case IsaLevel::avx512_vnni: return "avx512_vnni";
    case IsaLevel::amx: return "amx";
  }
  return "?";
}

bool parse_isa_level(const std::string& text, IsaLevel& out) {
  for (IsaLevel l : {IsaLevel::portable, IsaLevel::avx2, IsaLevel::avx512_vnni, IsaLevel::amx}) {
    if (text == name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

uint32_t isa_vector_available() {
  const CpuFeatures& f = cpu_features();
  uint32_t bits = 0;
  if (f.avx2 && f.fma && f.f16c) bits |= kIsaAvx2;
  if (f.avx_vnni) bits |= kIsaAvxVnni;
  if (f.avx512f && f.avx512bw && f.avx512vl) bits |= kIsaAvx512;
  if ((bits & kIsaAvx512) && f.avx512vnni) bits |= kIsaAvx512Vnni;
  if ((bits & kIsaAvx512) && f.avx512bf16) bits |= kIsaAvx512Bf16;
  if ((bits & kIsaAvx512) && f.avx512vbmi) bits |= kIsaAvx512Vbmi;
  if ((bits & kIsaAvx512) && f.gfni) bits |= kIsaGfni;
  return bits;
}

uint32_t isa_available() {
  const CpuFeatures& f = cpu_features();
  uint32_t bits = isa_vector_available();
  if (request_amx_permission().usable) {
    if (f.amx_int8) bits |= kIsaAmxInt8;
    if (f.amx_bf16) bits |= kIsaAmxBf16;
  }
  return bits;
}

IsaLevel isa_cap() {
  int c = g_cap.load();
  if (c < 0) {
    c = static_cast<int>(cap_from_env());
    g_cap.store(c);
  }
  return static_cast<IsaLevel>(c);
}

void set_isa_cap(IsaLevel cap) {
  g_cap.store(static_cast<int>(cap));
}

uint32_t isa_bits_up_to(IsaLevel cap) {
  uint32_t bits = 0;
  if (cap >= IsaLevel::avx2) bits |= kIsaAvx2 | kIsaAvxVnni;
  if (cap >= IsaLevel::avx512_vnni)
    bits |= kIsaAvx512 | kIsaAvx512Vnni | kIsaAvx512Bf16 | kIsaAvx512Vbmi | kIsaGfni;
  if (cap >= IsaLevel::amx) bits |= kIsaAmxInt8 | kIsaAmxBf16;
  return bits;
}

std::string isa_names(uint32_t bits) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {{kIsaAvx2, "avx2"},
                                                                {kIsaAvxVnni, "avx_vnni"},
                                                                {kIsaAvx512, "avx512"},
                                                                {kIsaAvx512Vnni, "avx512_vnni"},
                                                                {kIsaAvx512Bf16, "avx512_bf16"},
                                                                {kIsaAvx512Vbmi, "avx512_vbmi"},
                                                                {kIsaGfni, "gfni"},
                                                                {kIsaAmxInt8, "amx_int8"},
                                                                {kIsaAmxBf16, "amx_bf16"}};
  std::string out;
  for (const auto& [bit, nm] : kNames) {
    if (bits & bit) out += (out.empty() ? "" : "+") + std::string(nm);
  }
  return out.empty() ? "portable" : out;
}

bool isa_supported(uint32_t required, std::string* why) {
  const uint32_t missing = required & ~isa_available();
  if (missing != 0) {
    if (why != nullptr) {
      if (missing & (kIsaAmxInt8 | kIsaAmxBf16)) {
        *why = "AMX unusable: " + request_amx_permission().reason;
      } else {
        *why = "CPU lacks " + isa_names(missing);
      }
    }
    return false;
  }
  const uint32_t over_cap = required & ~isa_bits_up_to(isa_cap());
  if (over_cap != 0) {
    if (why != nullptr)
      *why = std::string("ISA capped at ") + name(isa_cap()) + " (AMXLAB_MAX_ISA / --max-isa)";
    return false;
  }
  return true;
}

}  // namespace amxlab
