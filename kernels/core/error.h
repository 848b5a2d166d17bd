// The one exception type of the project. Every bad input (shape, buffer, format,
// file) is reported by throwing it with a message a user can act on; nothing is
// written to any output before the check that throws.
#pragma once

#include <stdexcept>
#include <string>

namespace amxlab {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws Error(message) when `condition` is false. Used for argument checks.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace amxlab
