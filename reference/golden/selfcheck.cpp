#include "reference/golden/selfcheck.h"

#include <cmath>
#include <random>

#include "kernels/core/formats.h"
#include "kernels/core/fp16.h"
#include "reference/golden/error_bounds.h"
#include "reference/golden/golden_gemm.h"

namespace amxlab::golden {
namespace {

std::vector<float> normal_values(size_t count, std::mt19937_64& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::string shape_name(const Shape& s) {
  return "m" + std::to_string(s.m) + "n" + std::to_string(s.n) + "k" + std::to_string(s.k);
}

// Compares fp32 results with the exact model; fills passed/worst_ratio/detail.
SelfCheckResult compare(const std::string& type, const Shape& s, const std::vector<float>& y,
                        const ExactModel& e) {
  SelfCheckResult r{type, shape_name(s), true, 0.0, ""};
  for (size_t i = 0; i < y.size(); ++i) {
    const double err = std::fabs(static_cast<double>(y[i]) - e.y[i]);
    const double ratio = e.bound[i] > 0 ? err / e.bound[i] : (err > 0 ? INFINITY : 0.0);
    if (ratio > r.worst_ratio) r.worst_ratio = ratio;
    if (!(err <= e.bound[i]) && r.passed) {
      r.passed = false;
      r.detail = "y[" + std::to_string(i / static_cast<size_t>(s.n)) + "][" +
                 std::to_string(i % static_cast<size_t>(s.n)) + "] = " + std::to_string(y[i]) + ", exact " +
                 std::to_string(e.y[i]) + ", bound " + std::to_string(e.bound[i]);
    }
  }
  return r;
}

}  // namespace

std::vector<SelfCheckResult> run_selfcheck(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SelfCheckResult> out;
  for (QType t : kAllQTypes) {
    const auto& tr = traits(t);
    if (!tr.block_quantized || !tr.weight_type) continue;
    const Shape s{3, 5, tr.block_elems == 256 ? 512 : 288};
    const auto wf = normal_values(static_cast<size_t>(s.n * s.k), rng);
    const auto af = normal_values(static_cast<size_t>(s.m * s.k), rng);
    std::vector<std::byte> w(row_bytes(t, s.k) * static_cast<size_t>(s.n));
    std::vector<std::byte> aq(row_bytes(tr.act_type, s.k) * static_cast<size_t>(s.m));
    quantize_weights(t, wf, s.n, s.k, w);
    quantize_activations(tr.act_type, ActQuant::runtime, af, s.m, s.k, aq);
    std::vector<float> y(static_cast<size_t>(s.m * s.n));
    gemm_quantized(t, w, aq, s, y);
    out.push_back(compare(tr.name, s, y, exact_model_quantized(t, w, aq, s)));
  }
  {
    const Shape s{4, 7, 300};
    const auto af = normal_values(static_cast<size_t>(s.m * s.k), rng);
    const auto wf = normal_values(static_cast<size_t>(s.n * s.k), rng);
    std::vector<float> y(static_cast<size_t>(s.m * s.n));
    gemm_f32(af, wf, s, y);
    out.push_back(compare("f32", s, y, exact_model_f32(af, wf, s)));
    std::vector<uint16_t> ab(af.size()), wb(wf.size());
    for (size_t i = 0; i < af.size(); ++i) ab[i] = f32_to_bf16(af[i]);
    for (size_t i = 0; i < wf.size(); ++i) wb[i] = f32_to_bf16(wf[i]);
    gemm_bf16(ab, wb, s, y);
    out.push_back(compare("bf16", s, y, exact_model_bf16(ab, wb, s, false)));
    // F16 weights widen to f32 exactly, so f32's exact model of the widened weights holds.
    std::vector<uint16_t> wh(wf.size());
    std::vector<float> widened(wf.size());
    for (size_t i = 0; i < wf.size(); ++i) {
      wh[i] = f32_to_fp16(wf[i]);
      widened[i] = fp16_to_f32(wh[i]);
    }
    gemm_f16(af, wh, s, y);
    out.push_back(compare("f16", s, y, exact_model_f32(af, widened, s)));
  }
  {
    // Raw int8: -128 * -128 * K overflows int32 at K = 2^17 + 1; check the wrap exactly.
    const Shape s{1, 1, (1 << 17) + 1};
    std::vector<int8_t> a(static_cast<size_t>(s.k), -128), w(static_cast<size_t>(s.k), -128);
    std::vector<int32_t> y(1);
    gemm_s8s8(a, w, s, y);
    const int64_t exact = int64_t{16384} * s.k;
    const auto wrapped = static_cast<int32_t>(static_cast<uint32_t>(exact));
    SelfCheckResult r{"s8", shape_name(s), y[0] == wrapped, 0.0, ""};
    if (!r.passed) r.detail = "got " + std::to_string(y[0]) + ", want " + std::to_string(wrapped);
    out.push_back(r);
    // U8 x S8: 255 * -128 * K wraps the same way.
    std::vector<uint8_t> ua(static_cast<size_t>(s.k), 255);
    gemm_u8s8(ua, w, s, y);
    const int64_t exact_u = int64_t{-32640} * s.k;
    const auto wrapped_u = static_cast<int32_t>(static_cast<uint32_t>(exact_u));
    SelfCheckResult ru{"u8", shape_name(s), y[0] == wrapped_u, 0.0, ""};
    if (!ru.passed) ru.detail = "got " + std::to_string(y[0]) + ", want " + std::to_string(wrapped_u);
    out.push_back(ru);
  }
  return out;
}

}  // namespace amxlab::golden
