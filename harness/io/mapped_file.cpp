#include "harness/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "harness/io/fd_guard.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::io {
namespace {

[[noreturn]] void throw_os_error(const std::string& path, const char* what, int err) {
  throw Error("cannot " + std::string(what) + " '" + printable(path, 300) + "': " + std::strerror(err));
}

}  // namespace

MappedFile MappedFile::open(const std::string& path) {
  // Closed on every path out (the mapping outlives it). O_NONBLOCK: a FIFO is refused below (not a regular
  // file) instead of waited on.
  FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (fd.fd < 0) throw_os_error(path, "open", errno);

  struct stat st{};
  if (::fstat(fd.fd, &st) != 0) throw_os_error(path, "stat", errno);
  if (!S_ISREG(st.st_mode)) throw Error("cannot map '" + printable(path, 300) + "': not a regular file");

  MappedFile file;
  file.path_ = path;
  if (st.st_size == 0) return file;

  const auto size = static_cast<size_t>(st.st_size);
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.fd, 0);
  if (p == MAP_FAILED) throw_os_error(path, "mmap", errno);
  file.data_ = static_cast<const std::byte*>(p);
  file.size_ = size;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      path_(std::move(other.path_)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    path_ = std::move(other.path_);
  }
  return *this;
}

MappedFile::~MappedFile() {
  reset();
}

void MappedFile::reset() noexcept {
  if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace amxlab::io
