// Writing a file so that readers see either the old file or the complete new one.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace amxlab::io {

// Writes the concatenation of `parts` to a new temporary file next to `path`
// (rename is only atomic within one filesystem), fsyncs it, renames it over `path`
// and fsyncs the directory. On any failure the temporary file is removed and
// amxlab::Error names `path` and the OS reason; `path` is then left untouched.
void write_file_atomically(const std::string& path, std::span<const std::span<const std::byte>> parts);

// The same for one piece of text (a JSON document).
void write_file_atomically(const std::string& path, std::string_view text);

}  // namespace amxlab::io
