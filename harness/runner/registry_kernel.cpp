// Registry kernels (and "auto", the dispatcher's choice) as kernels under test: pack
// once, then per run quantise the activations and cut the output along the kernel's
// plan into slices that the harness's threads run.
#include <memory>
#include <optional>

#include "harness/runner/kernel_under_test.h"
#include "harness/runner/slice_runner.h"
#include "kernels/core/cpu_features.h"
#include "kernels/core/error.h"
#include "kernels/isa.h"
#include "kernels/registry.h"

namespace amxlab::harness {
namespace {

class RegistryKernel : public KernelUnderTest {
 public:
  RegistryKernel(const KernelDesc& k, std::string why) : k_(k), why_(std::move(why)) {}
  std::string name() const override { return std::string(k_.name); }
  std::string engine() const override { return amxlab::name(k_.engine); }

  void prepare(const Case& c, const CaseData& d) override {
    packed_.emplace(k_.pack(c.type, d.w, c.n, c.k, default_memory_resource()));
    runner_ = std::make_unique<SliceRunner>(c.threads);
  }

  void run(const Case& c, const CaseData& d, void* y) override {
    const size_t arow = row_bytes(k_.act_type, c.k);
    if (k_.quantize != nullptr) {
      aq_.resize(arow * static_cast<size_t>(c.m));
      k_.quantize(c.act_quant, d.a_f32, c.m, c.k, aq_);
    }
    const ActivationView a{k_.act_type, k_.quantize != nullptr ? aq_.data() : d.a_plain.data(), arow, c.m,
                           c.k};
    const OutputView out{y, static_cast<size_t>(c.n), c.m, c.n};
    const Plan p = k_.plan(c.m, c.n, c.k);
    runner_->run(c.m, c.n, p, [&](const Slice& s) { k_.run(*packed_, a, out, s); });
  }

  nlohmann::json info() const override {
    return {{"layout", amxlab::name(k_.layout)},
            {"isa", isa_names(k_.isa)},
            {"tile", std::to_string(k_.tile_m) + "x" + std::to_string(k_.tile_n)},
            {"chosen_because", why_}};
  }

 private:
  const KernelDesc& k_;
  std::string why_;
  std::optional<PackedWeights> packed_;
  std::vector<std::byte> aq_;
  std::unique_ptr<SliceRunner> runner_;
};

}  // namespace

std::unique_ptr<KernelUnderTest> make_registry_kernel(const Case& c) {
  const KernelDesc* k = nullptr;
  std::string why = "named in the case";
  if (c.kernel == "auto") {
    k = choose_registered_kernel(c.type, c.m, &why);
  } else {
    k = find_kernel(c.kernel);
    if (k == nullptr) throw Error("unknown kernel '" + c.kernel + "' (see `amxlab info` for the registry)");
  }
  if (k->weight_type != c.type) {
    throw Error(std::string(k->name) + " reads " + name(k->weight_type) + " weights, the case is " +
                name(c.type));
  }
  std::string reason;
  const uint32_t need = k->engine == Engine::emulated ? (k->isa & ~(kIsaAmxInt8 | kIsaAmxBf16)) : k->isa;
  if (!isa_supported(need, &reason)) throw Error(std::string(k->name) + ": " + reason);
  if (k->engine == Engine::emulated) request_amx_permission();  // the emulator insists, as hardware does
  return std::make_unique<RegistryKernel>(*k, why);
}

}  // namespace amxlab::harness
