// The kernel registry as `amxlab info` shows it: every kernel with its engine, the ISA
// it needs and whether it can run here (or why not), so scripts can pick kernels by
// engine and ISA (scripts/amx_hardware_check.sh benches the native AMX ones).
#pragma once

#include <nlohmann/json.hpp>

namespace amxlab::cli {

// [{name, weight_type, op, engine, needs, runnable, reason}], in registry order.
nlohmann::json kernels_info();

}  // namespace amxlab::cli
