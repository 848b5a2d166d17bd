// Text that came from a file (or from any input the lab does not control), shown in an
// error message or on stdout: printable ASCII only, and bounded. Control bytes (an ESC
// would drive the terminal), DEL and every byte >= 0x80 (not checked for UTF-8) become
// \xHH; a backslash becomes \\ so that an escaped byte and a name that holds the text
// "\x1b" cannot be confused. More than max_shown bytes end in "...".
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace amxlab::io {

inline std::string printable(std::string_view s, size_t max_shown) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > max_shown) out += "...";
  return out;
}

// One shell word for a reproducer line: '...' where the text is printable ASCII without a
// quote, else bash's $'...' with the other bytes as \xHH, so that the line is both safe to
// print and runnable as it stands.
inline std::string shell_word(std::string_view s) {
  bool plain = true;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    plain = plain && c >= 0x20 && c < 0x7f && c != '\'' && c != '\\';
  }
  if (plain) return "'" + std::string(s) + "'";
  std::string out = "$'";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\'' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "'";
}

}  // namespace amxlab::io
