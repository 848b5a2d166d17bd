// The element formats the lab knows: GGUF block-quantised types, plain floats and
// raw integers. One traits table answers every "how big / what pairs with it" question.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace amxlab {

enum class QType : uint8_t {
  Q4_0,
  Q4_1,
  Q8_0,
  Q8_1,
  Q2_K,
  Q3_K,
  Q4_K,
  Q5_K,
  Q6_K,
  Q8_K,
  IQ4_NL,
  IQ4_XS,
  BF16,
  F16,
  F32,
  S8,
  U8,
};

inline constexpr QType kAllQTypes[] = {QType::Q4_0,   QType::Q4_1,   QType::Q8_0, QType::Q8_1, QType::Q2_K,
                                       QType::Q3_K,   QType::Q4_K,   QType::Q5_K, QType::Q6_K, QType::Q8_K,
                                       QType::IQ4_NL, QType::IQ4_XS, QType::BF16, QType::F16,  QType::F32,
                                       QType::S8,     QType::U8};

struct QTypeTraits {
  QType type;
  const char* name;      // lower-case, as in descriptors: "q4_0", "q4_K", "bf16"
  int64_t block_elems;   // elements per block (1 for plain types)
  size_t block_bytes;    // bytes per block
  int ggml_id;           // ggml_type value in GGUF files, -1 if GGUF has none
  QType act_type;        // the activation format its GEMM pairs it with
  bool block_quantized;  // true for Q*/IQ* block formats
  bool weight_type;      // has a golden GEMM as a weight format
};

const QTypeTraits& traits(QType t);
inline const char* name(QType t) {
  return traits(t).name;
}

// Case-insensitive parse of a type name ("q4_0", "Q4_K", "iq4_xs", "bf16", "s8").
std::optional<QType> parse_qtype(std::string_view text);
std::optional<QType> qtype_from_ggml_id(int ggml_id);

// Bytes of one row of K elements. Throws Error when K is not a positive multiple
// of the block size, naming type and K.
size_t row_bytes(QType t, int64_t k);

// The largest shapes accepted anywhere: M, N and K up to 2^31 each and at most 2^40
// elements in a matrix (or in `count` of them, an expert stack), so that no byte count
// (4 bytes an element at most) or product of them can wrap: a wrapped size would pass a
// buffer check and be written past (the thirty-fourth session's review found packers,
// quantisers and a kernel's size check fooled that way). Throws Error naming `who`
// unless 0 <= rows <= 2^31, 0 <= k <= 2^31, count >= 1 and rows * k * count <= 2^40.
inline constexpr int64_t kMaxDim = int64_t{1} << 31;
inline constexpr int64_t kMaxElements = int64_t{1} << 40;
void require_dims(std::string_view who, int64_t rows, int64_t k, int64_t count = 1);

// Throws Error unless `bytes` holds at least `needed` bytes and `data` is non-null.
void require_buffer(const void* data, size_t bytes, size_t needed, const std::string& what);
// The same with the name built only when the check fails (per-call paths).
template <class What>
  requires std::is_invocable_r_v<std::string, What>
void require_buffer(const void* data, size_t bytes, size_t needed, What&& what) {
  if (data == nullptr || bytes < needed) require_buffer(data, bytes, needed, std::string(what()));
}

}  // namespace amxlab
