// Closed-form check and print-out of the modeled utilisation (tests/amx/test_amx_model.cpp
// and test_amx_long.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "kernels/amx/amx_kernels.h"

namespace amxlab::amx::testing {

inline void print(const char* what, QType t, int64_t m, int64_t n, int64_t k, const AmxModelReport& r) {
  std::printf(
      "%s %s M=%lld N=%lld K=%lld [%s]\n  TDPB*D %llu TDPBF16PS %llu TILELOADD %llu TILESTORED %llu TILEZERO "
      "%llu "
      "LDTILECFG %llu\n"
      "  cycles: tmul %.4g load/store %.4g config %.4g epilogue %.4g (%.4f/elem-block) -> %.4g\n"
      "  utilisation %.2f %% of %s peak = %.1f %% of the format ceiling"
      " (overlapped-epilogue bound: %.2f %% = %.1f %%)\n",
      what, name(t), static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(k),
      r.model.label.c_str(), static_cast<unsigned long long>(r.counters.tdpb_int8()),
      static_cast<unsigned long long>(r.counters.tdpbf16ps()),
      static_cast<unsigned long long>(r.counters.tileloadd()),
      static_cast<unsigned long long>(r.counters.tilestored()),
      static_cast<unsigned long long>(r.counters.tilezero()),
      static_cast<unsigned long long>(r.counters.ldtilecfg()), r.model.tmul_cycles, r.model.load_store_cycles,
      r.model.config_cycles, r.model.epilogue_cycles, r.epilogue_cycles_per_element, r.model.cycles,
      100.0 * r.model.utilisation, t == QType::BF16 ? "bf16" : "int8",
      100.0 * r.model.utilisation / r.format_ceiling, 100.0 * r.overlapped_utilisation,
      100.0 * r.overlapped_utilisation / r.format_ceiling);
}

// M, N multiples of 32, K of 32: every tile full, so the counts are closed-form.
inline void check_closed_form(QType t, int64_t m, int64_t n, int64_t k) {
  const AmxModelReport r = model_gemm(t, m, n, k);
  print("model", t, m, n, k, r);
  const auto rounds = static_cast<uint64_t>((m / 32) * (n / 32) * (k / 32));  // tile x K block
  EXPECT_EQ(r.counters.tdpb_int8(), 4 * rounds);
  EXPECT_EQ(r.counters.tilezero(), 4 * rounds);
  EXPECT_EQ(r.counters.tileloadd(), 4 * rounds);
  EXPECT_EQ(r.counters.tilestored(), 4 * rounds);
  EXPECT_EQ(r.counters.ldtilecfg(), 1u);
  EXPECT_EQ(r.counters.tilerelease(), 1u);
  const double e = epilogue_cycles_per_element_block(t);
  const double per_round_tile = std::max(4 * 16.0 + 4 * 1.0, 4 * 8.0 + 4 * 16.0);  // max(TMUL, load/store)
  const double cycles = static_cast<double>(rounds) * (per_round_tile + 1024 * e) + 32.0;
  EXPECT_NEAR(r.model.cycles, cycles, 1e-6 * cycles);
  const double macs = static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  EXPECT_NEAR(r.model.utilisation, macs / (cycles * 1024.0), 1e-9);
  ::testing::Test::RecordProperty("utilisation_percent_of_peak", std::to_string(100.0 * r.model.utilisation));
  ::testing::Test::RecordProperty("timing", "model");
}

}  // namespace amxlab::amx::testing
