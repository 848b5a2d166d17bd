#include "harness/io/gguf_value.h"

#include <fmt/format.h>

#include <type_traits>

#include "harness/io/printable.h"

namespace amxlab::io {

static_assert(std::variant_size_v<GgufValue::Storage> == kGgufValueTypeCount);
static_assert(std::is_same_v<std::variant_alternative_t<9, GgufValue::Storage>, GgufArray>);

std::string_view gguf_value_type_name(GgufValueType t) {
  static constexpr std::string_view kNames[] = {"u8",   "i8",     "u16",   "i16", "u32", "i32", "f32",
                                                "bool", "string", "array", "u64", "i64", "f64"};
  const auto i = static_cast<uint32_t>(t);
  return i < kGgufValueTypeCount ? kNames[i] : std::string_view("invalid");
}

std::optional<uint64_t> GgufValue::as_uint() const {
  return std::visit(
      [](const auto& v) -> std::optional<uint64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>) {
            if (v < 0) return std::nullopt;
          }
          return static_cast<uint64_t>(v);
        } else {
          return std::nullopt;
        }
      },
      value);
}

std::string GgufValue::to_string() const {
  // Enough to recognise a tokenizer vocabulary without printing all of it.
  constexpr size_t kMaxShownItems = 8;
  constexpr size_t kMaxShownChars = 120;
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("\"{}\"", printable(v, kMaxShownChars));  // file text: escaped
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, GgufArray>) {
          std::string out = fmt::format("[{} x {}:", v.items.size(), gguf_value_type_name(v.elem_type));
          for (size_t i = 0; i < v.items.size() && i < kMaxShownItems; ++i) {
            out += (i == 0 ? " " : ", ") + v.items[i].to_string();
          }
          if (v.items.size() > kMaxShownItems) out += ", ...";
          return out + "]";
        } else if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t>) {
          return fmt::format("{}", static_cast<int>(v));  // not as a character
        } else {
          return fmt::format("{}", v);
        }
      },
      value);
}

}  // namespace amxlab::io
