// A minimal GGUF writer, for tests only: the reader's own tests build valid and broken
// files with it, and other suites write small GGUFs to disk (e.g. tensor names that hold
// control bytes, to check that they are printed escaped).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/io/gguf_types.h"

namespace amxlab::testing {

using Bytes = std::vector<std::byte>;

class Writer {
 public:
  template <class T>
  Writer& put(T v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof v);
    return *this;
  }
  Writer& str(std::string_view s) {
    put<uint64_t>(s.size());
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    bytes.insert(bytes.end(), p, p + s.size());
    return *this;
  }
  Bytes bytes;
};

using KvWriter = std::function<void(Writer&)>;

inline KvWriter kv_u32(const std::string& key, uint32_t v) {
  return [=](Writer& w) { w.str(key).put<uint32_t>(4).put(v); };
}
// Any value: `type` then whatever `value` writes.
inline KvWriter kv_raw(const std::string& key, uint32_t type, const std::function<void(Writer&)>& value) {
  return [=](Writer& w) {
    w.str(key).put(type);
    value(w);
  };
}

struct TensorSpec {
  std::string name;
  uint32_t type = 0;
  std::vector<uint64_t> dims;
  uint64_t offset = 0;
};

struct FileSpec {
  uint32_t version = 3;
  std::vector<KvWriter> kvs;
  std::vector<TensorSpec> tensors;
  uint64_t pad_to = 32;  // padding actually written before the data section
};

inline uint64_t spec_bytes(const TensorSpec& t) {
  const io::GgmlTypeInfo* info = io::ggml_type_info(t.type);
  if (info == nullptr) return 0;
  uint64_t n = 1;
  for (const uint64_t d : t.dims) n *= d;
  return n / info->block_elems * info->block_bytes;
}

inline Bytes build(const FileSpec& spec) {
  Writer w;
  w.put<uint32_t>(0x46554747);  // "GGUF"
  w.put(spec.version);
  w.put<uint64_t>(spec.tensors.size());
  w.put<uint64_t>(spec.kvs.size());
  for (const auto& kv : spec.kvs) kv(w);
  for (const auto& t : spec.tensors) {
    w.str(t.name).put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (const uint64_t d : t.dims) w.put(d);
    w.put(t.type).put(t.offset);
  }
  while (w.bytes.size() % spec.pad_to != 0) w.put<uint8_t>(0);
  uint64_t data_end = 0;
  for (const auto& t : spec.tensors) data_end = std::max(data_end, t.offset + spec_bytes(t));
  for (uint64_t i = 0; i < data_end; ++i) w.put(static_cast<uint8_t>(i * 7 + 1));
  return w.bytes;
}

// build(spec) written to `path`; false when the file cannot be written.
inline bool write_gguf(const std::string& path, const FileSpec& spec) {
  const Bytes b = build(spec);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return static_cast<bool>(out);
}

}  // namespace amxlab::testing
