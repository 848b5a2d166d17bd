// Small helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "kernels/core/error.h"

namespace amxlab::testing {

// Runs `f`, expecting amxlab::Error; returns its message ("" and a failure otherwise).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected amxlab::Error, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected amxlab::Error, nothing was thrown";
  return "";
}

}  // namespace amxlab::testing
