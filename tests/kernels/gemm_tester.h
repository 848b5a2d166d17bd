// An XNNPACK-style tester for the registered GEMM/GEMV kernels:
//
//   GemmTester().m(17).n(33).k(2080).threads(3).seed(7).act_quant(ActQuant::ref).test(kernel);
//
// test() makes GGUF weights with quantize_weights() from random F32 rows and plants extreme
// codes (q8_0: -128, -127, 127 and a whole block of -128; q4: nibbles 0 and 15 and whole
// blocks of them) and special scales (zero, fp16 subnormal, negative); quantises the
// activations with the kernel's QuantizeFn on the pool and checks them against
// quantize_activations(); packs with the kernel's PackFn; poisons dst (NaN, plus a padded
// row stride whose padding must stay untouched); runs the kernel on a ThreadPool through
// run_gemm(); and compares every output BITWISE with golden::gemm_quantized(). A failure
// names the kernel, shape, threads, seed, variant, the first differing (m, n), both values
// with their bits, and how many outputs differ. raw_activations(true) skips the F32 step
// and feeds random activation blocks (every code -128..127, random fp16 scales).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "harness/threading/thread_pool.h"
#include "kernels/core/formats.h"
#include "kernels/gemm_kernel.h"

namespace amxlab::testing {

// One pool per thread count, kept for the whole test binary (pools are cheap, but the
// suites make thousands of calls).
threading::ThreadPool& pool_for(int threads);

// The reason a kernel cannot run here ("" when it can): isa_supported()'s answer.
std::string skip_reason(const KernelDesc& kernel);

// Every weight type with production kernels.
inline constexpr QType kKernelWeightTypes[] = {QType::Q8_0, QType::Q4_0,  QType::Q4_1, QType::IQ4_NL,
                                               QType::Q2_K, QType::Q3_K,  QType::Q4_K, QType::Q5_K,
                                               QType::Q6_K, QType::IQ4_XS};

// The plain types with production kernels (kernels/plain, AMX): oneDNN's own terms.
inline constexpr QType kPlainWeightTypes[] = {QType::S8, QType::U8, QType::BF16, QType::F16, QType::F32};

// The shape grid of issue #6 that the fast and long suites share.
inline constexpr int64_t kGridMs[] = {1, 2, 15, 16, 17, 31, 32, 33, 64, 100, 512};
inline constexpr int64_t kGridNs[] = {1, 16, 17, 48};
inline constexpr int64_t kGridKs[] = {32, 64, 96, 2048, 2080};

// The K a suite's grid value stands for with weight type t: K-quants need multiples of
// 256, so 32, 64, 96, 2080 become 256, 512, 2304, 14336 (issue #11's grid) and any other
// K is rounded up to a multiple of 256; other types keep k. GemmTester applies it.
int64_t fit_k(QType t, int64_t k);

// Every registry kernel's name (the parameters of the per-kernel suites), and the kernel
// of a name (throws std::runtime_error for an unknown one).
std::vector<std::string> registry_kernel_names();
const KernelDesc& registry_kernel(const std::string& name);

struct GemmData;

class GemmTester {
 public:
  GemmTester& m(int64_t v) {
    m_ = v;
    return *this;
  }
  GemmTester& n(int64_t v) {
    n_ = v;
    return *this;
  }
  GemmTester& k(int64_t v) {
    k_ = v;
    return *this;
  }
  GemmTester& threads(int v) {
    threads_ = v;
    return *this;
  }
  GemmTester& seed(uint64_t v) {
    seed_ = v;
    return *this;
  }
  GemmTester& act_quant(ActQuant v) {
    variant_ = v;
    return *this;
  }
  GemmTester& raw_activations(bool v) {
    raw_ = v;
    return *this;
  }
  // Runs the kernel twice on the same dst (catches accumulation into dst).
  GemmTester& repeat(int v) {
    repeat_ = v;
    return *this;
  }
  // Plain float types: half the elements replaced by special values (plant_float_specials);
  // golden's analytic bound is not checked then (NaN and Inf have none).
  GemmTester& float_specials(bool v) {
    specials_ = v;
    return *this;
  }
  // Extra floats of padding at the end of every output row (must stay untouched).
  GemmTester& y_pad(int64_t v) {
    y_pad_ = v;
    return *this;
  }

  // gtest assertions (ADD_FAILURE) on any difference; returns true when all bits match.
  bool test(const KernelDesc& kernel) const;

  // test() for several kernels of one weight type on one data set: the weights, the
  // activations and each reference (golden, or a float kernel's exact model) are made
  // once and every kernel is checked against them as test() checks one. Returns the
  // kernels whose bits all matched, in order, so a sweep can drop a failed kernel after
  // its first reproducer and go on with the others.
  std::vector<const KernelDesc*> test_each(std::span<const KernelDesc* const> kernels) const;

  std::string describe(const KernelDesc& kernel) const;

 private:
  struct Reference;
  bool check(const KernelDesc& kernel, const GemmData& d, int64_t k, std::vector<Reference>& refs) const;

  int64_t m_ = 1, n_ = 16, k_ = 32;
  int threads_ = 1;
  uint64_t seed_ = 1;
  ActQuant variant_ = ActQuant::runtime;
  bool raw_ = false;
  bool specials_ = false;
  int repeat_ = 1;
  int64_t y_pad_ = 3;
};

// The GGUF weights and quantised activations the tester uses (exposed for other tests).
// Plain types (s8, u8, bf16, f16, f32): raw [N][K] weights with planted extremes (int8
// -128 / 127 rows, bf16 / f16 / f32 zeros, -0, subnormals, the largest f16) and raw
// activations in the kernel's format (f32 for f16 weights); variant and raw are unused.
struct GemmData {
  std::vector<std::byte> weights;      // N rows of GGUF blocks (plain types: raw rows)
  std::vector<float> act_f32;          // M x K (empty with raw activations)
  std::vector<std::byte> activations;  // M rows of the activation type
};
GemmData make_gemm_data(QType wt, int64_t m, int64_t n, int64_t k, uint64_t seed, ActQuant variant, bool raw);

// BF16, F16, F32 data: about half of the weights and activations replaced by NaNs of
// several payloads (quiet and signalling, both signs), +-Inf, the largest finite value,
// +-0, subnormals, the smallest normal, and powers of two whose products and sums land on
// the edge of the normal range (2^-63 x 2^-63 = 2^-126 plus a product of -2^-150, -2^-151 or
// -2^-152: flushed to zero or not by tininess after rounding), in random places.
void plant_float_specials(QType wt, GemmData& d, uint64_t seed);

// What a kernel reading weight type wt must write, as bits [M][N]: golden::gemm_quantized
// for the block formats, golden::gemm_s8s8 / gemm_u8s8 for raw int8, and the kernel's
// exact model (reference/golden/kernel_models.h) for bf16, f16 and f32.
// The reference a kernel must equal bit for bit: golden for the integer and quantised
// types, the kernel's exact model for F32 / F16 / BF16 (of `kernel` when given: a BF16
// kernel on TDPBF16PS follows another order than one on VDPBF16PS).
std::vector<uint32_t> reference_bits(QType wt, const GemmData& d, int64_t m, int64_t n, int64_t k,
                                     const KernelDesc* kernel = nullptr);

// Float kernels only: the number of outputs outside golden's analytic bound (error_bounds.h),
// and the first one described in *first.
int64_t outside_golden_bound(QType wt, const GemmData& d, std::span<const uint32_t> bits, int64_t m,
                             int64_t n, int64_t k, std::string* first);

}  // namespace amxlab::testing
