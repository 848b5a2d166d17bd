// Text that came from a file, shown in an error message: printable and bounded.
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace amxlab::io {

inline std::string printable(std::string_view s, size_t max_shown) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > max_shown) out += "...";
  return out;
}

}  // namespace amxlab::io
