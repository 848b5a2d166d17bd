// The tile layer's emulator-vs-silicon checks, as a list of results: the logic of
// `amxlab tile-selftest`, reused by the tests. Runs every check the CPU allows:
//  * int8 rules vs native VPDPBUSD (zmm)               needs AVX512-VNNI
//  * bf16 rules vs native VDPBF16PS (zmm), per order    needs AVX512-BF16
//  * tile programs: emulated == native, int8            needs usable AMX
//  * TDPBF16PS order: which Bf16Order equals native     needs usable AMX
//  * demo GEMM: emulated == native                      needs usable AMX
// A check that cannot run is `skip` with the reason; nothing is silently left out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace amxlab::tile {

enum class CheckStatus : uint8_t { pass, fail, skip };

inline const char* check_status_name(CheckStatus s) {
  switch (s) {
    case CheckStatus::pass: return "pass";
    case CheckStatus::fail: return "FAIL";
    case CheckStatus::skip: return "skip";
  }
  return "?";
}

struct CheckResult {
  std::string name;
  CheckStatus status = CheckStatus::skip;
  std::string detail;
};

struct SelftestOptions {
  uint64_t lanes = uint64_t{1} << 20;  // per VNNI instruction
  uint64_t tile_programs = 10000;      // random tile programs (AMX machines)
  uint64_t seed = 20240601;
  std::FILE* trace = nullptr;  // each tile program named here before it runs natively
};

// What the native cross-check says about TDPBF16PS's order (arith.h's Bf16Order is
// PROVISIONAL until an AMX machine decides): filled by run_tile_selftest, so a script
// can record the decision without parsing the table. `ran` is false without usable AMX.
struct Bf16OrderVerdict {
  bool ran = false;
  uint64_t programs = 0;              // bf16 tile programs compared
  uint64_t matches[3] = {};           // programs equal to native under kAllBf16Orders[i]
  std::vector<std::string> matching;  // orders equal to native on every program
  bool default_confirmed = false;     // kDefaultBf16Order is among `matching`
  std::string reason;                 // why it did not run, when !ran
};

// One line for people: which order the silicon follows, or why nothing was decided.
std::string bf16_verdict_text(const Bf16OrderVerdict& v);

std::vector<CheckResult> run_tile_selftest(const SelftestOptions& options = {},
                                           Bf16OrderVerdict* verdict = nullptr);

}  // namespace amxlab::tile
