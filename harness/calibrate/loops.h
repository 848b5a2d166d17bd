// Throughput loops of the calibration, each in its own translation unit compiled with
// only the ISA flags it needs (harness/calibrate/CMakeLists.txt). Call one only when
// cpu_features() reports its ISA. The files include nothing but <immintrin.h> and
// fixed-width integer headers, so that no inline library code is emitted with AVX-512
// and picked by the linker for the rest of the program.
//
// The compute loops are register-only: `kIndependent` accumulators, each updated once
// per inner step, so the loop is throughput-bound, not latency-bound. They return a
// value folded from every accumulator so that nothing is optimised away.
#pragma once

#include <cstddef>
#include <cstdint>

namespace amxlab::calibrate::loops {

// Instructions issued per unit of `iterations` by every compute loop below.
inline constexpr int64_t kInstructionsPerIteration = 16;

// vpdpbusd zmm (AVX512-VNNI): 64 u8 x s8 multiply-adds = 128 int8 ops per instruction.
int64_t vnni_dpbusd_zmm(int64_t iterations, int32_t seed);
// vdpbf16ps zmm (AVX512-BF16): 32 bf16 multiply-adds = 64 FLOPs per instruction.
double bf16_dpbf16ps_zmm(int64_t iterations, float seed);
// vfmadd231ps zmm (AVX-512F): 16 FMAs = 32 FLOPs per instruction.
double fp32_fma_zmm(int64_t iterations, float seed);
// vfmadd231ps ymm (AVX2 + FMA): 8 FMAs = 16 FLOPs per instruction.
double fp32_fma_ymm(int64_t iterations, float seed);

// The golden instruction mix of a block format (loops_format_mix.cpp; AVX-512F/BW +
// VNNI). Returns a fold of the accumulators. Multiply-adds per iteration:
// format_mix_macs_per_iteration().
enum class FormatMix : uint8_t {
  block32,      // Q8_0, Q4_0, IQ4_NL (x Q8_0)
  block32_min,  // Q4_1 (x Q8_1)
  k32_min,      // Q4_K, Q5_K
  k32,          // IQ4_XS
  k16_min,      // Q2_K
  k16,          // Q3_K, Q6_K
  // AVX2 only: Q8_0's and IQ4_NL's codes + 128, which VPMADDUBSW cannot pair (VPDPBUSD
  // takes them, so on AVX-512 they are block32's).
  block32_signed,
  // AVX2 only: the types whose narrower codes let longer int16 groups through (Q4_K's
  // 4 bits: a whole 32-code sub-block, where Q5_K's 5 bits allow 4 steps; Q3_K's 3 bits:
  // 4 steps, Q6_K's 6 bits 2). VPDPBUSD sums in int32, so on AVX-512 they share
  // k32_min and k16.
  k32_min_g8,  // Q4_K
  k16_g4,      // Q3_K
};
constexpr bool format_mix_is_block32(FormatMix mix) {
  return mix == FormatMix::block32 || mix == FormatMix::block32_min || mix == FormatMix::block32_signed;
}
// block32_signed, k32_min_g8 and k16_g4 have no zmm loop (return 0 without running).
double format_mix_zmm(FormatMix mix, int64_t iterations, float seed);
// 8 outputs x 16 lanes x 32 K, or 8 x 16 x 256 for the K-quants.
constexpr double format_mix_macs_per_iteration(FormatMix mix) {
  return format_mix_is_block32(mix) ? 8.0 * 16 * 32 : 8.0 * 16 * 256;
}
// The same mixes with the plain AVX2 dot (loops_format_mix_avx2.cpp; AVX2 + FMA), for
// CPUs without AVX-512 VNNI: 4 outputs x 8 lanes x 32 K, or 4 x 8 x 256.
double format_mix_ymm(FormatMix mix, int64_t iterations, float seed);
constexpr double format_mix_ymm_macs_per_iteration(FormatMix mix) {
  return format_mix_is_block32(mix) ? 4.0 * 8 * 32 : 4.0 * 8 * 256;
}

// Reads [p, p + bytes) `passes` times with aligned vector loads summed into eight
// accumulators. p: 64-byte aligned; bytes: a multiple of 512.
uint64_t read_zmm(const void* p, size_t bytes, int64_t passes);  // AVX-512F
uint64_t read_ymm(const void* p, size_t bytes, int64_t passes);  // AVX2

}  // namespace amxlab::calibrate::loops
