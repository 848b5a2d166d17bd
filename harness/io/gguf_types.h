// The ggml tensor types a GGUF file may name, with their block geometry.
//
// This table is deliberately separate from amxlab::QType: the reader must be able to
// size and skip every tensor of a real model file, including formats the lab has no
// kernels for (IQ2_XXS, I64, ...). QType is looked up afterwards, where it exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace amxlab::io {

struct GgmlTypeInfo {
  uint32_t id;            // ggml_type value stored in GGUF tensor infos
  std::string_view name;  // lower-case, as ggml's type_name ("q4_0", "q4_K", "iq2_xxs")
  uint64_t block_elems;   // elements per block (1 for plain types)
  uint64_t block_bytes;   // bytes per block
};

// Ids 4 and 5 (the former Q4_2 / Q4_3) were removed from ggml and have no entry.
inline constexpr GgmlTypeInfo kGgmlTypes[] = {
    {0, "f32", 1, 4},         {1, "f16", 1, 2},         {2, "q4_0", 32, 18},      {3, "q4_1", 32, 20},
    {6, "q5_0", 32, 22},      {7, "q5_1", 32, 24},      {8, "q8_0", 32, 34},      {9, "q8_1", 32, 36},
    {10, "q2_K", 256, 84},    {11, "q3_K", 256, 110},   {12, "q4_K", 256, 144},   {13, "q5_K", 256, 176},
    {14, "q6_K", 256, 210},   {15, "q8_K", 256, 292},   {16, "iq2_xxs", 256, 66}, {17, "iq2_xs", 256, 74},
    {18, "iq3_xxs", 256, 98}, {19, "iq1_s", 256, 50},   {20, "iq4_nl", 32, 18},   {21, "iq3_s", 256, 110},
    {22, "iq2_s", 256, 82},   {23, "iq4_xs", 256, 136}, {24, "i8", 1, 1},         {25, "i16", 1, 2},
    {26, "i32", 1, 4},        {27, "i64", 1, 8},        {28, "f64", 1, 8},        {29, "iq1_m", 256, 56},
    {30, "bf16", 1, 2},
};

// The entry for `id`, or nullptr when ggml has no such type (4, 5, >= 31).
constexpr const GgmlTypeInfo* ggml_type_info(uint32_t id) {
  for (const auto& t : kGgmlTypes) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

}  // namespace amxlab::io
