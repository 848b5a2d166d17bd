#include "reference/onednn/runtime.h"

#include <omp.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <dnnl.hpp>
#include <mutex>
#include <optional>

#include "kernels/core/error.h"

namespace amxlab::onednn {
namespace {

struct IsaRow {
  Isa isa;
  const char* lower;
  dnnl::cpu_isa dnnl;
};

constexpr IsaRow kIsas[] = {
    {Isa::all, "all", dnnl::cpu_isa::all},
    {Isa::sse41, "sse41", dnnl::cpu_isa::sse41},
    {Isa::avx, "avx", dnnl::cpu_isa::avx},
    {Isa::avx2, "avx2", dnnl::cpu_isa::avx2},
    {Isa::avx2_vnni, "avx2_vnni", dnnl::cpu_isa::avx2_vnni},
    {Isa::avx512_core, "avx512_core", dnnl::cpu_isa::avx512_core},
    {Isa::avx512_core_vnni, "avx512_core_vnni", dnnl::cpu_isa::avx512_core_vnni},
    {Isa::avx512_core_bf16, "avx512_core_bf16", dnnl::cpu_isa::avx512_core_bf16},
    {Isa::avx512_core_amx, "avx512_core_amx", dnnl::cpu_isa::avx512_core_amx},
};

const IsaRow& row(Isa isa) {
  for (const auto& r : kIsas)
    if (r.isa == isa) return r;
  throw Error("oneDNN ISA: unknown enum value");
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::mutex g_mutex;
std::optional<Isa> g_requested;  // set_max_isa()'s accepted value

const char* isa_env_value() {
  if (const char* v = std::getenv("ONEDNN_MAX_CPU_ISA"); v && *v) return v;
  if (const char* v = std::getenv("DNNL_MAX_CPU_ISA"); v && *v) return v;
  return nullptr;
}

}  // namespace

std::string name(Isa isa) {
  return row(isa).lower;
}

std::string env_name(Isa isa) {
  std::string s = row(isa).lower;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

bool parse_isa(const std::string& text, Isa& out) {
  const std::string t = lower(text);
  for (const auto& r : kIsas) {
    if (t == r.lower) {
      out = r.isa;
      return true;
    }
  }
  return false;
}

void set_max_isa(Isa isa) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  const dnnl::status st = dnnl::set_max_cpu_isa(row(isa).dnnl);
  if (st == dnnl::status::success) {
    g_requested = isa;
    return;
  }
  if (st == dnnl::status::unimplemented) {
    throw Error("oneDNN ISA cap " + env_name(isa) +
                ": this oneDNN build cannot cap its ISA (built without DNNL_ENABLE_MAX_CPU_ISA)");
  }
  throw Error("oneDNN ISA cap " + env_name(isa) +
              " refused: oneDNN has already chosen its ISA in this process (a primitive or reorder was "
              "created, or the ISA was queried). The cap must be set before any other oneDNN call; to "
              "compare ISAs run one subprocess per ISA with " +
              isa_subprocess_args(isa));
}

std::string set_max_isa_from_env() {
  const char* v = isa_env_value();
  if (!v) return "";
  Isa isa{};
  if (!parse_isa(v, isa)) {
    throw Error(std::string("ONEDNN_MAX_CPU_ISA='") + v +
                "' is not an ISA oneDNN 2.6 knows (ALL, SSE41, AVX, AVX2, AVX2_VNNI, AVX512_CORE, "
                "AVX512_CORE_VNNI, AVX512_CORE_BF16, AVX512_CORE_AMX)");
  }
  set_max_isa(isa);
  return name(isa);
}

std::string isa_cap_name() {
  {
    const std::lock_guard<std::mutex> lock(g_mutex);
    if (g_requested) return name(*g_requested);
  }
  if (const char* v = isa_env_value()) {
    Isa isa{};
    return parse_isa(v, isa) ? name(isa) : std::string(v) + " (not a known ISA name)";
  }
  return "all";
}

std::string effective_isa_name() {
  const dnnl::cpu_isa e = dnnl::get_effective_cpu_isa();
  for (const auto& r : kIsas)
    if (r.dnnl == e) return r.lower;
  return "isa_" + std::to_string(static_cast<int>(e));
}

std::string isa_subprocess_args(Isa isa) {
  return "ONEDNN_MAX_CPU_ISA=" + env_name(isa);
}

void set_threads(int n) {
  if (n < 1) throw Error("oneDNN threads: " + std::to_string(n) + " is not a thread count (>= 1)");
  omp_set_num_threads(n);
}

int max_threads() {
  return omp_get_max_threads();
}

std::string omp_wait_policy() {
  const char* v = std::getenv("OMP_WAIT_POLICY");
  return v && *v ? std::string(v) : std::string("(unset)");
}

}  // namespace amxlab::onednn
