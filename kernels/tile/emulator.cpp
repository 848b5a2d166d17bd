#include "kernels/tile/emulator.h"

#include <cstdio>
#include <cstring>

#include "kernels/core/fpenv.h"

namespace amxlab::tile {
namespace {

std::string tmm(int t) {
  return "tmm" + std::to_string(t);
}

std::string hex_address(uintptr_t p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(p));
  return buf;
}

bool is_dp(TileOp op) {
  return op == TileOp::tdpbssd || op == TileOp::tdpbsud || op == TileOp::tdpbusd || op == TileOp::tdpbuud ||
         op == TileOp::tdpbf16ps;
}

template <bool ASigned, bool BSigned>
void int8_dp(uint8_t (&c)[kMaxRows][kMaxColsb], const uint8_t (&a)[kMaxRows][kMaxColsb],
             const uint8_t (&b)[kMaxRows][kMaxColsb], int rows, int n_dwords, int k_dwords) {
  for (int m = 0; m < rows; ++m) {
    for (int n = 0; n < n_dwords; ++n) {
      uint32_t acc;
      std::memcpy(&acc, &c[m][4 * n], 4);
      for (int k = 0; k < k_dwords; ++k)
        acc = dot4_accumulate<ASigned, BSigned>(acc, &a[m][4 * k], &b[k][4 * n]);
      std::memcpy(&c[m][4 * n], &acc, 4);
    }
  }
}

void bf16_dp(uint8_t (&c)[kMaxRows][kMaxColsb], const uint8_t (&a)[kMaxRows][kMaxColsb],
             const uint8_t (&b)[kMaxRows][kMaxColsb], int rows, int n_dwords, int k_pairs, Bf16Order order) {
  uint16_t a_row[2 * kMaxRows];
  uint16_t b_col[2 * kMaxRows];
  for (int m = 0; m < rows; ++m) {
    std::memcpy(a_row, &a[m][0], 4 * static_cast<std::size_t>(k_pairs));
    for (int n = 0; n < n_dwords; ++n) {
      for (int k = 0; k < k_pairs; ++k) std::memcpy(&b_col[2 * k], &b[k][4 * n], 4);
      uint32_t acc;
      std::memcpy(&acc, &c[m][4 * n], 4);
      acc = bf16_dot_pairs(acc, a_row, b_col, k_pairs, order);
      std::memcpy(&c[m][4 * n], &acc, 4);
    }
  }
}

}  // namespace

EmulatedTiles::EmulatedTiles(EmulatorOptions options) : options_(options) {}

void EmulatedTiles::fault(const std::string& msg) const {
  throw TileFault(msg);
}

int EmulatedTiles::rows(int t) const {
  require(t >= 0 && t < kNumTiles, "EmulatedTiles::rows: tile number out of range");
  return configured_ ? config_.rows[t] : 0;
}
int EmulatedTiles::colsb(int t) const {
  require(t >= 0 && t < kNumTiles, "EmulatedTiles::colsb: tile number out of range");
  return configured_ ? config_.colsb[t] : 0;
}
const uint8_t* EmulatedTiles::tile_data(int t) const {
  require(t >= 0 && t < kNumTiles, "EmulatedTiles::tile_data: tile number out of range");
  return &data_[t][0][0];
}

std::string EmulatedTiles::shape(int t) const {
  return tmm(t) + " " + std::to_string(rows(t)) + "x" + std::to_string(colsb(t));
}

void EmulatedTiles::declare_buffer(const void* base, std::size_t bytes, const char* name,
                                   BufferAccess access) {
  require(base != nullptr || bytes == 0, "declare_buffer: null base with non-zero size");
  const uintptr_t b = reinterpret_cast<uintptr_t>(base);
  require(bytes <= UINTPTR_MAX - b, "declare_buffer: buffer wraps the address space");
  buffers_.push_back(Buffer{b, b + bytes, name ? name : "(unnamed)", access});
}

void EmulatedTiles::check_permission(TileOp op) const {
  const bool requested = options_.permission_requested ? options_.permission_requested() : false;
  if (!requested)
    fault(std::string(tile_op_name(op)) +
          ": tile use before AMX permission request (on hardware: SIGILL); call "
          "amxlab::request_amx_permission() once in the process before any thread uses tiles");
}

