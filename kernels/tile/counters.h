// Instruction and byte counters of one emulated tile core (EmulatedTiles). They are
// the input of the Sapphire Rapids cycle model (sapphire_rapids_model.h). Counted in
// normal and in count-only mode alike; faulting instructions are not counted.
#pragma once

#include <cstdint>

#include "kernels/tile/tile.h"

namespace amxlab::tile {

struct TileCounters {
  uint64_t ops[kNumTileOps] = {};  // indexed by TileOp
  uint64_t bytes_loaded = 0;       // TILELOADD: rows * colsb per instruction
  uint64_t bytes_stored = 0;       // TILESTORED: rows * colsb per instruction
  uint64_t int8_macs = 0;          // TDPB*D: C.rows * (C.colsb/4) * A.colsb multiply-adds
  uint64_t bf16_macs = 0;          // TDPBF16PS: C.rows * (C.colsb/4) * (A.colsb/2)

  uint64_t count(TileOp op) const { return ops[static_cast<int>(op)]; }
  uint64_t ldtilecfg() const { return count(TileOp::ldtilecfg); }
  uint64_t tileloadd() const { return count(TileOp::tileloadd); }
  uint64_t tilestored() const { return count(TileOp::tilestored); }
  uint64_t tilezero() const { return count(TileOp::tilezero); }
  uint64_t tilerelease() const { return count(TileOp::tilerelease); }
  uint64_t tdpbf16ps() const { return count(TileOp::tdpbf16ps); }
  // TDPBSSD + TDPBSUD + TDPBUSD + TDPBUUD.
  uint64_t tdpb_int8() const {
    return count(TileOp::tdpbssd) + count(TileOp::tdpbsud) + count(TileOp::tdpbusd) + count(TileOp::tdpbuud);
  }
  uint64_t total() const {
    uint64_t s = 0;
    for (uint64_t v : ops) s += v;
    return s;
  }

  TileCounters& operator+=(const TileCounters& o) {
    for (int i = 0; i < kNumTileOps; ++i) ops[i] += o.ops[i];
    bytes_loaded += o.bytes_loaded;
    bytes_stored += o.bytes_stored;
    int8_macs += o.int8_macs;
    bf16_macs += o.bf16_macs;
    return *this;
  }
  void reset() { *this = TileCounters{}; }
};

}  // namespace amxlab::tile
