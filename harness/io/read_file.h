// Whole-file reads of the lab's inputs (results, batch files, calibrations, manifests,
// .npy): regular files and pipes. A directory would be read as 2^63 bytes (its seek end):
// refused by name, as are sockets and devices. A FIFO is opened without waiting for a
// writer; one nobody writes to reads as empty instead of blocking forever.
#pragma once

#include <string>
#include <string_view>

namespace amxlab::io {

// The bytes of the regular file or pipe at path. Throws amxlab::Error, naming `what`
// (e.g. "batch file") and the path escaped, when it is missing, a directory, a socket or
// a device, or unreadable.
std::string read_regular_file(const std::string& path, std::string_view what);

}  // namespace amxlab::io
