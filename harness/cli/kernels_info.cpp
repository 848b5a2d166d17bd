#include "harness/cli/kernels_info.h"

#include <string>
#include <vector>

#include "kernels/core/cpu_features.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::cli {

nlohmann::json kernels_info() {
  (void)request_amx_permission();  // AMX counts as available only once the OS said yes
  std::vector<std::string> skipped;
  (void)runnable_kernels(&skipped);  // the reasons, worded as the sweeps word them
  nlohmann::json out = nlohmann::json::array();
  for (const KernelDesc& k : kernel_registry()) {
    const std::string prefix = std::string(k.name) + ": ";
    std::string reason;
    for (const auto& s : skipped)
      if (s.rfind(prefix, 0) == 0) reason = s.substr(prefix.size());
    out.push_back({{"name", k.name},
                   {"weight_type", name(k.weight_type)},
                   {"op", name(k.op)},
                   {"engine", name(k.engine)},
                   {"needs", isa_names(k.isa)},
                   {"runnable", reason.empty()},
                   {"reason", reason}});
  }
  return out;
}

}  // namespace amxlab::cli
