// Helpers shared by the tile tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/core/cpu_features.h"
#include "kernels/tile/emulator.h"

namespace amxlab::tile::testing {

// The process must have asked for AMX permission before any tile use (the emulator
// enforces it, as hardware does); the tests ask once, like the thread pool would.
inline EmulatedTiles make_emulator(EmulatorOptions options = {}) {
  (void)request_amx_permission();
  return EmulatedTiles(options);
}

// Asserts that `f` throws TileFault whose message contains every string of `parts`.
template <class F>
void expect_fault(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "expected a TileFault containing '" << parts.front() << "'";
  } catch (const TileFault& e) {
    const std::string what = e.what();
    for (const std::string& p : parts)
      EXPECT_NE(what.find(p), std::string::npos) << "message: " << what << "\nmissing: " << p;
  }
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace amxlab::tile::testing
