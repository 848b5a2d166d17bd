// TDPBF16PS probes on native tiles (dump_native_bf16_probes, native_crosscheck.h).
// Compiled with -mamx-tile -mamx-int8 -mamx-bf16 (sources.cmake); its ordinary code is
// baseline x86-64 code, and no tile is touched before require_amx_usable().
//
// Why: the emulator's TDPBF16PS order is PROVISIONAL (arith.h) and the first AMX machine
// showed the kernel built on it differing from silicon by a few ulps. A random-program
// cross-check says only "equal or not"; fitting the silicon's rules needs the raw inputs
// and outputs of single instructions whose values isolate one effect each (sign of zero,
// denormals, per-product rounding, the order of the sums, cancellation).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/core/error.h"
#include "kernels/tile/native_backend.h"
#include "kernels/tile/native_crosscheck.h"

namespace amxlab::tile {
namespace {

constexpr int kRows = 16, kColsb = 64, kPairs = 16;  // one full tile of each operand

// The probe families (probe index modulo kFamilies); each isolates one effect.
enum Family : uint8_t {
  ordinary,       // values near 1, C near 1
  zero_c,         // C = +0 or -0: the start of the accumulation
  signed_zeros,   // A and B with signed zeros among ordinary values, C = +-0
  denormals,      // denormal bf16 inputs and fp32 C
  wide_spread,    // exponents far apart: what precision the sums keep
  cancellation,   // the odd product cancels the even one exactly, small terms left
  one_pair,       // one nonzero pair per output: a single product and C
  tiny_products,  // products at the bottom of the fp32 range (FTZ of results)
  kFamilies,
};

uint16_t bf16_with_exponent(std::mt19937_64& rng, unsigned lo, unsigned hi) {
  const unsigned e = lo + static_cast<unsigned>(rng() % (hi - lo + 1));
  return static_cast<uint16_t>(((rng() & 1u) << 15) | (e << 7) | (rng() & 0x7fu));
}

uint32_t f32_with_exponent(std::mt19937_64& rng, unsigned lo, unsigned hi) {
  const unsigned e = lo + static_cast<unsigned>(rng() % (hi - lo + 1));
  return static_cast<uint32_t>(((rng() & 1u) << 31) | (e << 23) | (rng() & 0x7fffffu));
}

uint16_t bf16_value(Family f, std::mt19937_64& rng) {
  switch (f) {
    case signed_zeros:
      return rng() % 3 == 0 ? static_cast<uint16_t>((rng() & 1u) << 15) : bf16_with_exponent(rng, 120, 134);
    case denormals:
      return rng() % 2 == 0 ? static_cast<uint16_t>(((rng() & 1u) << 15) | (1u + rng() % 127u))
                            : bf16_with_exponent(rng, 1, 20);
    case wide_spread: return bf16_with_exponent(rng, 90, 160);
    case tiny_products: return bf16_with_exponent(rng, 40, 75);
    default: return bf16_with_exponent(rng, 120, 134);
  }
}

uint32_t c_value(Family f, std::mt19937_64& rng) {
  switch (f) {
    case zero_c:
    case signed_zeros: return static_cast<uint32_t>((rng() & 1u) << 31);
    case denormals:
      return rng() % 2 == 0 ? static_cast<uint32_t>(((rng() & 1u) << 31) | (rng() & 0x7fffffu))
                            : f32_with_exponent(rng, 1, 8);
    case wide_spread: return f32_with_exponent(rng, 80, 170);
    case tiny_products:
      return rng() % 2 == 0 ? static_cast<uint32_t>((rng() & 1u) << 31) : f32_with_exponent(rng, 1, 4);
    default: return f32_with_exponent(rng, 120, 134);
  }
}

struct Probe {
  uint32_t c[kRows][kColsb / 4];
  uint16_t a[kRows][2 * kPairs];
  uint16_t b[kPairs][kColsb / 2];  // row p: the pairs (2n, 2n+1) of column n
  uint32_t out[kRows][kColsb / 4];
};
static_assert(sizeof(Probe) == 4096, "one probe record is 4 KiB");

void fill(Probe& p, Family f, std::mt19937_64& rng) {
  for (auto& row : p.c)
    for (auto& v : row) v = c_value(f, rng);
  for (auto& row : p.a)
    for (auto& v : row) v = bf16_value(f, rng);
  for (auto& row : p.b)
    for (auto& v : row) v = bf16_value(f, rng);
  if (f == cancellation) {
    // a_odd = a_even and b_odd = -b_even: every pair sums to exactly zero unless rounded;
    // one pair per row keeps a small remainder.
    for (auto& row : p.a)
      for (int k = 0; k < kPairs; ++k) row[2 * k + 1] = row[2 * k];
    for (auto& row : p.b)
      for (int n = 0; n < kColsb / 4; ++n) row[2 * n + 1] = static_cast<uint16_t>(row[2 * n] ^ 0x8000u);
    for (int r = 0; r < kRows; ++r)
      p.a[r][2 * static_cast<int>(rng() % kPairs) + 1] = bf16_with_exponent(rng, 100, 115);
  }
  if (f == one_pair) {
    // Only pair `keep` of each row of A is nonzero (sometimes only its odd or even half).
    for (auto& row : p.a) {
      const int keep = static_cast<int>(rng() % kPairs);
      const unsigned half = static_cast<unsigned>(rng() % 3);
      for (int k = 0; k < 2 * kPairs; ++k)
        if (k / 2 != keep || (half == 1 && k % 2 == 1) || (half == 2 && k % 2 == 0)) row[k] = 0;
    }
  }
}

}  // namespace

void dump_native_bf16_probes(const std::string& path, uint64_t count, uint64_t seed) {
  require_amx_usable();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) throw Error("bf16 probes: cannot write '" + path + "'");
  std::mt19937_64 rng(seed);
  Probe p{};
  for (uint64_t i = 0; i < count; ++i) {
    fill(p, static_cast<Family>(i % kFamilies), rng);
    run_native([&](NativeTiles& t) {
      TileConfig cfg = TileConfig::palette1();
      cfg.set(0, kRows, kColsb).set(1, kRows, kColsb).set(2, kPairs, kColsb);
      t.configure(cfg);
      t.loadd<0>(p.c, kColsb);
      t.loadd<1>(p.a, kColsb);
      t.loadd<2>(p.b, kColsb);
      t.dpbf16ps<0, 1, 2>();
      t.stored<0>(p.out, kColsb);
    });
    if (std::fwrite(&p, sizeof p, 1, file) != 1) {
      std::fclose(file);
      throw Error("bf16 probes: writing '" + path + "' failed");
    }
  }
  if (std::fclose(file) != 0) throw Error("bf16 probes: closing '" + path + "' failed");
}

void run_native_colsb_probe(const std::string& step) {
  require(step == "config" || step == "zero" || step == "load" || step == "store" || step == "control",
          "colsb probe: step must be config, zero, load, store or control, not '" + step + "'");
  require_amx_usable();
  alignas(64) uint8_t buf[2][64] = {};
  run_native([&](NativeTiles& t) {
    t.configure(TileConfig::palette1().set(0, 2, 10).set(1, 2, 8));
    if (step == "zero") t.zero<0>();
    if (step == "load") t.loadd<0>(buf, 64);
    if (step == "store") t.stored<0>(buf, 64);
    if (step == "control") {
      t.loadd<1>(buf, 64);
      t.stored<1>(buf, 64);
    }
  });
}

}  // namespace amxlab::tile
