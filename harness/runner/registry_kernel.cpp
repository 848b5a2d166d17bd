// Registry kernels (and "auto", the dispatcher's choice) as kernels under test: pack
// once and place the packed weights as the case's NUMA policy says (case_placement.h),
// then per run quantise the activations and cut the output along the kernel's plan
// into slices that the case's pinned workers run (harness/threading).
#include <memory>
#include <optional>

#include "harness/runner/case_placement.h"
#include "harness/runner/kernel_under_test.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/dispatch.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::harness {
namespace {

class RegistryKernel : public PlacedKernel {
 public:
  RegistryKernel(const KernelDesc& k, std::string why, PlacementOptions placement)
      : PlacedKernel(std::move(placement)), k_(k), why_(std::move(why)) {}
  std::string name() const override { return std::string(k_.name); }
  std::string engine() const override { return amxlab::name(k_.engine); }

  PackedWeights pack(const Case& c, const CaseData& d, const ParallelFor& on_workers) override {
    return k_.pack(c.type, d.w, c.n, c.k, default_memory_resource(), on_workers);
  }

  void run(const Case& c, const CaseData& d, void* y) override {
    const size_t arow = row_bytes(k_.act_type, c.k);
    if (k_.quantize != nullptr) {
      aq_.resize(arow * static_cast<size_t>(c.m));
      threading::quantize_parallel(placed().pool(), k_, c.act_quant, d.a_f32, c.m, c.k, aq_);
    }
    const ActivationView a{k_.act_type, k_.quantize != nullptr ? aq_.data() : d.a_plain.data(), arow, c.m,
                           c.k};
    const OutputView out{y, static_cast<size_t>(c.n), c.m, c.n};
    threading::run_gemm(placed().pool(), k_, placed().weights_of_worker(), a, out);
  }

  nlohmann::json info() const override {
    nlohmann::json j = {{"layout", amxlab::name(k_.layout)},
                        {"isa", isa_names(k_.isa)},
                        {"tile", std::to_string(k_.tile_m) + "x" + std::to_string(k_.tile_n)},
                        {"chosen_because", why_}};
    return j;
  }

 private:
  const KernelDesc& k_;
  std::string why_;
  std::vector<std::byte> aq_;
};

}  // namespace

std::unique_ptr<KernelUnderTest> make_registry_kernel(const Case& c, const PlacementOptions& placement) {
  const KernelDesc* k = nullptr;
  std::string why = "named in the case";
  if (c.kernel == "auto") {
    k = &choose_kernel(c.type, c.m, &why);
  } else {
    k = find_kernel(c.kernel);
    if (k == nullptr) throw Error("unknown kernel '" + c.kernel + "' (see `amxlab info` for the registry)");
  }
  if (k->weight_type != c.type) {
    throw Error(std::string(k->name) + " reads " + name(k->weight_type) + " weights, the case is " +
                name(c.type));
  }
  std::string reason;
  if (!kernel_runnable(*k, &reason)) throw Error(std::string(k->name) + ": " + reason);
  if (k->engine == Engine::emulated) request_amx_permission();  // the emulator insists, as hardware does
  return std::make_unique<RegistryKernel>(*k, why, placement);
}

}  // namespace amxlab::harness
