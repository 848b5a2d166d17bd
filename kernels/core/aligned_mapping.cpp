#include "kernels/core/aligned_mapping.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "kernels/core/error.h"

namespace amxlab {

std::byte* map_aligned(size_t bytes, size_t align, int extra_flags, const char* who) {
  const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t extra = align > page ? align : 0;
  void* raw =
      mmap(nullptr, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
  if (raw == MAP_FAILED) {
    const int e = errno;
    throw Error(std::string(who) + ": mmap of " + std::to_string(bytes) +
                " bytes failed: " + std::strerror(e));
  }
  auto* base = static_cast<std::byte*>(raw);
  if (extra == 0) return base;
  std::byte* p = base + (align - reinterpret_cast<uintptr_t>(base) % align) % align;
  if (p > base) munmap(base, static_cast<size_t>(p - base));
  const auto tail = static_cast<size_t>((base + bytes + extra) - (p + bytes));
  if (tail > 0) munmap(p + bytes, tail);
  return p;
}

}  // namespace amxlab
