// Small helpers shared by the test suites.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

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

// n draws of N(0, 1), reproducible from the seed.
inline std::vector<float> normal_floats(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// n random bytes, reproducible from the seed.
inline std::vector<std::byte> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = static_cast<std::byte>(rng() & 0xff);
  return out;
}

// "" when `text` holds only printable ASCII, newlines and tabs (what a terminal shows
// as is); otherwise where the first other byte is. For messages that quote file data,
// which must arrive escaped (harness/io/printable.h).
inline std::string raw_byte_in(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "raw byte 0x%02x at offset %zu", c, i);
      return buf;
    }
  }
  return "";
}

#ifdef AMXLAB_TEST_DATA_DIR
// tests/data: the source tree's, or AMXLAB_TEST_DATA_DIR from the environment where a test
// binary runs away from it (scripts/amx_hardware_check.sh runs a bundle's copies on
// another machine, whose checkout may sit elsewhere).
inline std::string test_data_dir() {
  const char* env = std::getenv("AMXLAB_TEST_DATA_DIR");
  return env != nullptr && *env != '\0' ? std::string(env) : std::string(AMXLAB_TEST_DATA_DIR);
}
#endif

// The bytes of a file (tests read vectors from tests/data); throws std::runtime_error.
inline std::vector<std::byte> read_file_bytes(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<std::byte> out;
  std::byte buf[4096];
  size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + got);
  std::fclose(f);
  return out;
}

}  // namespace amxlab::testing
