// Reader for GGUF model files (versions 2 and 3, little-endian).
//
// Layout: magic "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count, the
// key/value pairs, the tensor infos, padding to `general.alignment` (default 32), then
// the data section; each tensor info's offset is relative to the data section.
//
// Everything in the file is distrusted: any malformed or truncated input throws
// amxlab::Error naming the source, the byte offset and what was expected. Lengths
// and counts are checked against the bytes that remain before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/io/gguf_value.h"
#include "harness/io/mapped_file.h"
#include "kernels/core/qtype.h"

namespace amxlab::io {

struct GgufTensorInfo {
  std::string name;
  uint32_t ggml_type = 0;           // ggml_type id as stored
  std::string_view type_name;       // "q4_0", "q4_K", "iq2_xxs" (static storage)
  std::optional<QType> qtype;       // nullopt for ggml types the lab has no QType for
  std::vector<int64_t> dims;        // ggml order: dims[0] = ne[0] = row length K, dims[1] = rows N
  int64_t n_elements = 0;           // product of dims
  uint64_t n_bytes = 0;             // bytes of tensor data
  uint64_t offset = 0;              // as stored: relative to the start of the data section
  uint64_t file_offset = 0;         // absolute position of the first byte in the file
  std::span<const std::byte> data;  // the n_bytes bytes, inside the file's buffer

  // ne[i] as ggml sees it: 1 beyond the stored dimensions.
  int64_t ne(size_t i) const { return i < dims.size() ? dims[i] : 1; }
  int64_t row_length() const { return ne(0); }
  int64_t rows() const { return n_elements / ne(0); }  // ne[1] * ne[2] * ne[3]
};

class GgufFile {
 public:
  // Maps `path` read-only and parses it. Tensor spans point into the mapping, which
  // lives (at a fixed address) as long as this object or whatever it is moved into.
  static GgufFile open(const std::string& path);

  // Parses a GGUF image held by the caller. Nothing is copied: tensors()[i].data
  // points into `bytes`, so the buffer must outlive the returned object and every span
  // taken from it. `source_name` only labels error messages.
  static GgufFile parse(std::span<const std::byte> bytes, std::string source_name = "<memory>");

  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;
  GgufFile(const GgufFile&) = delete;
  GgufFile& operator=(const GgufFile&) = delete;
  ~GgufFile() = default;

  const std::string& source() const { return source_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }        // absolute start of the data section
  std::span<const std::byte> bytes() const { return bytes_; }  // the whole file

  const std::vector<GgufKV>& metadata() const { return metadata_; }
  const GgufValue* find_metadata(std::string_view key) const;

  // In file order.
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find(std::string_view name) const;
  // Throws amxlab::Error listing the available tensor names when `name` is absent.
  const GgufTensorInfo& tensor(std::string_view name) const;

 private:
  GgufFile() = default;
  friend class GgufParser;

  MappedFile mapping_;  // empty for parse()
  std::string source_;
  std::span<const std::byte> bytes_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<GgufKV> metadata_;
  std::vector<GgufTensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> metadata_index_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace amxlab::io
