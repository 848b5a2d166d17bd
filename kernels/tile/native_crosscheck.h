// Emulated == native, bitwise, on random tile programs (AMX machines only).
//
// Each program configures six tiles (two C, one A, two B, one extra "copy" tile of an
// arbitrary shape: rows 1..16, colsb 4..64 in whole dwords), starts the C tiles from memory or
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
#include <cstdio>
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

// trace: when given, each program's description is written (and flushed) there before it
// runs natively, so a program the silicon refuses (SIGILL, SIGSEGV) is named by the last
// line (`amxlab tile-selftest --trace`).
NativeCrosscheckReport run_native_tile_crosscheck(uint64_t programs, uint64_t seed,
                                                  std::FILE* trace = nullptr);

// Writes `count` TDPBF16PS probes run on this core's tiles to `path` (raw records, see
// kernels/tile/README.md "bf16 probes"): each a 16x16 fp32 C, a 16x32 bf16 A, a 16x32 bf16
// B (VNNI pairs), and the native C + A.B; inputs mix ordinary values, signed zeros,
// denormals, wide exponent spreads and cancellations, so that the silicon's TDPBF16PS
// rules can be fitted and checked offline. Throws Error("AMX unusable: ...") first when
// AMX is not usable.
void dump_native_bf16_probes(const std::string& path, uint64_t count, uint64_t seed);

// Runs one step on a tile configured with colsb = 10 (not a whole number of dwords), to
// learn which instruction the silicon refuses: "config" (LDTILECFG + TILERELEASE only),
// "zero", "load", "store", or "control" (load + store of a colsb = 8 tile of the same
// config). The refused one raises #UD (the process dies of SIGILL): run it in a child.
void run_native_colsb_probe(const std::string& step);

}  // namespace amxlab::tile
