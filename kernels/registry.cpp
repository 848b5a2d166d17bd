#include "kernels/registry.h"

#include "kernels/isa.h"

namespace amxlab {
namespace {

// One line per kernel; see kernels/gemm_kernel.h for the fields.
constexpr KernelDesc kKernels[] = {
    {"__placeholder", QType::F32, QType::F32, KernelOp::gemm, 1, 1, kIsaNone, Engine::native,
     Layout::gguf_rows, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

const char* name(KernelOp op) {
  return op == KernelOp::gemm ? "gemm" : "gemv";
}
const char* name(Engine e) {
  return e == Engine::native ? "native" : "emulated";
}

std::span<const KernelDesc> kernel_registry() {
  // The placeholder keeps the array non-empty until the first kernel lands.
  return std::span<const KernelDesc>(kKernels).subspan(kKernels[0].run == nullptr ? 1 : 0);
}

const KernelDesc* find_kernel(std::string_view name) {
  for (const auto& k : kernel_registry()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<const KernelDesc*> runnable_kernels(std::vector<std::string>* skipped) {
  std::vector<const KernelDesc*> out;
  for (const auto& k : kernel_registry()) {
    std::string why;
    const uint32_t need = k.engine == Engine::emulated ? (k.isa & ~(kIsaAmxInt8 | kIsaAmxBf16)) : k.isa;
    if (isa_supported(need, &why)) {
      out.push_back(&k);
    } else if (skipped != nullptr) {
      skipped->push_back(std::string(k.name) + ": " + why);
    }
  }
  return out;
}

}  // namespace amxlab
