// The one exception type of the project. Every bad input (shape, buffer, format,
// file) is reported by throwing it with a message a user can act on; nothing is
// written to any output before the check that throws.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>

namespace amxlab {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws Error(message) when `condition` is false. Used for argument checks.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}
// A literal message: no std::string is built unless the check fails.
inline void require(bool condition, const char* message) {
  if (!condition) throw Error(message);
}

// The same with the message built only when the check fails: for checks on per-call
// paths, where building a message that is never shown would cost more than the call.
template <class MakeMessage>
  requires std::is_invocable_r_v<std::string, MakeMessage>
inline void require(bool condition, MakeMessage&& make_message) {
  if (!condition) throw Error(make_message());
}

}  // namespace amxlab
