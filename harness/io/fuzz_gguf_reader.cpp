// libFuzzer entry point for the GGUF reader.
//
// Contract under test: for any input, GgufFile::parse either succeeds with every
// tensor span inside the input, or throws amxlab::Error. Any other exception, crash,
// sanitizer report, leak or oversized allocation is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "harness/io/gguf_reader.h"
#include "kernels/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  try {
    const auto file = amxlab::io::GgufFile::parse(input, "fuzz-input");
    const std::byte* begin = input.data();
    const std::byte* end = begin + input.size();
    unsigned sink = 0;
    for (const auto& t : file.tensors()) {
      if (t.data.data() < begin || t.data.data() + t.data.size() > end) __builtin_trap();
      // Touch the first and last byte so ASan checks the span really is readable.
      sink += static_cast<unsigned>(t.data.front()) + static_cast<unsigned>(t.data.back());
      if (file.find(t.name) != &t) __builtin_trap();
    }
    for (const auto& kv : file.metadata()) {
      sink += static_cast<unsigned>(kv.value.to_string().size());
      if (file.find_metadata(kv.key) == nullptr) __builtin_trap();
    }
    asm volatile("" : : "r"(sink));  // keep the reads
  } catch (const amxlab::Error&) {
    // The expected outcome for malformed input.
  }
  return 0;
}
