#include "harness/cli/kernels_info.h"

#include <string>

#include "kernels/core/cpu_features.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::cli {

namespace {

// What the tile emulator stands in for: TDPBF16PS for BF16 weights, the int8 dot products
// for every other type ("" for a kernel that is not emulated).
std::string emulates(const KernelDesc& k) {
  if (k.engine != Engine::emulated) return "";
  return isa_names(k.weight_type == QType::BF16 ? kIsaAmxBf16 : kIsaAmxInt8);
}

}  // namespace

nlohmann::json kernels_info() {
  (void)request_amx_permission();  // AMX counts as available only once the OS said yes
  nlohmann::json out = nlohmann::json::array();
  for (const KernelDesc& k : kernel_registry()) {
    std::string reason;  // worded as the sweeps word it
    const bool runnable = kernel_runnable(k, &reason);
    out.push_back({{"name", k.name},
                   {"weight_type", name(k.weight_type)},
                   {"op", name(k.op)},
                   {"engine", name(k.engine)},
                   {"needs", isa_names(kernel_needs(k))},
                   {"emulates", emulates(k)},
                   {"runnable", runnable},
                   {"reason", reason}});
  }
  return out;
}

}  // namespace amxlab::cli
