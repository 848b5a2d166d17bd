#include "kernels/core/cpu_features.h"

#include <cpuid.h>
#include <sys/syscall.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace amxlab {
namespace {

struct Regs {
  uint32_t a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(uint32_t leaf, uint32_t sub) {
  Regs r;
  __cpuid_count(leaf, sub, r.a, r.b, r.c, r.d);
  return r;
}

uint64_t xgetbv0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

bool bit(uint32_t v, int i) {
  return ((v >> i) & 1u) != 0;
}

CpuFeatures detect() {
  CpuFeatures f;
  const uint32_t max_leaf = __get_cpuid_max(0, nullptr);
  Regs v = cpuid(0, 0);
  char vendor[13] = {};
  std::memcpy(vendor + 0, &v.b, 4);
  std::memcpy(vendor + 4, &v.d, 4);
  std::memcpy(vendor + 8, &v.c, 4);
  f.vendor = vendor;

  if (__get_cpuid_max(0x80000000u, nullptr) >= 0x80000004u) {
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; ++i) {
      const Regs r = cpuid(0x80000002u + i, 0);
      std::memcpy(brand + 16 * i + 0, &r.a, 4);
      std::memcpy(brand + 16 * i + 4, &r.b, 4);
      std::memcpy(brand + 16 * i + 8, &r.c, 4);
      std::memcpy(brand + 16 * i + 12, &r.d, 4);
    }
    std::string s = brand;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    f.model_name = s.substr(s.find_first_not_of(' ') == std::string::npos ? 0 : s.find_first_not_of(' '));
  }

  const Regs l1 = cpuid(1, 0);
  const int base_family = static_cast<int>((l1.a >> 8) & 0xfu);
  f.family = base_family == 0xf ? base_family + static_cast<int>((l1.a >> 20) & 0xffu) : base_family;
  const bool osxsave = bit(l1.c, 27);
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;                 // SSE + AVX state
  const bool os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
  f.xcr0_amx = (xcr0 & (3ull << 17)) == (3ull << 17);

  f.fma = os_avx && bit(l1.c, 12);
  f.f16c = os_avx && bit(l1.c, 29);
  if (max_leaf >= 7) {
    const Regs l7 = cpuid(7, 0);
    f.avx2 = os_avx && bit(l7.b, 5);
    f.avx512f = os_avx512 && bit(l7.b, 16);
    f.avx512bw = os_avx512 && bit(l7.b, 30);
    f.avx512vl = os_avx512 && bit(l7.b, 31);
    f.avx512vbmi = os_avx512 && bit(l7.c, 1);
    f.gfni = os_avx && bit(l7.c, 8);
    f.avx512vnni = os_avx512 && bit(l7.c, 11);
    f.avx512fp16 = os_avx512 && bit(l7.d, 23);
    f.amx_bf16 = bit(l7.d, 22);
    f.amx_tile = bit(l7.d, 24);
    f.amx_int8 = bit(l7.d, 25);
    if (l7.a >= 1) {
      const Regs l71 = cpuid(7, 1);
      f.avx_vnni = os_avx && bit(l71.a, 4);
      f.avx512bf16 = os_avx512 && bit(l71.a, 5);
      f.amx_fp16 = bit(l71.a, 21);
    }
  }
  if (f.amx_tile && max_leaf >= 0x1d) {
    f.amx_palettes = static_cast<int>(cpuid(0x1d, 0).a);
    if (f.amx_palettes >= 1) {
      const Regs p1 = cpuid(0x1d, 1);
      f.amx_max_colsb = static_cast<int>(p1.b & 0xffffu);  // bytes per row
      f.amx_max_rows = static_cast<int>(p1.c & 0xffffu);
    }
  }
  return f;
}

constexpr long kArchReqXcompPerm = 0x1023;
constexpr long kXfeatureXtiledata = 18;

std::atomic<bool> g_requested{false};

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures f = detect();
  return f;
}

const AmxStatus& request_amx_permission() {
  static const AmxStatus status = [] {
    g_requested.store(true);
    AmxStatus s;
    const CpuFeatures& f = cpu_features();
    // Ask the OS even when the CPU lacks AMX, so the answer is on record.
    if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
      const int e = errno;
      const char* nm = strerrorname_np(e);
      s.os_answer = nm ? std::string(nm) : "errno " + std::to_string(e);
    } else {
      s.os_answer = "granted";
    }
    if (!f.amx_tile || !f.amx_int8) {
      s.reason = "CPU lacks AMX";
      return s;
    }
    if (f.amx_palettes < 1) {
      s.reason = "no palette (CPUID leaf 0x1D lists none)";
      return s;
    }
    if (!f.xcr0_amx) {
      s.reason = "OS has not enabled AMX tile state in XCR0";
      return s;
    }
    if (s.os_answer != "granted") {
      s.reason = "OS refused XTILEDATA permission: " + s.os_answer;
      return s;
    }
    s.usable = true;
    return s;
  }();
  return status;
}

bool amx_permission_requested() {
  return g_requested.load();
}

std::string feature_list(const CpuFeatures& f) {
  std::string out;
  auto add = [&out](bool on, const char* nm) {
    if (!on) return;
    if (!out.empty()) out += ' ';
    out += nm;
  };
  add(f.fma, "fma");
  add(f.f16c, "f16c");
  add(f.avx2, "avx2");
  add(f.avx_vnni, "avx-vnni");
  add(f.avx512f, "avx512f");
  add(f.avx512bw, "avx512bw");
  add(f.avx512vl, "avx512vl");
  add(f.avx512vnni, "avx512vnni");
  add(f.avx512bf16, "avx512bf16");
  add(f.avx512fp16, "avx512fp16");
  add(f.avx512vbmi, "avx512vbmi");
  add(f.gfni, "gfni");
  add(f.amx_tile, "amx-tile");
  add(f.amx_int8, "amx-int8");
  add(f.amx_bf16, "amx-bf16");
  add(f.amx_fp16, "amx-fp16");
  return out;
}

}  // namespace amxlab
