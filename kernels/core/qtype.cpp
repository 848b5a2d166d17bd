#include "kernels/core/qtype.h"

#include <cctype>

#include "kernels/core/blocks.h"
#include "kernels/core/error.h"

namespace amxlab {
namespace {

constexpr QTypeTraits kTable[] = {
    {QType::Q4_0, "q4_0", 32, sizeof(BlockQ4_0), 2, QType::Q8_0, true, true},
    {QType::Q4_1, "q4_1", 32, sizeof(BlockQ4_1), 3, QType::Q8_1, true, true},
    {QType::Q8_0, "q8_0", 32, sizeof(BlockQ8_0), 8, QType::Q8_0, true, true},
    {QType::Q8_1, "q8_1", 32, sizeof(BlockQ8_1), 9, QType::Q8_1, true, false},
    {QType::Q2_K, "q2_K", 256, sizeof(BlockQ2_K), 10, QType::Q8_K, true, true},
    {QType::Q3_K, "q3_K", 256, sizeof(BlockQ3_K), 11, QType::Q8_K, true, true},
    {QType::Q4_K, "q4_K", 256, sizeof(BlockQ4_K), 12, QType::Q8_K, true, true},
    {QType::Q5_K, "q5_K", 256, sizeof(BlockQ5_K), 13, QType::Q8_K, true, true},
    {QType::Q6_K, "q6_K", 256, sizeof(BlockQ6_K), 14, QType::Q8_K, true, true},
    {QType::Q8_K, "q8_K", 256, sizeof(BlockQ8_K), 15, QType::Q8_K, true, false},
    {QType::IQ4_NL, "iq4_nl", 32, sizeof(BlockIQ4_NL), 20, QType::Q8_0, true, true},
    {QType::IQ4_XS, "iq4_xs", 256, sizeof(BlockIQ4_XS), 23, QType::Q8_K, true, true},
    {QType::BF16, "bf16", 1, 2, 30, QType::BF16, false, true},
    {QType::F16, "f16", 1, 2, 1, QType::F32, false, true},  // f16 weights x f32 activations
    {QType::F32, "f32", 1, 4, 0, QType::F32, false, true},
    {QType::S8, "s8", 1, 1, 24, QType::S8, false, true},
    // "u8" names the u8 x s8 -> s32 GEMM: u8 activations, s8 weights (no u8 weight format).
    {QType::U8, "u8", 1, 1, -1, QType::U8, false, false},
};
static_assert(std::size(kTable) == std::size(kAllQTypes));

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

const QTypeTraits& traits(QType t) {
  const auto i = static_cast<size_t>(t);
  if (i >= std::size(kTable)) throw Error("unknown QType value " + std::to_string(i));
  return kTable[i];
}

std::optional<QType> parse_qtype(std::string_view text) {
  for (const auto& tr : kTable) {
    if (iequal(text, tr.name)) return tr.type;
  }
  return std::nullopt;
}

std::optional<QType> qtype_from_ggml_id(int ggml_id) {
  for (const auto& tr : kTable) {
    if (tr.ggml_id >= 0 && tr.ggml_id == ggml_id) return tr.type;
  }
  return std::nullopt;
}

size_t row_bytes(QType t, int64_t k) {
  const auto& tr = traits(t);
  if (k <= 0 || k % tr.block_elems != 0) {
    throw Error(std::string("K=") + std::to_string(k) + " is not a positive multiple of the " + tr.name +
                " block size " + std::to_string(tr.block_elems));
  }
  return static_cast<size_t>(k / tr.block_elems) * tr.block_bytes;
}

void require_dims(std::string_view who, int64_t rows, int64_t k, int64_t count) {
  const bool ok = rows >= 0 && rows <= kMaxDim && k >= 0 && k <= kMaxDim && count >= 1 &&
                  count <= kMaxElements && rows * k <= kMaxElements / count;
  if (!ok) {
    throw Error(std::string(who) + ": shape " + (count > 1 ? std::to_string(count) + " x " : std::string()) +
                std::to_string(rows) + " x " + std::to_string(k) +
                " is outside what amxlab takes (each dimension <= 2^31, at most 2^40 elements)");
  }
}

void require_buffer(const void* data, size_t bytes, size_t needed, const std::string& what) {
  if (data == nullptr) throw Error(what + ": null buffer (" + std::to_string(needed) + " bytes needed)");
  if (bytes < needed) {
    throw Error(what + ": buffer too short: " + std::to_string(bytes) + " bytes given, " +
                std::to_string(needed) + " needed");
  }
}

}  // namespace amxlab
