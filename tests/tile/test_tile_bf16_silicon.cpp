// The emulator's TDPBF16PS replayed on instructions recorded on silicon: 64 probes
// (16x16 fp32 C, 16x32 bf16 A, 16 rows of B pairs, the native C + A.B) captured with
// `amxlab tile-selftest --dump-bf16-probes` on an Intel Xeon (family 6 model 207, Emerald
// Rapids) on 2026-11-28: eight families of inputs (ordinary, C = +-0, signed zeros,
// denormals, wide exponent spread, exact cancellation, one pair per output, tiny products;
// kernels/tile/native_probes.cpp), 8 probes each. The expected outputs are the
// silicon's, not the emulator's.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/tile/arith.h"
#include "kernels/tile/emulator.h"
#include "tests/test_util.h"
#include "tests/tile/tile_test_util.h"

namespace amxlab::tile {
namespace {

struct Probe {
  uint32_t c[16][16];
  uint16_t a[16][32];
  uint16_t b[16][32];
  uint32_t out[16][16];
};
static_assert(sizeof(Probe) == 4096);

std::vector<Probe> silicon_probes() {
  const auto bytes = amxlab::testing::read_file_bytes(amxlab::testing::test_data_dir() +
                                                      "/tile/tdpbf16ps_emerald_rapids_64.bin");
  std::vector<Probe> probes(bytes.size() / sizeof(Probe));
  std::memcpy(probes.data(), bytes.data(), probes.size() * sizeof(Probe));
  return probes;
}

// Outputs of all probes that the emulator, in `order`, gets equal to the silicon.
int64_t equal_outputs(const std::vector<Probe>& probes, Bf16Order order, std::string* first) {
  int64_t equal = 0;
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& p = probes[i];
    uint32_t got[16][16];
    EmulatorOptions opt;
    opt.bf16_order = order;
    EmulatedTiles t = testing::make_emulator(opt);
    t.declare_buffer(&p, sizeof p, "probe", BufferAccess::read);
    t.declare_buffer(got, sizeof got, "out", BufferAccess::write);
    t.configure(TileConfig::palette1().set(0, 16, 64).set(1, 16, 64).set(2, 16, 64));
    t.loadd<0>(p.c, 64);
    t.loadd<1>(p.a, 64);
    t.loadd<2>(p.b, 64);
    t.dpbf16ps<0, 1, 2>();
    t.stored<0>(got, 64);
    for (int m = 0; m < 16; ++m)
      for (int n = 0; n < 16; ++n) {
        if (got[m][n] == p.out[m][n]) {
          ++equal;
        } else if (first != nullptr && first->empty()) {
          char buf[160];
          std::snprintf(buf, sizeof buf, "probe %zu (family %zu) C[%d][%d]: emulated 0x%08x, silicon 0x%08x",
                        i, i % 8, m, n, got[m][n], p.out[m][n]);
          *first = buf;
        }
      }
  }
  return equal;
}

TEST(TileBf16Silicon, TheEmulatorEqualsRecordedTdpbf16ps) {
  const std::vector<Probe> probes = silicon_probes();
  ASSERT_EQ(probes.size(), 64u);
  const int64_t outputs = static_cast<int64_t>(probes.size()) * 256;
  std::string first;
  EXPECT_EQ(equal_outputs(probes, kDefaultBf16Order, &first), outputs) << first;
}

// The probes discriminate: the per-pair fma orders (VDPBF16PS's among them) miss many.
TEST(TileBf16Silicon, TheProbesRejectTheOtherOrders) {
  const std::vector<Probe> probes = silicon_probes();
  const int64_t outputs = static_cast<int64_t>(probes.size()) * 256;
  for (const Bf16Order o : {Bf16Order::odd_then_even_fma, Bf16Order::even_then_odd_fma})
    EXPECT_LT(equal_outputs(probes, o, nullptr), outputs * 3 / 4) << bf16_order_name(o);
}

}  // namespace
}  // namespace amxlab::tile
