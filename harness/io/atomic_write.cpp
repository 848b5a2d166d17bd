#include "harness/io/atomic_write.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::io {
namespace {

[[noreturn]] void fail(const std::string& path, std::string_view what, int err) {
  throw Error(fmt::format("cannot write '{}': {}: {}", printable(path, 300), what, std::strerror(err)));
}

// Owns the temporary file until it has been renamed into place.
class TempFile {
 public:
  explicit TempFile(const std::string& target) : target_(target) {
    // pid + counter makes clashes between threads and processes unlikely; O_EXCL
    // makes them harmless. 0666 lets the umask decide the final mode, as for any
    // newly created file (mkstemp would force 0600).
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = fmt::format("{}.tmp.{}.{}", target, ::getpid(), counter.fetch_add(1));
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd_ >= 0) return;
      if (errno != EEXIST) fail(target, "cannot create temporary file '" + path_ + "'", errno);
    }
    fail(target, "cannot find a free temporary file name", EEXIST);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  void write_all(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        fail(target_, "write", errno);
      }
      bytes = bytes.subspan(static_cast<size_t>(n));
    }
  }

  void commit() {
    if (::fsync(fd_) != 0) fail(target_, "fsync", errno);
    const int fd = fd_;
    fd_ = -1;
    // close() can report a deferred write error (e.g. on NFS); it must not be ignored.
    if (::close(fd) != 0) fail(target_, "close", errno);
    if (std::rename(path_.c_str(), target_.c_str()) != 0) fail(target_, "rename", errno);
    committed_ = true;
  }

 private:
  std::string target_;
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

// Makes the rename itself durable. Best effort: some filesystems refuse fsync on a
// directory, and the data is already safely in the file.
void sync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomically(const std::string& path, std::span<const std::span<const std::byte>> parts) {
  TempFile tmp(path);
  for (const auto& part : parts) tmp.write_all(part);
  tmp.commit();
  sync_directory_of(path);
}

void write_file_atomically(const std::string& path, std::string_view text) {
  const std::span<const std::byte> part(reinterpret_cast<const std::byte*>(text.data()), text.size());
  write_file_atomically(path, std::span<const std::span<const std::byte>>(&part, 1));
}

}  // namespace amxlab::io
