#include "kernels/pack/panel_pack.h"

#include <cstring>
#include <string>

#include "kernels/core/error.h"

namespace amxlab::panel32 {
namespace {

// `count` units of B bytes from a row into one column of consecutive unit rows.
template <size_t B>
void copy_units(std::byte* col, const std::byte* row, int64_t count, size_t unit_row_bytes) {
  for (int64_t u = 0; u < count; ++u)
    std::memcpy(col + static_cast<size_t>(u) * unit_row_bytes, row + static_cast<size_t>(u) * B, B);
}

}  // namespace

bool packable(QType t) {
  return t == QType::S8 || t == QType::U8 || t == QType::BF16 || t == QType::F16 || t == QType::F32;
}

Layout layout_of(QType t) {
  switch (t) {
    case QType::S8:
    case QType::U8: return Layout::s8_panel32;
    case QType::BF16: return Layout::bf16_panel32;
    case QType::F16: return Layout::f16_panel32;
    case QType::F32: return Layout::f32_panel32;
    default: break;
  }
  throw Error(std::string("panel32: ") + name(t) + " is not a plain weight type (s8, u8, bf16, f16, f32)");
}

Geometry geometry(QType t, int64_t n, int64_t k) {
  const Layout layout = layout_of(t);
  require(n >= 1 && k >= 1,
          "panel32: N=" + std::to_string(n) + " and K=" + std::to_string(k) + " must be at least 1");
  Geometry g;
  g.type = t;
  g.n = n;
  g.k = k;
  g.panels = (n + kPanelCols - 1) / kPanelCols;
  const size_t elem = traits(t).block_bytes;  // 1, 2 or 4 bytes per value
  g.unit_elems = layout == Layout::f16_panel32 ? 1 : static_cast<int64_t>(4 / elem);
  g.units = (k + g.unit_elems - 1) / g.unit_elems;
  g.unit_row_bytes = static_cast<size_t>(kPanelCols) * static_cast<size_t>(g.unit_elems) * elem;
  g.panel_bytes = static_cast<size_t>(g.units) * g.unit_row_bytes;
  g.total_bytes = static_cast<size_t>(g.panels) * g.panel_bytes;
  if (layout == Layout::s8_panel32) {
    g.comp_offset = g.total_bytes;
    g.total_bytes += static_cast<size_t>(g.panels * kPanelCols) * sizeof(int32_t);
  }
  return g;
}

PackedWeights pack(QType t, std::span<const std::byte> rows, int64_t n, int64_t k, MemoryResource& memory,
                   const ParallelFor& parallel) {
  const Geometry g = geometry(t, n, k);
  const size_t rb = row_bytes(t, k);
  const size_t elem = traits(t).block_bytes;
  const size_t src_bytes = rb * static_cast<size_t>(n);
  require_buffer(rows.data(), rows.size(), src_bytes, std::string("panel32::pack ") + name(t) + " rows");
  const std::span<const std::byte> src = rows.first(src_bytes);
  PackedWeights w(t, layout_of(t), n, k, g.total_bytes, checksum_bytes(src), memory);
  std::byte* out = w.mutable_bytes().data();
  const size_t unit_bytes = static_cast<size_t>(g.unit_elems) * elem;  // one column's unit
  parallel(g.panels, [&](int64_t p) {
    std::byte* panel = out + static_cast<size_t>(p) * g.panel_bytes;
    std::memset(panel, 0, g.panel_bytes);
    for (int64_t j = 0; j < kPanelCols; ++j) {
      const int64_t row = p * kPanelCols + j;
      int32_t sum = 0;
      if (row < n) {
        const std::byte* r = src.data() + static_cast<size_t>(row) * rb;
        std::byte* col = panel + static_cast<size_t>(j) * unit_bytes;
        // Whole units with a fixed-size copy (one move each, not a library call), then
        // the part of a last unit that K ends inside.
        const int64_t whole = static_cast<int64_t>(rb / unit_bytes);
        if (unit_bytes == 4) {
          copy_units<4>(col, r, whole, g.unit_row_bytes);
        } else {
          copy_units<2>(col, r, whole, g.unit_row_bytes);
        }
        const size_t rest = rb - static_cast<size_t>(whole) * unit_bytes;
        if (rest != 0) std::memcpy(col + static_cast<size_t>(whole) * g.unit_row_bytes, r + rb - rest, rest);
        if (g.comp_offset != 0) {
          uint32_t s = 0;  // wraps like the int32 accumulators
          for (int64_t e = 0; e < k; ++e) s += static_cast<uint32_t>(static_cast<int8_t>(r[e]));
          sum = static_cast<int32_t>(s * 128u);
        }
      }
      if (g.comp_offset != 0)
        std::memcpy(out + g.comp_offset + static_cast<size_t>(row) * sizeof(int32_t), &sum, sizeof sum);
    }
  });
  return w;
}

std::vector<std::byte> unpack(const PackedWeights& w) {
  require(packable(w.type()) && w.layout() == layout_of(w.type()),
          std::string("panel32::unpack: weights are ") + name(w.type()) + "/" + name(w.layout()));
  const Geometry g = geometry(w.type(), w.n(), w.k());
  const size_t rb = row_bytes(w.type(), w.k());
  const size_t elem = traits(w.type()).block_bytes;
  const size_t unit_bytes = static_cast<size_t>(g.unit_elems) * elem;
  std::vector<std::byte> rows(rb * static_cast<size_t>(w.n()));
  const std::byte* in = w.bytes().data();
  for (int64_t row = 0; row < w.n(); ++row) {
    const std::byte* panel = in + static_cast<size_t>(row / kPanelCols) * g.panel_bytes;
    const auto j = static_cast<size_t>(row % kPanelCols);
    for (int64_t u = 0; u < g.units; ++u) {
      const size_t first = static_cast<size_t>(u * g.unit_elems) * elem;
      std::memcpy(rows.data() + static_cast<size_t>(row) * rb + first,
                  panel + static_cast<size_t>(u) * g.unit_row_bytes + j * unit_bytes,
                  std::min(unit_bytes, rb - first));
    }
  }
  return rows;
}

}  // namespace amxlab::panel32
