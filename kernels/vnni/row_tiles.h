// How a slice's rows are cut into register tiles of up to MR rows. Rows go in full tiles
// while they last; with MR >= 3, MR + 1 remaining rows go as MR - 1 and 2 instead of MR
// and a lone row: a 1-row tile runs the whole K for one row's worth of products and
// costs about as much as a 2-row tile (plain AVX2 Q4_K, N = K = 4096, 1 thread: M = 4 in
// 3 + 1 rows took 1349 us, M = 5 in 3 + 2 rows 1181 us).
#pragma once

#include <cstdint>

namespace amxlab::vnni::raw {

constexpr int tile_rows(int64_t left, int mr) {
  if (left >= mr + 2 || left == mr) return mr;
  if (left == mr + 1) return mr >= 3 ? mr - 1 : mr;
  return static_cast<int>(left);  // the last rows, fewer than a tile
}
static_assert(tile_rows(4, 3) == 2 && tile_rows(2, 3) == 2 && tile_rows(5, 3) == 3 && tile_rows(7, 3) == 3 &&
              tile_rows(1, 3) == 1 && tile_rows(3, 2) == 2 && tile_rows(1, 2) == 1 && tile_rows(6, 3) == 3);

}  // namespace amxlab::vnni::raw
