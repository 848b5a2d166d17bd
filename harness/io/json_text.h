// A results document as text. Strings in it can come from files and command lines (tensor
// names, paths) that need not be UTF-8, which nlohmann's dump() refuses with an exception
// after the work is done: invalid bytes become U+FFFD instead, so the file is always
// written (the lab escapes such strings where it prints them; this is the backstop).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace amxlab::io {

inline std::string dump_json(const nlohmann::json& doc, int indent) {
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace amxlab::io
