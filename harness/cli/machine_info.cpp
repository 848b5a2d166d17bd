#include "harness/cli/machine_info.h"

#include <thread>

#include "harness/cli/build_info.h"
#include "harness/topology/topology.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/qtype.h"
#include "kernels/kquant_names.h"
#include "kernels/vnni/kquant_kernels.h"
#include "reference/onednn/onednn_info.h"

namespace amxlab::cli {

nlohmann::json machine_info() {
  using nlohmann::json;
  const CpuFeatures& f = cpu_features();
  const AmxStatus& amx = request_amx_permission();
  json j;
  j["cpu"] = {{"vendor", f.vendor},          {"model", f.model_name},       {"family", f.family},
              {"features", feature_list(f)}, {"avx512_vnni", f.avx512vnni}, {"avx512_bf16", f.avx512bf16},
              {"avx_vnni", f.avx_vnni}};
  // Per-CPU kernel choices that no registry line shows (kernels/README.md "Software
  // prefetch per CPU"): what the AVX-512 K-quant GEMVs prefetch on this CPU.
  json prefetch = json::object();
  for (QType t : kAllQTypes) {
    if (!kq_kernel_name(t, KqKernel::gemv_avx512).empty())
      prefetch[std::string(name(t))] = vnni::kqn_gemv_prefetch_records(t);
  }
  j["tuning"] = {{"kqn_gemv_prefetch_records", prefetch}};
  j["amx"] = {{"usable", amx.usable},     {"reason", amx.reason},       {"os_permission", amx.os_answer},
              {"cpuid_tile", f.amx_tile}, {"cpuid_int8", f.amx_int8},   {"cpuid_bf16", f.amx_bf16},
              {"cpuid_fp16", f.amx_fp16}, {"xcr0_enabled", f.xcr0_amx}, {"palettes", f.amx_palettes}};
  const topo::Topology t = topo::discover();
  json nodes = json::array();
  for (const auto& n : t.numa_nodes) {
    nodes.push_back({{"os_index", n.os_index}, {"memory_bytes", n.memory_bytes}, {"cpus", n.cpus}});
  }
  json caches = json::array();
  for (const auto& c : t.caches) {
    caches.push_back(
        {{"level", c.level}, {"kind", c.kind}, {"size_bytes", c.size_bytes}, {"count", c.count}});
  }
  j["topology"] = {
      {"packages", t.packages},
      {"cores", t.cores},
      {"pus", t.pus},
      {"online_cpus", std::thread::hardware_concurrency()},
      {"numa_nodes", nodes},
      {"caches", caches},
      {"caches_note",
       "as reported by CPUID via hwloc (VMs may lie); measured knees come from `amxlab calibrate`"}};
  j["build"] = {{"version", build::kVersion},
                {"commit", build::kCommit},
                {"compiler", build::kCompiler},
                {"build_type", build::kBuildType},
                {"flags", build::kFlags}};
  json onednn = {{"version", onednn::version()}};
  try {
    onednn["int8_matmul_impl_m512n4096k4096"] = onednn::int8_matmul_impl(512, 4096, 4096);
    onednn["int8_matmul_impl_m1n4096k4096"] = onednn::int8_matmul_impl(1, 4096, 4096);
  } catch (const std::exception& e) {
    onednn["error"] = e.what();
  }
  j["onednn"] = onednn;
  return j;
}

}  // namespace amxlab::cli
