// The golden model as a kernel, and the test-only kernels with planted faults.
#include <csignal>
#include <cstring>
#include <thread>
#include <vector>

#include "harness/runner/kernel_under_test.h"
#include "harness/runner/moe_case.h"
#include "kernels/core/error.h"
#include "reference/golden/golden_gemm.h"
#include "reference/golden/kernel_models.h"

namespace amxlab::harness {

void run_golden(const Case& c, const CaseData& d, void* y) {
  if (c.moe()) {
    run_golden_moe(c, d, y);
    return;
  }
  const golden::Shape s{c.m, c.n, c.k};
  const size_t mn = static_cast<size_t>(c.m * c.n), mk = static_cast<size_t>(c.m * c.k),
               nk = static_cast<size_t>(c.n * c.k);
  switch (c.type) {
    case QType::S8:
      golden::gemm_s8s8({reinterpret_cast<const int8_t*>(d.a_plain.data()), mk},
                        {reinterpret_cast<const int8_t*>(d.w.data()), nk}, s, {static_cast<int32_t*>(y), mn});
      return;
    case QType::U8:
      golden::gemm_u8s8({reinterpret_cast<const uint8_t*>(d.a_plain.data()), mk},
                        {reinterpret_cast<const int8_t*>(d.w.data()), nk}, s, {static_cast<int32_t*>(y), mn});
      return;
    case QType::BF16:
      golden::gemm_bf16({reinterpret_cast<const uint16_t*>(d.a_plain.data()), mk},
                        {reinterpret_cast<const uint16_t*>(d.w.data()), nk}, s, {static_cast<float*>(y), mn});
      return;
    case QType::F16:
      golden::gemm_f16(d.a_f32, {reinterpret_cast<const uint16_t*>(d.w.data()), nk}, s,
                       {static_cast<float*>(y), mn});
      return;
    case QType::F32:
      golden::gemm_f32(d.a_f32, {reinterpret_cast<const float*>(d.w.data()), nk}, s,
                       {static_cast<float*>(y), mn});
      return;
    default: golden::gemm(c.type, d.w, d.a_f32, s, c.act_quant, {static_cast<float*>(y), mn}); return;
  }
}

bool run_kernel_model(const Case& c, const CaseData& d, const KernelDesc& kernel, std::vector<float>& y) {
  const golden::Shape s{c.m, c.n, c.k};
  // (A MoE case's golden already is the kernels' exact model per route: moe_case.h.)
  if (c.moe() || (c.type != QType::BF16 && c.type != QType::F16 && c.type != QType::F32)) return false;
  y.resize(static_cast<size_t>(c.m * c.n));
  if (c.type == QType::BF16) {
    const auto as_u16 = [](const std::vector<std::byte>& v) {
      return std::span<const uint16_t>{reinterpret_cast<const uint16_t*>(v.data()), v.size() / 2};
    };
    golden::model_bf16(kernel.on_tdpbf16ps() ? golden::Bf16Model::tdpbf16ps : golden::Bf16Model::vdpbf16ps,
                       as_u16(d.a_plain), as_u16(d.w), s, y);
  } else {
    golden::model_fma_f32(d.a_f32, dequantized_weights(c, d), s, y);  // f16 widened exactly
  }
  return true;
}

namespace {

class GoldenKernel : public KernelUnderTest {
 public:
  std::string name() const override { return "golden"; }
  std::string engine() const override { return "reference"; }
  void prepare(const Case&, const CaseData&) override {}
  void run(const Case& c, const CaseData& d, void* y) override { run_golden(c, d, y); }
};

// test.flipbit: golden, except that for the shape M=17, N=33 it flips the lowest bit
// of y[16][32] — the planted one-bit bug the harness must report with its index.
// test.crash / test.hang: golden, except that for M=13 they crash (SIGSEGV) or hang —
// the faults `check` must isolate while the sweep goes on.
class PlantedFaultKernel : public KernelUnderTest {
 public:
  explicit PlantedFaultKernel(std::string which) : which_(std::move(which)) {}
  std::string name() const override { return "test." + which_; }
  std::string engine() const override { return "reference"; }
  void prepare(const Case&, const CaseData&) override {}
  void run(const Case& c, const CaseData& d, void* y) override {
    if (c.m == 13 && which_ == "crash") std::raise(SIGSEGV);  // (MoE: T = 13)
    if (c.m == 13 && which_ == "hang") {
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    run_golden(c, d, y);
    if (which_ == "flipbit" && c.out_rows() == 17 && c.n == 33) {
      auto* p = static_cast<uint32_t*>(y) + (16 * 33 + 32);
      *p ^= 1u;
    }
  }

 private:
  std::string which_;
};

}  // namespace

// registry_kernel.cpp
std::unique_ptr<KernelUnderTest> make_registry_kernel(const Case& c, const PlacementOptions& placement);

std::unique_ptr<KernelUnderTest> make_kernel_under_test(const Case& c, const CaseData& d,
                                                        const PlacementOptions& placement) {
  const bool reference = is_reference_kernel(c.kernel);
  if (reference && (c.numa != "local" || c.place != "compact")) {
    throw CaseSkipped("kernel=" + c.kernel + " runs on the calling thread: place=" + c.place +
                      " numa=" + c.numa + " apply to registry kernels, which run on the pinned pool");
  }
  if (c.kernel == "golden") return std::make_unique<GoldenKernel>();
  if (c.kernel.rfind("test.", 0) == 0) {
    if (!is_test_kernel(c.kernel))
      throw Error("unknown test kernel '" + c.kernel + "' (" + test_kernel_list() + ")");
    return std::make_unique<PlantedFaultKernel>(c.kernel.substr(5));
  }
  return c.moe() ? make_moe_kernel(c, d.ids, placement) : make_registry_kernel(c, placement);
}

}  // namespace amxlab::harness
