// Closes a POSIX file descriptor on every path out of the scope that opened it.
#pragma once

#include <unistd.h>

namespace amxlab::io {

struct FdGuard {
  int fd;
  explicit FdGuard(int f) : fd(f) {}
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace amxlab::io
