// A Sapphire Rapids cycle MODEL for tile code, fed by the emulator's counters.
// It is a model, not a measurement: every figure derived from it must be labelled
// `engine=emulated, timing=model` and never mixed with measured times.
//
// Model (per core, version 1). Costs are reciprocal throughputs in core cycles, per
// instruction whatever its tile shape (a partial tile costs as much as a full one):
//   TDPBSSD/SUD/USD/UUD   16   one 16x16x64 int8 tile product = 16384 MACs per 16
//                              cycles: the 1024 int8 MACs/cycle peak
//   TDPBF16PS             16   16x16x32 bf16 = 8192 MACs per 16 cycles: 512 MACs/cycle
//   TILEZERO               1   (TMUL side)
//   TILELOADD              8   1 KiB through two 64-byte load ports
//   TILESTORED            16   1 KiB through one 64-byte store path
//   LDTILECFG             16   (serial)
//   TILERELEASE           16   (serial)
//   epilogue               caller-supplied cycles per output element (serial): the
//                          scalar/vector work after the tiles (scales, conversion, ...)
// The TMUL unit and the load/store ports are separate resources that overlap, so
//   tile_cycles = max(tmul_cycles, load_store_cycles)
//   cycles      = tile_cycles + config_cycles + epilogue_cycles
// and cycles_serial = tmul + load_store + config + epilogue is reported as the
// pessimistic (no overlap) bound.
// Utilisation = useful MACs / (cycles x peak MACs per cycle), peak = 1024 for int8
// and 512 for bf16 (kernels say which); epilogue included. "Useful" MACs are those of
// the real problem (M*N*K), not the padded tile work (counters().int8_macs).
#pragma once

#include <cstdint>
#include <string>

#include "kernels/tile/counters.h"

namespace amxlab::tile {

struct SapphireRapidsCosts {
  double tdp_int8 = 16.0;
  double tdp_bf16 = 16.0;
  double tilezero = 1.0;
  double tileloadd = 8.0;
  double tilestored = 16.0;
  double ldtilecfg = 16.0;
  double tilerelease = 16.0;
  double int8_macs_per_cycle = 1024.0;
  double bf16_macs_per_cycle = 512.0;
};

enum class MacKind : uint8_t { int8, bf16 };

// The TMUL peak in multiply-adds per cycle for the kind.
inline double peak_macs_per_cycle(MacKind kind, const SapphireRapidsCosts& costs = {}) {
  return kind == MacKind::int8 ? costs.int8_macs_per_cycle : costs.bf16_macs_per_cycle;
}

struct ModelInputs {
  uint64_t useful_macs = 0;  // of the real problem, e.g. M*N*K
  MacKind mac_kind = MacKind::int8;
  uint64_t epilogue_elements = 0;  // output elements the epilogue touches
  double epilogue_cycles_per_element = 0.0;
  double ghz = 2.0;  // core clock for the modeled time
};

struct ModelResult {
  double tmul_cycles = 0;
  double load_store_cycles = 0;
  double config_cycles = 0;
  double epilogue_cycles = 0;
  double cycles = 0;         // max(tmul, load_store) + config + epilogue
  double cycles_serial = 0;  // no-overlap bound
  double seconds = 0;        // cycles / (ghz * 1e9)
  double utilisation = 0;    // useful MACs / (cycles * peak); 0 when cycles == 0
  std::string label;         // "engine=emulated, timing=model (...)"
};

inline constexpr const char* kSapphireRapidsModelLabel =
    "engine=emulated, timing=model (Sapphire Rapids tile model v1: TDPB* 16 cyc, TILELOADD 8, "
    "TILESTORED 16, TMUL || load/store)";

ModelResult model_sapphire_rapids(const TileCounters& counters, const ModelInputs& in,
                                  const SapphireRapidsCosts& costs = {});

}  // namespace amxlab::tile
