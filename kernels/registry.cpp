#include "kernels/registry.h"

#include <iterator>

#include "kernels/amx/amx_kernels.h"
#include "kernels/generic/portable_kernels.h"
#include "kernels/isa.h"
#include "kernels/vnni/vnni_kernels.h"

namespace amxlab {
namespace {

// One line per kernel; see kernels/gemm_kernel.h for the fields. The families keep their
// lines next to their code (kVnniKernels in kernels/vnni/vnni_kernels.h, kPortableKernels
// in kernels/generic/portable_kernels.h, kAmxKernels in kernels/amx/amx_kernels.h); this
// table is the one list of them.
constexpr KernelDesc kKernels[] = {
    vnni::kVnniKernels[0],         // q8_0_gemv_1x64__avx512vnni
    vnni::kVnniKernels[1],         // q4_0_gemv_1x64__avx512vnni
    vnni::kVnniKernels[2],         // q4_1_gemv_1x64__avx512vnni
    vnni::kVnniKernels[3],         // q8_0_gemm_4x32__avx512vnni
    vnni::kVnniKernels[4],         // q4_0_gemm_4x32__avx512vnni
    vnni::kVnniKernels[5],         // q4_1_gemm_4x32__avx512vnni
    vnni::kVnniKernels[6],         // q8_0_gemm_2x16__avxvnni
    vnni::kVnniKernels[7],         // q4_0_gemm_2x16__avxvnni
    vnni::kVnniKernels[8],         // q4_1_gemm_2x16__avxvnni
    generic::kPortableKernels[0],  // q8_0_gemm_1x1__portable
    generic::kPortableKernels[1],  // q4_0_gemm_1x1__portable
    generic::kPortableKernels[2],  // q4_1_gemm_1x1__portable
    amx::kAmxKernels[0],           // q8_0_gemm_32x32__amx
    amx::kAmxKernels[1],           // q4_0_gemm_32x32__amx
    amx::kAmxKernels[2],           // q4_1_gemm_32x32__amx
    amx::kAmxKernels[3],           // q8_0_gemm_32x32__amx_emulated
    amx::kAmxKernels[4],           // q4_0_gemm_32x32__amx_emulated
    amx::kAmxKernels[5],           // q4_1_gemm_32x32__amx_emulated
};
static_assert(std::size(vnni::kVnniKernels) == 9 && std::size(generic::kPortableKernels) == 3 &&
                  std::size(amx::kAmxKernels) == 6,
              "every family line must be listed in kKernels");

}  // namespace

const char* name(KernelOp op) {
  return op == KernelOp::gemm ? "gemm" : "gemv";
}
const char* name(Engine e) {
  return e == Engine::native ? "native" : "emulated";
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

bool kernel_runnable(const KernelDesc& kernel, std::string* why) {
  const uint32_t need =
      kernel.engine == Engine::emulated ? (kernel.isa & ~(kIsaAmxInt8 | kIsaAmxBf16)) : kernel.isa;
  return isa_supported(need, why);
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