void EmulatedTiles::check_configured(TileOp op, int t, const char* role) const {
  if (t < 0 || t >= kNumTiles)
    fault(std::string(tile_op_name(op)) + ": tile number " + std::to_string(t) +
          " out of range (palette 1 has tmm0..tmm7)");
  if (!configured_)
    fault(std::string(tile_op_name(op)) + " " + tmm(t) + " (" + role +
          "): tiles are not configured (no LDTILECFG yet, or after TILERELEASE / palette 0)");
  if (config_.rows[t] == 0)
    fault(std::string(tile_op_name(op)) + " " + tmm(t) + " (" + role +
          "): tile is not configured (rows = 0, colsb = 0 in the current LDTILECFG)");
}

// TILELOADD / TILESTORED of a tile whose colsb is not a whole number of dwords raise #UD
// on silicon (measured on Emerald Rapids: LDTILECFG and TILEZERO accept colsb = 10, the
// load and the store of that tile die of SIGILL; the same config's colsb = 8 tile works).
void EmulatedTiles::check_whole_dwords(TileOp op, int t) const {
  if (config_.colsb[t] % 4 != 0)
    fault(std::string(tile_op_name(op)) + " " + tmm(t) + ": colsb (" + std::to_string(config_.colsb[t]) +
          ") is not a multiple of 4 (#UD on silicon)");
}

void EmulatedTiles::check_footprint(TileOp op, int t, uintptr_t base, std::ptrdiff_t stride,
                                    bool write) const {
  const int r = config_.rows[t];
  const int cb = config_.colsb[t];
  const __int128 last = static_cast<__int128>(r - 1) * static_cast<__int128>(stride);
  const __int128 lo = static_cast<__int128>(base) + (last < 0 ? last : 0);
  const __int128 hi = static_cast<__int128>(base) + (last > 0 ? last : 0) + cb;  // one past
  const std::string what = std::string(tile_op_name(op)) + " " + shape(t) + ", base " + hex_address(base) +
                           ", stride " + std::to_string(stride) + ": footprint of " + std::to_string(r) +
                           " rows x " + std::to_string(cb) + " bytes";
  const Buffer* partial = nullptr;
  for (const Buffer& b : buffers_) {
    const bool contains_lo = lo >= static_cast<__int128>(b.begin) && lo < static_cast<__int128>(b.end);
    if (!contains_lo) continue;
    if (hi <= static_cast<__int128>(b.end)) {
      if (write && b.access == BufferAccess::read)
        fault(what + " stores into buffer '" + b.name + "', declared read-only");
      if (!write && b.access == BufferAccess::write)
        fault(what + " loads from buffer '" + b.name + "', declared write-only");
      return;
    }
    partial = &b;
  }
  if (partial != nullptr) {
    const long long over = static_cast<long long>(hi - static_cast<__int128>(partial->end));
    fault(what + " runs " + std::to_string(over) + " bytes past the end of buffer '" + partial->name + "' (" +
          std::to_string(partial->end - partial->begin) + " bytes at " + hex_address(partial->begin) + ")");
  }
  std::string declared;
  for (const Buffer& b : buffers_) {
    if (!declared.empty()) declared += ", ";
    declared += "'" + b.name + "' " + std::to_string(b.end - b.begin) + " bytes at " + hex_address(b.begin);
  }
  fault(what + " is outside every declared buffer (declared: " +
        (declared.empty() ? std::string("none - call declare_buffer()") : declared) + ")");
}

