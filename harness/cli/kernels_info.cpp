#include "harness/cli/kernels_info.h"

#include <string>

#include "kernels/core/cpu_features.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::cli {

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
                   {"needs", isa_names(k.isa)},
                   {"runnable", runnable},
                   {"reason", reason}});
  }
  return out;
}

}  // namespace amxlab::cli
