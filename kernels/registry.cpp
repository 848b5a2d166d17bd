#include "kernels/registry.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "kernels/amx/amx_kernels.h"
#include "kernels/generic/portable_kernels.h"
#include "kernels/isa.h"
#include "kernels/plain/plain_kernels.h"
#include "kernels/vnni/kquant_kernels.h"
#include "kernels/vnni/vnni_kernels.h"

namespace amxlab {
namespace {

// The families keep their lines next to their code (kVnniKernels in
// kernels/vnni/vnni_kernels.h, kKquantVnniKernels in kernels/vnni/kquant_kernels.h,
// kPortableKernels in kernels/generic/portable_kernels.h, kPlainKernels in
// kernels/plain/plain_kernels.h, kAmxKernels in
// kernels/amx/amx_kernels.h; see kernels/gemm_kernel.h for the fields); this table is the
// one list of them, in that order.
template <size_t... Ns>
constexpr std::array<KernelDesc, (Ns + ...)> concat(const KernelDesc (&... families)[Ns]) {
  std::array<KernelDesc, (Ns + ...)> out{};
  size_t i = 0;
  ((std::copy(std::begin(families), std::end(families), out.begin() + static_cast<std::ptrdiff_t>(i)),
    i += Ns),
   ...);
  return out;
}

constexpr auto kKernels = concat(vnni::kVnniKernels, vnni::kKquantVnniKernels, generic::kPortableKernels,
                                 plain::kPlainKernels, amx::kAmxKernels);

}  // namespace

const char* name(KernelOp op) {
  return op == KernelOp::gemm ? "gemm" : "gemv";
}
const char* name(Engine e) {
  switch (e) {
    case Engine::native: return "native";
    case Engine::emulated: return "emulated";
    case Engine::stand_in: return "stand-in";
  }
  return "?";
}

std::span<const KernelDesc> kernel_registry() {
  return kKernels;
}

const KernelDesc* find_kernel(std::string_view name) {
  for (const auto& k : kernel_registry()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

uint32_t kernel_needs(const KernelDesc& kernel) {
  return kernel.engine == Engine::emulated ? (kernel.isa & ~(kIsaAmxInt8 | kIsaAmxBf16)) : kernel.isa;
}

bool kernel_runnable(const KernelDesc& kernel, std::string* why) {
  return isa_supported(kernel_needs(kernel), why);
}

std::vector<const KernelDesc*> runnable_kernels(std::vector<std::string>* skipped) {
  std::vector<const KernelDesc*> out;
  for (const auto& k : kernel_registry()) {
    std::string why;
    if (kernel_runnable(k, &why)) {
      out.push_back(&k);
    } else if (skipped != nullptr) {
      skipped->push_back(std::string(k.name) + ": " + why);
    }
  }
  return out;
}

}  // namespace amxlab
