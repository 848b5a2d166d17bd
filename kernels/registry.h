// The table of every production kernel. Tests, benchmarks and the harness iterate it;
// adding a kernel means adding one line to kernels/registry.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/gemm_kernel.h"

namespace amxlab {

std::span<const KernelDesc> kernel_registry();
const KernelDesc* find_kernel(std::string_view name);

// The ISA bits `kernel` needs on the machine that runs it: its `isa`, less the AMX bits
// for an emulated AMX kernel (the emulator runs the tile program on its host ISA).
uint32_t kernel_needs(const KernelDesc& kernel);

// Whether `kernel` can run here now: kernel_needs() is available and under the cap. Otherwise `why` says why
// ("CPU lacks ...", "AMX unusable: ...", "ISA capped ...").
bool kernel_runnable(const KernelDesc& kernel, std::string* why = nullptr);

// Kernels that can run here now (kernel_runnable); `skipped` receives "<name>: <reason>"
// for the others.
std::vector<const KernelDesc*> runnable_kernels(std::vector<std::string>* skipped = nullptr);

}  // namespace amxlab
