// Everything `amxlab info` knows about this machine and build, as one JSON document
// (the human-readable output is printed from the same document).
#pragma once

#include <nlohmann/json.hpp>

namespace amxlab::cli {

nlohmann::json machine_info();

}  // namespace amxlab::cli