void EmulatedTiles::configure(const TileConfig& cfg) {
  const TileOp op = TileOp::ldtilecfg;
  check_permission(op);
  const std::string ins = "LDTILECFG";
  if (cfg.palette_id == 0) {  // init state: same as TILERELEASE
    configured_ = false;
    config_ = TileConfig{};
    std::memset(data_, 0, sizeof data_);
    ++counters_.ops[static_cast<int>(op)];
    return;
  }
  if (cfg.palette_id != 1)
    fault(ins + ": palette_id " + std::to_string(cfg.palette_id) +
          " is invalid (palette 1 is the only one; 0 = init state) (hardware: #GP)");
  if (cfg.start_row != 0)
    fault(ins + ": start_row " + std::to_string(cfg.start_row) +
          " is not 0 (only a restarted, interrupted instruction may leave it non-zero; a "
          "kernel must write 0)");
  uint8_t bytes[64];
  std::memcpy(bytes, &cfg, 64);
  for (int i = 0; i < 64; ++i) {
    const bool reserved = (i >= 2 && i < 16) || (i >= 32 && i < 48) || i >= 56;
    if (reserved && bytes[i] != 0)
      fault(ins + ": reserved config byte " + std::to_string(i) + " is " + std::to_string(bytes[i]) +
            ", must be 0 (hardware: #GP)");
  }
  for (int t = 0; t < kNumTiles; ++t) {
    const int r = cfg.rows[t];
    const int cb = cfg.colsb[t];
    if (r > kMaxRows)
      fault(ins + ": " + tmm(t) + " rows " + std::to_string(r) + " > 16 (colsb " + std::to_string(cb) +
            ") (hardware: #GP)");
    if (cb > kMaxColsb)
      fault(ins + ": " + tmm(t) + " colsb " + std::to_string(cb) + " > 64 (rows " + std::to_string(r) +
            ") (hardware: #GP)");
    if ((r == 0) != (cb == 0))
      fault(ins + ": " + tmm(t) + " rows " + std::to_string(r) + ", colsb " + std::to_string(cb) +
            ": rows and colsb must be both zero (unused tile) or both non-zero (hardware: #GP)");
  }
  config_ = cfg;
  configured_ = true;
  std::memset(data_, 0, sizeof data_);
  ++counters_.ops[static_cast<int>(op)];
}

void EmulatedTiles::release() {
  check_permission(TileOp::tilerelease);
  configured_ = false;
  config_ = TileConfig{};
  std::memset(data_, 0, sizeof data_);
  ++counters_.ops[static_cast<int>(TileOp::tilerelease)];
}

void EmulatedTiles::loadd_at(int t, const void* base, std::ptrdiff_t stride) {
  const TileOp op = TileOp::tileloadd;
  check_permission(op);
  check_configured(op, t, "destination");
  check_whole_dwords(op, t);
  const uintptr_t b = reinterpret_cast<uintptr_t>(base);
  check_footprint(op, t, b, stride, /*write=*/false);
  const int r = config_.rows[t];
  const int cb = config_.colsb[t];
  if (!options_.count_only) {
    std::memset(data_[t], 0, sizeof data_[t]);
    for (int i = 0; i < r; ++i) {
      const auto* src = static_cast<const uint8_t*>(base) + static_cast<std::ptrdiff_t>(i) * stride;
      std::memcpy(data_[t][i], src, static_cast<std::size_t>(cb));
    }
  }
  ++counters_.ops[static_cast<int>(op)];
  counters_.bytes_loaded += static_cast<uint64_t>(r) * static_cast<uint64_t>(cb);
}

void EmulatedTiles::stored_at(int t, void* base, std::ptrdiff_t stride) {
  const TileOp op = TileOp::tilestored;
  check_permission(op);
  check_configured(op, t, "source");
  check_whole_dwords(op, t);
  const uintptr_t b = reinterpret_cast<uintptr_t>(base);
  check_footprint(op, t, b, stride, /*write=*/true);
  const int r = config_.rows[t];
  const int cb = config_.colsb[t];
  if (!options_.count_only) {
    for (int i = 0; i < r; ++i) {
      auto* dst = static_cast<uint8_t*>(base) + static_cast<std::ptrdiff_t>(i) * stride;
      std::memcpy(dst, data_[t][i], static_cast<std::size_t>(cb));
    }
  }
  ++counters_.ops[static_cast<int>(op)];
  counters_.bytes_stored += static_cast<uint64_t>(r) * static_cast<uint64_t>(cb);
}

void EmulatedTiles::zero_at(int t) {
  const TileOp op = TileOp::tilezero;
  check_permission(op);
  check_configured(op, t, "destination");
  if (!options_.count_only) std::memset(data_[t], 0, sizeof data_[t]);
  ++counters_.ops[static_cast<int>(op)];
}

