// Small helpers every VNNI translation unit needs: unaligned scalar loads from packed or
// activation bytes, and which lanes of a 16-lane strip a slice's columns cover. Plain
// integer code in an unnamed namespace: each ISA translation unit gets its own copy
// (vnni_raw.h says why that matters).
#pragma once

#include <cstdint>
#include <cstring>

namespace amxlab::vnni::raw {
namespace {

[[gnu::always_inline]] inline int32_t load_i32(const void* p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline float load_f32(const void* p) {
  float v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bit l set for the lanes l of the `lanes` lanes from column c0 that lie in [n0, n1).
inline uint32_t lane_bits(int64_t n0, int64_t n1, int64_t c0, int lanes) {
  const int64_t lo = n0 > c0 ? n0 - c0 : 0;
  const int64_t hi = n1 - c0 < lanes ? n1 - c0 : lanes;
  return hi <= lo ? 0u : ((1u << hi) - 1u) & ~((1u << lo) - 1u);
}

}  // namespace
}  // namespace amxlab::vnni::raw
