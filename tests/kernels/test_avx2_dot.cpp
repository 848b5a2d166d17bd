// The plain AVX2 signed dot (kernels/vnni/avxvnni_dot.h Dot256::dot_flip) over every
// pair of a biased code u (0..255, the weight u - 128) and an activation code a
// (-128..127): its VPMADDUBSW must never saturate and the neg(a) start must restore the
// exact product, for the extreme pairs (a = -128 against u = 0 and u = 255) above all.
// The kernels' tests reach it through random and extreme data; this one takes every
// value once, through the probe vnni_raw.h exports.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

#include "kernels/isa.h"
#include "kernels/vnni/vnni_raw.h"

namespace amxlab {
namespace {

TEST(Avx2SignedDot, EveryCodePairGivesTheExactProduct) {
  std::string why;
  if (!isa_supported(kIsaAvx2, &why)) GTEST_SKIP() << why;
  int failures = 0;
  for (int av = -128; av <= 127; ++av) {
    // The dword's four activation bytes: av itself in all of them (the pair extremes),
    // and av beside its neighbours of both signs.
    const std::array<std::array<int8_t, 4>, 2> dwords{{
        {static_cast<int8_t>(av), static_cast<int8_t>(av), static_cast<int8_t>(av), static_cast<int8_t>(av)},
        {static_cast<int8_t>(av), -128, 127, static_cast<int8_t>(-av / 2)},
    }};
    for (const auto& a : dwords) {
      for (int u0 = 0; u0 < 256; u0 += 8) {
        std::array<uint8_t, 32> u{};
        // Lane j: four bytes u0 + j, the same weight against the dword's four codes.
        for (int i = 0; i < 32; ++i) u[static_cast<size_t>(i)] = static_cast<uint8_t>(u0 + i / 4);
        std::array<int32_t, 8> out{};
        vnni::raw::avx2_dot_flip_probe(u.data(), a.data(), out.data());
        for (int j = 0; j < 8; ++j) {
          int32_t want = 0;
          for (int b = 0; b < 4; ++b) want += (u0 + j - 128) * a[static_cast<size_t>(b)];
          if (out[static_cast<size_t>(j)] != want && ++failures <= 10) {
            ADD_FAILURE() << "u = " << u0 + j << " (w = " << u0 + j - 128 << "), a = (" << int{a[0]} << ", "
                          << int{a[1]} << ", " << int{a[2]} << ", " << int{a[3]} << "): got "
                          << out[static_cast<size_t>(j)] << ", want " << want;
          }
        }
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace amxlab
