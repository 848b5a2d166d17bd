// NumPy .npy files: the exchange format for activations and reference outputs.
//
// Reads format versions 1.0, 2.0 and 3.0 and writes 1.0 (2.0 only if a header would
// not fit). Supported: little-endian float32 ('<f4'), int8 ('|i1') and int32 ('<i4'), int64 ('<i8'),
// C order, any number of dimensions (including 0, a scalar). Anything else is
// rejected with an amxlab::Error that names the file and the offending header field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kernels/core/error.h"

namespace amxlab::io {

enum class NpyDtype : uint8_t { F32, I8, I32, I64 };

// The descr string written to headers: "<f4", "|i1", "<i4", "<i8".
std::string_view npy_descr(NpyDtype t);
size_t npy_item_size(NpyDtype t);

template <class T>
constexpr NpyDtype npy_dtype_of() {
  if constexpr (std::is_same_v<T, float>) {
    return NpyDtype::F32;
  } else if constexpr (std::is_same_v<T, int8_t>) {
    return NpyDtype::I8;
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return NpyDtype::I64;  // numpy's default integer (expert ids from np.save)
  } else {
    static_assert(std::is_same_v<T, int32_t>, "npy supports float, int8_t, int32_t and int64_t");
    return NpyDtype::I32;
  }
}

struct NpyArray {
  NpyDtype dtype = NpyDtype::F32;
  std::vector<int64_t> shape;   // empty for a scalar
  std::vector<std::byte> data;  // element_count() * item size bytes, C order

  size_t element_count() const;

  // The elements as T. Throws amxlab::Error when T does not match dtype.
  template <class T>
  std::span<const T> as() const {
    if (npy_dtype_of<T>() != dtype) {
      throw Error("npy: array holds " + std::string(npy_descr(dtype)) + ", requested as " +
                  std::string(npy_descr(npy_dtype_of<T>())));
    }
    // operator new aligns the vector's storage for any fundamental type.
    return {reinterpret_cast<const T*>(data.data()), data.size() / sizeof(T)};
  }
};

NpyArray read_npy(const std::string& path);

// Parses an .npy image held in memory; `source_name` labels error messages.
NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& source_name = "<memory>");

// Writes atomically: a temporary file in the same directory is written, fsynced and
// renamed over `path`, so readers never see a partial file. `bytes` must equal the
// product of `shape` times the item size.
void write_npy(const std::string& path, NpyDtype dtype, std::span<const int64_t> shape, const void* data,
               size_t bytes);

void write_npy_f32(const std::string& path, std::span<const int64_t> shape, std::span<const float> values);
void write_npy_i8(const std::string& path, std::span<const int64_t> shape, std::span<const int8_t> values);
void write_npy_i32(const std::string& path, std::span<const int64_t> shape, std::span<const int32_t> values);

}  // namespace amxlab::io
