// Weights are opaque once packed (DESIGN.md "Weights are opaque once packed").
// A PackedWeights carries its format, its layout, its logical shape and a checksum of
// the GGUF bytes it came from. A kernel names the layout it reads and refuses any other
// with a clear error: reading a VNNI-packed tensor as plain GGUF blocks (the NaN bug of
// ik_llama.cpp's MoE path) cannot happen silently. It cannot be copied, only moved:
// weights are packed once and never duplicated behind the caller's back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "kernels/core/qtype.h"

namespace amxlab {

// How the bytes are arranged. Each kernel family documents its own layout next to its
// pack function; `gguf_rows` is the unchanged GGUF tensor ([N] rows of K/block blocks).
enum class Layout : uint8_t {
  gguf_rows,
  q8_0_vnni16,        // 16 rows interleaved per K-block, codes+128 as u8 in VNNI 4-byte groups,
                      // fp16 scales; blocks in pairs (kernels/pack/vnni_pack.h)
  q4_0_vnni16,        // as q8_0_vnni16 with codes kept as GGUF nibble bytes
  q4_1_vnni16,        // as q4_0_vnni16 plus the fp16 mins
  iq4_nl_vnni16,      // as q8_0_vnni16 with the code book's values as the codes
  iq4_nl_nib_vnni16,  // IQ4_NL for the GEMV: as q4_0_vnni16, the code book's indices kept
  q8_0_amx_tile,      // AMX B-tile order: K/4 x (16 columns x 4 bytes) per 16-row strip
  q4_0_amx_tile,
  q4_1_amx_tile,
  iq4_nl_amx_tile,  // as q8_0_amx_tile with the code book's values as the codes
  kq_i8_vnni16,     // K-quant super-blocks: codes unpacked to u8 in VNNI/B-tile rows of 16
                    // lanes, int8 scales, int16 bsum coefficients (kernels/pack/kquant_pack.h)
  kq_nib_vnni16,    // Q4_K / IQ4_XS for the GEMV: 4-bit codes kept (kernels/pack/kquant_nibble_pack.h)
  plain_s8,         // raw int8 [N][K]
  s8_panel32,       // raw int8 in panels of 32 columns, 4-byte K units, + compensation
                    // (kernels/pack/panel_pack.h; also AMX B tiles)
  bf16_panel32,     // bf16 pairs in panels of 32 columns (kernels/pack/panel_pack.h)
  f16_panel32,      // f16 in panels of 32 columns (kernels/pack/panel_pack.h)
  f32_panel32,      // f32 in panels of 32 columns (kernels/pack/panel_pack.h)
};
const char* name(Layout l);

// Where the bytes of a PackedWeights live. The default is the process heap (64-byte
// aligned); the harness passes a NUMA-aware resource for placement experiments.
class MemoryResource {
 public:
  virtual ~MemoryResource() = default;
  virtual void* allocate(size_t bytes) = 0;  // 64-byte aligned, or throws
  virtual void deallocate(void* p, size_t bytes) noexcept = 0;
  virtual std::string describe() const = 0;
};
MemoryResource& default_memory_resource();

class PackedWeights {
 public:
  PackedWeights(QType type, Layout layout, int64_t n, int64_t k, size_t bytes, uint64_t source_checksum,
                MemoryResource& memory = default_memory_resource());
  PackedWeights(PackedWeights&&) noexcept;
  PackedWeights& operator=(PackedWeights&&) noexcept;
  PackedWeights(const PackedWeights&) = delete;
  PackedWeights& operator=(const PackedWeights&) = delete;
  ~PackedWeights();

  QType type() const { return type_; }
  Layout layout() const { return layout_; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  uint64_t source_checksum() const { return checksum_; }
  std::span<const std::byte> bytes() const { return {data_, bytes_}; }
  std::span<std::byte> mutable_bytes() { return {data_, bytes_}; }

  // Throws Error("<kernel>: weights are <type>/<layout>, this kernel reads <type>/<layout>")
  // unless type and layout both match, and refuses expert-stacked weights: a GEMM kernel
  // reads one [N][K] tensor, the experts are reached through moe_gemm (kernels/moe).
  void require(QType type, Layout layout, const char* kernel) const;

  // Expert-stacked weights (DESIGN.md "Mixture of experts", kernels/moe/expert_pack.h):
  // E experts of [N][K] in one allocation, each packed in the layout as if alone
  // (expert_bytes each), expert e's bytes at e * expert_stride() (expert_bytes rounded up
  // to 64: every expert cache-line aligned). experts() is 0 for a plain tensor.
  static PackedWeights stacked(QType type, Layout layout, int64_t experts, int64_t n, int64_t k,
                               size_t expert_bytes, uint64_t source_checksum,
                               MemoryResource& memory = default_memory_resource());
  int64_t experts() const { return experts_; }
  bool expert_stacked() const { return experts_ > 0; }
  size_t expert_stride() const { return expert_stride_; }
  size_t expert_bytes() const { return expert_bytes_; }
  // Expert e of stacked weights as a plain PackedWeights that borrows its bytes (owns
  // nothing: valid while this object lives and is not moved from). Throws Error for a
  // plain tensor or e outside [0, E).
  PackedWeights expert(int64_t e) const;
  // New weights of the same type, layout, shape, stacking and checksum in `memory`,
  // bytes uninitialised (for placement: the caller copies the bytes in).
  PackedWeights empty_like(MemoryResource& memory) const;

 private:
  // Type, layout, shape and checksum only, no bytes yet (for the factories above).
  struct HeaderOnly {};
  PackedWeights(HeaderOnly, QType type, Layout layout, int64_t n, int64_t k, uint64_t source_checksum)
      : type_(type), layout_(layout), n_(n), k_(k), checksum_(source_checksum) {}
  void release() noexcept;
  QType type_ = QType::F32;
  Layout layout_ = Layout::gguf_rows;
  int64_t n_ = 0, k_ = 0;
  uint64_t checksum_ = 0;
  MemoryResource* memory_ = nullptr;  // null: a borrowed view (expert()), nothing to free
  std::byte* data_ = nullptr;
  size_t bytes_ = 0;
  int64_t experts_ = 0;
  size_t expert_stride_ = 0;
  size_t expert_bytes_ = 0;
};

// A 64-bit checksum of the source bytes: FNV-1a steps over 64-bit little-endian words in
// four interleaved lanes (one multiply chain per lane, ~1 cycle per 8 bytes instead of the
// byte-wise FNV-1a's ~4 per byte: packing a 64 MiB tensor spent more time in it than in
// the packing), the lanes and any tail bytes folded in order at the end. Deterministic,
// not cryptographic: it names the source a PackedWeights came from.
uint64_t checksum_bytes(std::span<const std::byte> bytes);

}  // namespace amxlab
