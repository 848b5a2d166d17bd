// Emulated == native, bitwise, on random tile programs (AMX machines only).
//
// Each program configures six tiles (two C, one A, two B, one extra "copy" tile of an
// arbitrary shape: rows 1..16, colsb 1..64), starts the C tiles from memory or
// TILEZERO, runs 1..3 rounds of {load A, B0, B1; C0 += A.B0; C1 += A.B1} with a random
// int8 op per dot product (or TDPBF16PS in bf16 programs), stores C0, C1 and the copy
// tile with random strides into a pre-filled output, and compares every output byte
// (including the ones no store should touch). Shapes M 1..16, N 1..16 dwords, K 1..16
// dwords; tile numbers from a few fixed permutations (compile-time, as the intrinsics
// need). Int8 programs must match exactly; each bf16 program is emulated under every
// Bf16Order and the report says which orders matched - that decides the PROVISIONAL
// TDPBF16PS order. The demo GEMM (demo_gemm.h) is also run on both backends.
//
// The implementation lives in native_crosscheck.cpp, compiled with AMX flags; calling
// it is safe on any CPU: it throws Error("AMX unusable: <reason>") before touching a
// tile when AMX is not usable.
#pragma once

#include <cstdint>
#include <string>

namespace amxlab::tile {

struct NativeCrosscheckReport {
  uint64_t programs = 0;
  uint64_t int8_programs = 0;
  uint64_t int8_mismatches = 0;
  uint64_t bf16_programs = 0;
  uint64_t bf16_matches[3] = {};  // programs matching under each kAllBf16Orders[i]
  uint64_t demo_runs = 0;
  uint64_t demo_mismatches = 0;
  std::string first_int8_mismatch;
  std::string first_bf16_mismatch[3];
  std::string first_demo_mismatch;
};

NativeCrosscheckReport run_native_tile_crosscheck(uint64_t programs, uint64_t seed);

}  // namespace amxlab::tile
