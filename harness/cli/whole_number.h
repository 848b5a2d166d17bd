// A CLI11 check for options that take a count: a whole number in [lo, hi], written in
// decimal digits. CLI::Range answers "Value 1e3 not in range 1 to 1000000" for "1e3" or
// "2.5", which reads as if the number were too large; this one says what is wrong.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <string>

namespace amxlab::cli {

inline CLI::Validator whole_number(uint64_t lo, uint64_t hi) {
  const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, range](std::string& text) -> std::string {
        uint64_t v = 0;
        const char* end = text.data() + text.size();
        const auto [at, ec] = std::from_chars(text.data(), end, v);
        if (text.empty() || at != end || (ec != std::errc() && ec != std::errc::result_out_of_range))
          return "'" + text + "' is not a whole number (" + range + ")";
        if (ec == std::errc::result_out_of_range || v < lo || v > hi)
          return text + " is out of range (" + range + ")";
        return "";
      },
      "INT in " + range);
}

}  // namespace amxlab::cli
