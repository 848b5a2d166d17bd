#include "harness/io/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "harness/io/fd_guard.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::io {

std::string read_regular_file(const std::string& path, std::string_view what) {
  const std::string named = std::string(what) + " " + printable(path, 300);
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; on a
  // regular file it changes nothing.
  const FdGuard f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0) throw Error("cannot open " + named + ": " + std::strerror(errno));
  struct stat st{};
  if (::fstat(f.fd, &st) != 0) throw Error("cannot stat " + named + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw Error(named + " is a directory, not a file");
  // A pipe (--batch <(...), /dev/stdin) is read to its end, blocking again; one that no
  // process writes to reads as empty and fails as an empty file would.
  if (S_ISFIFO(st.st_mode)) {
    const int flags = ::fcntl(f.fd, F_GETFL);
    if (flags < 0 || ::fcntl(f.fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
      throw Error("cannot read " + named + ": " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    throw Error(named + " is not a regular file or a pipe (a socket or a device)");
  }
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t r = ::read(f.fd, buf, sizeof buf);
    if (r == 0) break;
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + named + ": " + std::strerror(errno));
    }
    text.append(buf, static_cast<size_t>(r));
  }
  return text;
}

}  // namespace amxlab::io