void EmulatedTiles::dp_at(TileOp op, int c, int a, int b) {
  require(is_dp(op), "EmulatedTiles::dp_at: not a dot-product instruction");
  check_permission(op);
  const std::string ins = std::string(tile_op_name(op)) + " " + tmm(c) + ", " + tmm(a) + ", " + tmm(b);
  if (c == a || c == b || a == b) {
    const char* pair = c == a ? "C and A" : (c == b ? "C and B" : "A and B");
    const int same = (c == a || c == b) ? c : a;
    fault(ins + ": the same tile (" + tmm(same) + ") is used as " + pair + " (hardware: #UD)");
  }
  check_configured(op, c, "C");
  check_configured(op, a, "A");
  check_configured(op, b, "B");
  const std::string shapes = " [C=" + shape(c) + ", A=" + shape(a) + ", B=" + shape(b) + "] (hardware: #UD)";
  const int c_rows = config_.rows[c], c_colsb = config_.colsb[c];
  const int a_rows = config_.rows[a], a_colsb = config_.colsb[a];
  const int b_rows = config_.rows[b], b_colsb = config_.colsb[b];
  if (c_colsb % 4 != 0)
    fault(ins + ": C.colsb (" + std::to_string(c_colsb) + ") is not a multiple of 4" + shapes);
  if (a_colsb % 4 != 0)
    fault(ins + ": A.colsb (" + std::to_string(a_colsb) + ") is not a multiple of 4" + shapes);
  if (b_colsb % 4 != 0)
    fault(ins + ": B.colsb (" + std::to_string(b_colsb) + ") is not a multiple of 4" + shapes);
  if (b_rows > kMaxRows)  // unreachable with palette 1 (rows <= 16), kept as the rule
    fault(ins + ": B.rows (" + std::to_string(b_rows) + ") > 16: K too large" + shapes);
  if (a_colsb != 4 * b_rows)
    fault(ins + ": A.colsb (" + std::to_string(a_colsb) + ") != 4*B.rows (4*" + std::to_string(b_rows) + "=" +
          std::to_string(4 * b_rows) + ")" + shapes);
  if (c_rows != a_rows)
    fault(ins + ": C.rows (" + std::to_string(c_rows) + ") != A.rows (" + std::to_string(a_rows) + ")" +
          shapes);
  if (c_colsb != b_colsb)
    fault(ins + ": C.colsb (" + std::to_string(c_colsb) + ") != B.colsb (" + std::to_string(b_colsb) + ")" +
          shapes);
  if (op == TileOp::tdpbf16ps && !options_.count_only) {
    constexpr uint32_t kRoundingDazFtz = 0x6000u | 0x8000u | 0x0040u;
    if ((read_mxcsr() & kRoundingDazFtz) != 0)
      throw Error(ins +
                  ": emulation needs the default MXCSR (round to nearest even, DAZ and "
                  "FTZ off) - the project-wide rule; MXCSR is 0x" +
                  [] {
                    char buf[16];
                    std::snprintf(buf, sizeof buf, "%04x", read_mxcsr());
                    return std::string(buf);
                  }());
  }

  const int n_dwords = c_colsb / 4;
  const int k_dwords = a_colsb / 4;
  if (!options_.count_only) {
    switch (op) {
      case TileOp::tdpbssd:
        int8_dp<true, true>(data_[c], data_[a], data_[b], c_rows, n_dwords, k_dwords);
        break;
      case TileOp::tdpbsud:
        int8_dp<true, false>(data_[c], data_[a], data_[b], c_rows, n_dwords, k_dwords);
        break;
      case TileOp::tdpbusd:
        int8_dp<false, true>(data_[c], data_[a], data_[b], c_rows, n_dwords, k_dwords);
        break;
      case TileOp::tdpbuud:
        int8_dp<false, false>(data_[c], data_[a], data_[b], c_rows, n_dwords, k_dwords);
        break;
      case TileOp::tdpbf16ps:
        bf16_dp(data_[c], data_[a], data_[b], c_rows, n_dwords, k_dwords, options_.bf16_order);
        break;
      default: break;
    }
    // As hardware: bytes beyond C.colsb in each row and rows beyond C.rows become 0.
    for (int m = 0; m < kMaxRows; ++m) {
      const int keep = m < c_rows ? c_colsb : 0;
      std::memset(&data_[c][m][keep], 0, static_cast<std::size_t>(kMaxColsb - keep));
    }
  }
  ++counters_.ops[static_cast<int>(op)];
  const uint64_t outputs = static_cast<uint64_t>(c_rows) * static_cast<uint64_t>(n_dwords);
  if (op == TileOp::tdpbf16ps)
    counters_.bf16_macs += outputs * static_cast<uint64_t>(2 * k_dwords);
  else
    counters_.int8_macs += outputs * static_cast<uint64_t>(4 * k_dwords);
}

}  // namespace amxlab::tile
