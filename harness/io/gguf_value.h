// GGUF metadata values: the thirteen value types of the format, held in a variant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace amxlab::io {

// The numbering is the file format's (gguf_type); do not reorder.
// NOLINTNEXTLINE(performance-enum-size): the GGUF file stores these tags as uint32
enum class GgufValueType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};
inline constexpr uint32_t kGgufValueTypeCount = 13;

// "u8", "i32", "f64", "bool", "string", "array", ...
std::string_view gguf_value_type_name(GgufValueType t);

struct GgufValue;

// All items of an array have the same type `elem_type` (itself possibly Array).
struct GgufArray {
  GgufValueType elem_type = GgufValueType::U8;
  std::vector<GgufValue> items;
};

struct GgufValue {
  // Alternative index i holds GgufValueType(i), so type() is just index().
  using Storage = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                               std::string, GgufArray, uint64_t, int64_t, double>;
  Storage value;

  GgufValueType type() const { return static_cast<GgufValueType>(value.index()); }

  // nullptr unless the value holds exactly a T (no conversions).
  template <class T>
  const T* get_if() const {
    return std::get_if<T>(&value);
  }
  const std::string* as_string() const { return get_if<std::string>(); }
  const GgufArray* as_array() const { return get_if<GgufArray>(); }

  // The value of any integer type, widened; nullopt for other types or a negative
  // value. Metadata writers are not consistent about u32 vs u64 for counts.
  std::optional<uint64_t> as_uint() const;

  // Human-readable rendering for listings; long arrays and strings are abbreviated, and
  // strings escaped (io::printable), since they come from the file.
  std::string to_string() const;
};

struct GgufKV {
  std::string key;
  GgufValue value;
};

}  // namespace amxlab::io
