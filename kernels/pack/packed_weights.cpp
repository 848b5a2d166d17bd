#include "kernels/pack/packed_weights.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "kernels/core/error.h"
#include "kernels/pack/parallel_for.h"

namespace amxlab {

const ParallelFor& serial_for() {
  static const ParallelFor serial = [](int64_t count, const std::function<void(int64_t)>& fn) {
    for (int64_t i = 0; i < count; ++i) fn(i);
  };
  return serial;
}
namespace {

class HeapResource final : public MemoryResource {
 public:
  void* allocate(size_t bytes) override {
    const size_t rounded = (bytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
    if (p == nullptr)
      throw Error("PackedWeights: out of memory allocating " + std::to_string(bytes) + " bytes");
    return p;
  }
  void deallocate(void* p, size_t) noexcept override { std::free(p); }
  std::string describe() const override { return "heap"; }
};

}  // namespace

const char* name(Layout l) {
  switch (l) {
    case Layout::gguf_rows: return "gguf_rows";
    case Layout::q8_0_vnni16: return "q8_0_vnni16";
    case Layout::q4_0_vnni16: return "q4_0_vnni16";
    case Layout::q4_1_vnni16: return "q4_1_vnni16";
    case Layout::q8_0_amx_tile: return "q8_0_amx_tile";
    case Layout::q4_0_amx_tile: return "q4_0_amx_tile";
    case Layout::q4_1_amx_tile: return "q4_1_amx_tile";
    case Layout::iq4_nl_vnni16: return "iq4_nl_vnni16";
    case Layout::iq4_nl_nib_vnni16: return "iq4_nl_nib_vnni16";
    case Layout::iq4_nl_amx_tile: return "iq4_nl_amx_tile";
    case Layout::kq_i8_vnni16: return "kq_i8_vnni16";
    case Layout::kq_nib_vnni16: return "kq_nib_vnni16";
    case Layout::plain_s8: return "plain_s8";
    case Layout::s8_panel32: return "s8_panel32";
    case Layout::bf16_panel32: return "bf16_panel32";
    case Layout::f16_panel32: return "f16_panel32";
    case Layout::f32_panel32: return "f32_panel32";
  }
  return "unknown";
}

MemoryResource& default_memory_resource() {
  static HeapResource heap;
  return heap;
}

PackedWeights::PackedWeights(QType type, Layout layout, int64_t n, int64_t k, size_t bytes,
                             uint64_t source_checksum, MemoryResource& memory)
    : type_(type),
      layout_(layout),
      n_(n),
      k_(k),
      checksum_(source_checksum),
      memory_(&memory),
      bytes_(bytes) {
  amxlab::require(n >= 1 && k >= 1,
                  "PackedWeights: bad shape N=" + std::to_string(n) + " K=" + std::to_string(k));
  require_dims("PackedWeights", n, k);
  data_ = static_cast<std::byte*>(memory.allocate(bytes));
}

PackedWeights::PackedWeights(PackedWeights&& o) noexcept
    : type_(o.type_),
      layout_(o.layout_),
      n_(o.n_),
      k_(o.k_),
      checksum_(o.checksum_),
      memory_(o.memory_),
      data_(std::exchange(o.data_, nullptr)),
      bytes_(std::exchange(o.bytes_, 0)),
      experts_(o.experts_),
      expert_stride_(o.expert_stride_),
      expert_bytes_(o.expert_bytes_) {}

PackedWeights& PackedWeights::operator=(PackedWeights&& o) noexcept {
  if (this != &o) {
    release();
    type_ = o.type_;
    layout_ = o.layout_;
    n_ = o.n_;
    k_ = o.k_;
    checksum_ = o.checksum_;
    memory_ = o.memory_;
    data_ = std::exchange(o.data_, nullptr);
    bytes_ = std::exchange(o.bytes_, 0);
    experts_ = o.experts_;
    expert_stride_ = o.expert_stride_;
    expert_bytes_ = o.expert_bytes_;
  }
  return *this;
}

PackedWeights::~PackedWeights() {
  release();
}

void PackedWeights::release() noexcept {
  if (data_ != nullptr && memory_ != nullptr) memory_->deallocate(data_, bytes_);
  data_ = nullptr;
}

void PackedWeights::require(QType type, Layout layout, const char* kernel) const {
  if (data_ == nullptr) throw Error(std::string(kernel) + ": weights were moved from (empty PackedWeights)");
  if (type != type_ || layout != layout_) {
    throw Error(std::string(kernel) + ": weights are " + amxlab::name(type_) + "/" + amxlab::name(layout_) +
                ", this kernel reads " + amxlab::name(type) + "/" + amxlab::name(layout));
  }
  if (experts_ > 0) {
    throw Error(std::string(kernel) + ": weights are expert-stacked (" + std::to_string(experts_) +
                " experts of " + std::to_string(n_) + "x" + std::to_string(k_) + ", " +
                amxlab::name(layout_) + "): a GEMM kernel reads one tensor; run them through moe_gemm");
  }
}

PackedWeights PackedWeights::stacked(QType type, Layout layout, int64_t experts, int64_t n, int64_t k,
                                     size_t expert_bytes, uint64_t source_checksum, MemoryResource& memory) {
  amxlab::require(experts >= 1 && n >= 1 && k >= 1 && expert_bytes >= 1 && expert_bytes <= SIZE_MAX - 63,
                  "PackedWeights: bad expert stack E=" + std::to_string(experts) + " N=" + std::to_string(n) +
                      " K=" + std::to_string(k) + " bytes=" + std::to_string(expert_bytes));
  require_dims("PackedWeights", n, k, experts);
  const size_t expert_stride = (expert_bytes + 63) / 64 * 64;
  amxlab::require(static_cast<size_t>(experts) <= SIZE_MAX / expert_stride,
                  "PackedWeights: expert stack size overflows");
  PackedWeights w(HeaderOnly{}, type, layout, n, k, source_checksum);
  w.experts_ = experts;
  w.expert_stride_ = expert_stride;
  w.expert_bytes_ = expert_bytes;
  w.bytes_ = static_cast<size_t>(experts) * expert_stride;
  w.memory_ = &memory;
  w.data_ = static_cast<std::byte*>(memory.allocate(w.bytes_));
  return w;
}

PackedWeights PackedWeights::expert(int64_t e) const {
  amxlab::require(experts_ > 0, "PackedWeights::expert: the weights are not expert-stacked");
  amxlab::require(data_ != nullptr, "PackedWeights::expert: weights were moved from");
  amxlab::require(e >= 0 && e < experts_, [&] {
    return "PackedWeights::expert: expert " + std::to_string(e) + " outside [0, " + std::to_string(experts_) +
           ")";
  });
  PackedWeights v(HeaderOnly{}, type_, layout_, n_, k_, checksum_);  // memory_ null: borrowed
  v.data_ = data_ + static_cast<size_t>(e) * expert_stride_;
  v.bytes_ = expert_bytes_;
  return v;
}

PackedWeights PackedWeights::empty_like(MemoryResource& memory) const {
  if (experts_ > 0) return stacked(type_, layout_, experts_, n_, k_, expert_bytes_, checksum_, memory);
  return PackedWeights(type_, layout_, n_, k_, bytes_, checksum_, memory);
}

uint64_t checksum_bytes(std::span<const std::byte> bytes) {
  constexpr uint64_t kBasis = 1469598103934665603ull, kPrime = 1099511628211ull;
  uint64_t lane[4] = {kBasis, kBasis ^ 1, kBasis ^ 2, kBasis ^ 3};
  const size_t words = bytes.size() / 8, groups = words / 4;
  for (size_t g = 0; g < groups; ++g) {
    for (size_t i = 0; i < 4; ++i) {
      uint64_t w;
      std::memcpy(&w, bytes.data() + (4 * g + i) * 8, 8);
      lane[i] = (lane[i] ^ w) * kPrime;
    }
  }
  uint64_t h = kBasis;
  for (const uint64_t l : lane) h = (h ^ l) * kPrime;
  for (size_t i = groups * 32; i < bytes.size(); ++i) h = (h ^ static_cast<uint64_t>(bytes[i])) * kPrime;
  return (h ^ bytes.size()) * kPrime;
}

}  // namespace amxlab
