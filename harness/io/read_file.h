// Whole-file reads of the lab's inputs (results, batch files, calibrations, manifests,
// .npy): only regular files. A directory would be read as 2^63 bytes (its seek end) and
// a FIFO would block forever on open or read; both are refused up front, by name.
#pragma once

#include <string>
#include <string_view>

namespace amxlab::io {

// The bytes of the regular file at path. Throws amxlab::Error, naming `what` (e.g.
// "batch file") and the path escaped, when it is missing, not a regular file, or unreadable.
std::string read_regular_file(const std::string& path, std::string_view what);

}  // namespace amxlab::io
