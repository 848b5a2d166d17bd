// A read-only memory mapping of a whole file (RAII, move-only).
//
// Model files are gigabytes; mapping them lets the GGUF reader hand out spans of
// tensor bytes without copying, and the OS pages in only what is touched.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace amxlab::io {

class MappedFile {
 public:
  // Maps `path` read-only. Throws amxlab::Error naming the path and the OS reason.
  // An empty file yields an empty mapping (mmap cannot map zero bytes).
  static MappedFile open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Stays valid, at the same address, across moves of this object.
  std::span<const std::byte> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  void reset() noexcept;

  const std::byte* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace amxlab::io
