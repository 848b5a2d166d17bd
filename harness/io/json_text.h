// A results document as text. Strings in it can come from files and command lines (tensor
// names, paths) that need not be UTF-8, which nlohmann's dump() refuses with an exception
// after the work is done: invalid bytes become U+FFFD instead, so the file is always
// written (the lab escapes such strings where it prints them; this is the backstop).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "kernels/core/error.h"

namespace amxlab::io {

// The deepest nesting a JSON file the lab reads may have. Its own files nest 6 deep;
// 10^5 nested arrays are valid JSON that would exhaust the stack in any recursive walk of
// the document (dump, copy), so they are refused while parsing.
inline constexpr int kMaxJsonDepth = 64;

// nlohmann::json::parse of text read from a file, with nesting bounded by
// kMaxJsonDepth: throws Error past it, nlohmann's parse_error on text that is not JSON.
inline nlohmann::json parse_bounded_json(const std::string& text) {
  const auto bounded = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw Error("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    return true;
  };
  return nlohmann::json::parse(text, bounded);
}

inline std::string dump_json(const nlohmann::json& doc, int indent) {
  return doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace amxlab::io
