#include "kernels/moe/expert_pack.h"

#include <cstring>
#include <optional>
#include <string>

#include "kernels/core/error.h"
#include "kernels/pack/vnni_pack.h"

namespace amxlab::moe {
namespace {

// Hands a packer one expert's place in the stack: its single allocation lands there.
class ExpertSlot final : public MemoryResource {
 public:
  explicit ExpertSlot(std::span<std::byte> slot) : slot_(slot) {}
  void* allocate(size_t bytes) override {
    require(!taken_ && bytes == slot_.size(), [&] {
      return "pack_experts: the packer asked for " + std::to_string(bytes) + " bytes, an expert holds " +
             std::to_string(slot_.size());
    });
    taken_ = true;
    return slot_.data();
  }
  void deallocate(void*, size_t) noexcept override {}
  std::string describe() const override { return "expert slot"; }

 private:
  std::span<std::byte> slot_;
  bool taken_ = false;
};

}  // namespace

PackedWeights pack_experts(const KernelDesc& kernel, QType type, std::span<const std::byte> gguf,
                           int64_t experts, int64_t n, int64_t k, MemoryResource& memory,
                           const ParallelFor& parallel) {
  require(experts >= 1 && n >= 1 && k >= 1,
          "pack_experts: need E >= 1, N >= 1, K >= 1 (got E=" + std::to_string(experts) +
              " N=" + std::to_string(n) + " K=" + std::to_string(k) + ")");
  require(type == kernel.weight_type, "pack_experts: " + std::string(kernel.name) + " reads " +
                                          name(kernel.weight_type) + " weights, not " + name(type));
  require(k % traits(type).block_elems == 0, "pack_experts: K=" + std::to_string(k) +
                                                 " is not a multiple of the " + traits(type).name +
                                                 " block size " + std::to_string(traits(type).block_elems));
  require_dims("pack_experts", n, k, experts);
  const size_t expert_src = row_bytes(type, k) * static_cast<size_t>(n);
  require(static_cast<size_t>(experts) <= gguf.size() / expert_src,
          "pack_experts: " + std::to_string(gguf.size()) + " bytes hold fewer than E=" +
              std::to_string(experts) + " experts of " + std::to_string(expert_src) + " bytes");
  const auto source = gguf.first(expert_src * static_cast<size_t>(experts));

  // Expert 0 tells the packed size of one expert (every expert has the same shape); it
  // is packed on the heap and copied into its slot, the others are packed in place.
  const PackedWeights first =
      kernel.pack(type, source.first(expert_src), n, k, default_memory_resource(), parallel);
  PackedWeights stack = PackedWeights::stacked(type, first.layout(), experts, n, k, first.bytes().size(),
                                               checksum_bytes(source), memory);
  std::memcpy(stack.mutable_bytes().data(), first.bytes().data(), first.bytes().size());
  const size_t stride = stack.expert_stride();
  std::byte* base = stack.mutable_bytes().data();
  parallel(experts - 1, [&](int64_t i) {
    const int64_t e = i + 1;
    ExpertSlot slot({base + static_cast<size_t>(e) * stride, first.bytes().size()});
    const PackedWeights w = kernel.pack(type, source.subspan(static_cast<size_t>(e) * expert_src, expert_src),
                                        n, k, slot, serial_for());
    require(w.layout() == first.layout(), "pack_experts: experts packed into different layouts");
  });
  return stack;
}

std::vector<std::byte> unpack_experts(const PackedWeights& w) {
  require(w.expert_stacked(), "unpack_experts: the weights are not expert-stacked");
  std::vector<std::byte> out;
  for (int64_t e = 0; e < w.experts(); ++e) {
    const auto rows = unpack_to_gguf(w.expert(e));
    out.insert(out.end(), rows.begin(), rows.end());
  }
  return out;
}

}  // namespace amxlab::moe
