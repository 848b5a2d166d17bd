// EmulatedTiles: the strict tile emulator ("AMX sanitizer"), one instance per
// emulated core (not thread-safe; give each thread its own instance).
//
// Semantics are the SDM's, exactly:
//  * palette 1: 8 tiles of up to 16 rows x 64 bytes; LDTILECFG zeroes every tile;
//  * TILELOADD loads rows x colsb bytes (row r from base + r*stride) and zeroes the
//    bytes beyond colsb and the rows beyond rows; TILESTORED writes rows x colsb;
//    TILEZERO zeroes the whole tile; TILERELEASE returns to the init state;
//  * TDPB[SU][SU]D: C[m][n] += sum_{k < A.colsb/4} sum_{i<4} A[m][4k+i] * B[k][4n+i]
//    (int32, wrap-around, signedness per op), then bytes beyond C.colsb and rows
//    beyond C.rows are zero;
//  * TDPBF16PS: bf16 pairs into fp32 with the rules of kernels/tile/arith.h (DAZ, FTZ
//    after rounding, RNE, MXCSR ignored) in the Bf16Order of the options, by default
//    the one measured on Emerald Rapids silicon (arith.h, README.md).
//
// Strict checks (each throws TileFault naming the instruction, tiles and shapes):
//  * any tile instruction before the process asked the OS for AMX permission
//    (amxlab::request_amx_permission(); on hardware: SIGILL);
//  * LDTILECFG: palette not 0/1 (0 = init state, like TILERELEASE), start_row != 0,
//    reserved bytes not zero, rows > 16, colsb > 64, rows == 0 xor colsb == 0;
//  * a tile used while unconfigured (no LDTILECFG, after TILERELEASE, or rows = 0);
//  * dot products: the same tile as two operands, colsb not a multiple of 4,
//    A.colsb != 4*B.rows, C.rows != A.rows, C.colsb != B.colsb, B.rows > 16;
//  * TILELOADD / TILESTORED of a tile whose colsb is not a multiple of 4 (#UD on silicon;
//    LDTILECFG and TILEZERO accept it - measured, native_crosscheck.h);
//  * TILELOADD / TILESTORED whose rows x colsb footprint (with the stride) is not
//    inside one buffer the kernel declared with declare_buffer(), or that stores into
//    a buffer declared read-only (or loads from one declared write-only).
// A fault changes nothing (state, memory, counters).
//
// Count-only mode (options.count_only): every check and every counter as above, but
// no arithmetic, no memory read or written (tile contents are left stale). For
// modeled timings of shapes too large to emulate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/tile/arith.h"
#include "kernels/tile/counters.h"
#include "kernels/tile/tile.h"

namespace amxlab::tile {

// Raised by the emulator for anything hardware would answer with a fault (#GP, #UD,
// SIGILL) or with silent garbage (out-of-buffer access).
class TileFault : public Error {
 public:
  explicit TileFault(const std::string& what) : Error(what) {}
};

struct EmulatorOptions {
  Bf16Order bf16_order = kDefaultBf16Order;  // TDPBF16PS as measured on silicon (arith.h)
  bool count_only = false;
  // Whether the process has requested AMX permission. A test hook: the default asks
  // the process state (amxlab::amx_permission_requested()).
  bool (*permission_requested)() = &amx_permission_requested;
};

class EmulatedTiles {
 public:
  static constexpr bool is_native = false;

  explicit EmulatedTiles(EmulatorOptions options = {});

  // ---- buffers (bounds of loads/stores) ----
  void declare_buffer(const void* base, std::size_t bytes, const char* name,
                      BufferAccess access = BufferAccess::read_write);
  void clear_buffers() { buffers_.clear(); }

  // ---- the tile API (see tile.h) ----
  void configure(const TileConfig& cfg);
  void release();
  template <int T>
  void loadd(const void* base, std::ptrdiff_t stride) {
    check_tile<T>();
    loadd_at(T, base, stride);
  }
  template <int T>
  void stored(void* base, std::ptrdiff_t stride) {
    check_tile<T>();
    stored_at(T, base, stride);
  }
  template <int T>
  void zero() {
    check_tile<T>();
    zero_at(T);
  }
  template <int C, int A, int B>
  void dpbssd() {
    check_dp_tiles<C, A, B>();
    dp_at(TileOp::tdpbssd, C, A, B);
  }
  template <int C, int A, int B>
  void dpbsud() {
    check_dp_tiles<C, A, B>();
    dp_at(TileOp::tdpbsud, C, A, B);
  }
  template <int C, int A, int B>
  void dpbusd() {
    check_dp_tiles<C, A, B>();
    dp_at(TileOp::tdpbusd, C, A, B);
  }
  template <int C, int A, int B>
  void dpbuud() {
    check_dp_tiles<C, A, B>();
    dp_at(TileOp::tdpbuud, C, A, B);
  }
  template <int C, int A, int B>
  void dpbf16ps() {
    check_dp_tiles<C, A, B>();
    dp_at(TileOp::tdpbf16ps, C, A, B);
  }

  // Run-time tile numbers (random programs, tests of the strict checks). `op` of
  // dp_at is one of the five dot products.
  void loadd_at(int t, const void* base, std::ptrdiff_t stride);
  void stored_at(int t, void* base, std::ptrdiff_t stride);
  void zero_at(int t);
  void dp_at(TileOp op, int c, int a, int b);

  // ---- introspection ----
  const TileCounters& counters() const { return counters_; }
  void reset_counters() { counters_.reset(); }
  const EmulatorOptions& options() const { return options_; }
  void set_bf16_order(Bf16Order o) { options_.bf16_order = o; }
  void set_count_only(bool on) { options_.count_only = on; }
  bool configured() const { return configured_; }
  const TileConfig& config() const { return config_; }
  int rows(int t) const;
  int colsb(int t) const;
  // The whole 16 x 64-byte register of tile t, row-major (bytes beyond the
  // configured shape included: they are zero as on hardware).
  const uint8_t* tile_data(int t) const;

 private:
  struct Buffer {
    uintptr_t begin;
    uintptr_t end;  // one past
    std::string name;
    BufferAccess access;
  };

  void check_permission(TileOp op) const;
  void check_configured(TileOp op, int t, const char* role) const;
  void check_whole_dwords(TileOp op, int t) const;
  void check_footprint(TileOp op, int t, uintptr_t base, std::ptrdiff_t stride, bool write) const;
  std::string shape(int t) const;
  [[noreturn]] void fault(const std::string& msg) const;

  EmulatorOptions options_;
  TileCounters counters_;
  TileConfig config_{};
  bool configured_ = false;
  std::vector<Buffer> buffers_;
  alignas(64) uint8_t data_[kNumTiles][kMaxRows][kMaxColsb] = {};
};

}  // namespace amxlab::tile
