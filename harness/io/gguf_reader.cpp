#include "harness/io/gguf_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <utility>

#include "harness/io/gguf_types.h"
#include "harness/io/printable.h"
#include "kernels/core/error.h"

namespace amxlab::io {

// The format is little-endian and so is every machine this lab targets; reading
// fields with memcpy is then exact.
static_assert(std::endian::native == std::endian::little, "GGUF reader assumes little-endian");

namespace {

constexpr char kGgufMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint64_t kDefaultAlignment = 32;
constexpr size_t kGgufMaxDims = 4;  // GGML_MAX_DIMS
// Real files nest arrays at most one level; the cap keeps recursion (and the
// recursive destructor of GgufValue) shallow on hostile input.
constexpr int kMaxArrayDepth = 16;

// Smallest possible encodings, used to reject counts that cannot fit in what remains
// before anything is reserved.
constexpr uint64_t kMinStringBytes = 8;                                    // u64 length, no chars
constexpr uint64_t kMinKvBytes = kMinStringBytes + 4 + 1;                  // key, type, u8 value
constexpr uint64_t kMinTensorInfoBytes = kMinStringBytes + 4 + 8 + 4 + 8;  // 1 dim

uint64_t min_encoded_size(GgufValueType t) {
  switch (t) {
    case GgufValueType::U8:
    case GgufValueType::I8:
    case GgufValueType::Bool: return 1;
    case GgufValueType::U16:
    case GgufValueType::I16: return 2;
    case GgufValueType::U32:
    case GgufValueType::I32:
    case GgufValueType::F32: return 4;
    case GgufValueType::U64:
    case GgufValueType::I64:
    case GgufValueType::F64:
    case GgufValueType::String: return 8;
    case GgufValueType::Array: return 4 + 8;  // item type + count, no items
  }
  return 1;
}

// Names and keys come from the file: show them printable and bounded.
std::string gguf_text(std::string_view s) {
  return io::printable(s, 80);
}

bool is_power_of_two(uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

}  // namespace

// Walks the buffer once, front to back, filling a GgufFile. Every read goes through
// need(), so no access can leave the buffer; every failure names the source, the byte
// offset and the item being read (`context_` + field).
class GgufParser {
 public:
  GgufParser(std::span<const std::byte> bytes, GgufFile& out)
      : buf_(bytes), source_(out.source_), out_(out) {}

  void run() {
    out_.alignment_ = kDefaultAlignment;  // unless general.alignment says otherwise
    read_header();
    read_metadata();
    read_tensor_infos();
    place_tensor_data();
  }

 private:
  [[noreturn]] void fail_at(size_t at, std::string_view what) const {
    throw Error(fmt::format("{}: at byte {}: {}: {}", printable(source_, 300), at, context_, what));
  }

  size_t remaining() const { return buf_.size() - pos_; }

  void need(size_t n, std::string_view field, std::string_view suffix = {}) const {
    if (remaining() < n) {
      throw Error(fmt::format("{}: truncated at byte {} while reading {} {}{} (needs {} bytes, {} left)",
                              printable(source_, 300), pos_, context_, field, suffix, n, remaining()));
    }
  }

  template <class T>
  T read(std::string_view field, std::string_view suffix = {}) {
    need(sizeof(T), field, suffix);
    T v;
    std::memcpy(&v, buf_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }

  std::string read_string(std::string_view field) {
    const size_t len_pos = pos_;
    const auto len = read<uint64_t>(field, " length");
    if (len > remaining()) {
      fail_at(len_pos, fmt::format("{} length {} exceeds the {} bytes left in the file "
                                   "(truncated or corrupt)",
                                   field, len, remaining()));
    }
    std::string s(reinterpret_cast<const char*>(buf_.data() + pos_), static_cast<size_t>(len));
    pos_ += static_cast<size_t>(len);
    return s;
  }

  // Reads a u32 value-type tag and checks it names one of the 13 types.
  GgufValueType read_value_type(std::string_view field) {
    const size_t at = pos_;
    const auto raw = read<uint32_t>(field);
    if (raw >= kGgufValueTypeCount) {
      fail_at(at, fmt::format("unknown {} {} (expected 0..{})", field, raw, kGgufValueTypeCount - 1));
    }
    return static_cast<GgufValueType>(raw);
  }

  // Builds the alternative T explicitly, so no implicit conversion can pick another.
  template <class T>
  static GgufValue make(T v) {
    return GgufValue{GgufValue::Storage(std::in_place_type<T>, std::move(v))};
  }

  GgufValue read_value(GgufValueType type, int depth) {
    switch (type) {
      case GgufValueType::U8: return make(read<uint8_t>("u8 value"));
      case GgufValueType::I8: return make(read<int8_t>("i8 value"));
      case GgufValueType::U16: return make(read<uint16_t>("u16 value"));
      case GgufValueType::I16: return make(read<int16_t>("i16 value"));
      case GgufValueType::U32: return make(read<uint32_t>("u32 value"));
      case GgufValueType::I32: return make(read<int32_t>("i32 value"));
      case GgufValueType::F32: return make(read<float>("f32 value"));
      case GgufValueType::U64: return make(read<uint64_t>("u64 value"));
      case GgufValueType::I64: return make(read<int64_t>("i64 value"));
      case GgufValueType::F64: return make(read<double>("f64 value"));
      case GgufValueType::Bool: {
        const size_t at = pos_;
        const auto b = read<uint8_t>("bool value");
        if (b > 1) fail_at(at, fmt::format("invalid bool byte 0x{:02x} (expected 0 or 1)", b));
        return make(b == 1);
      }
      case GgufValueType::String: return make(read_string("string value"));
      case GgufValueType::Array: return make(read_array(depth));
    }
    fail_at(pos_, "internal error: unhandled value type");
  }

  GgufArray read_array(int depth) {
    if (depth >= kMaxArrayDepth) {
      fail_at(pos_, fmt::format("arrays nested deeper than {} levels", kMaxArrayDepth));
    }
    GgufArray arr;
    arr.elem_type = read_value_type("array item type");
    const size_t count_pos = pos_;
    const auto count = read<uint64_t>("array count");
    const uint64_t min_item = min_encoded_size(arr.elem_type);
    if (count > remaining() / min_item) {
      fail_at(count_pos, fmt::format("array count {} of {} items cannot fit in the {} bytes left in the "
                                     "file (truncated or corrupt)",
                                     count, gguf_value_type_name(arr.elem_type), remaining()));
    }
    arr.items.reserve(static_cast<size_t>(count));
    for (uint64_t i = 0; i < count; ++i) arr.items.push_back(read_value(arr.elem_type, depth + 1));
    return arr;
  }

  void read_header() {
    context_ = "header";
    need(sizeof kGgufMagic, "magic");
    if (std::memcmp(buf_.data(), kGgufMagic, sizeof kGgufMagic) != 0) {
      const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
      fail_at(0, fmt::format("bad magic {:02x} {:02x} {:02x} {:02x}, expected \"GGUF\" "
                             "(47 47 55 46); not a GGUF file",
                             b[0], b[1], b[2], b[3]));
    }
    pos_ = sizeof kGgufMagic;

    const size_t version_pos = pos_;
    const auto version = read<uint32_t>("version");
    if (version == 1) {
      fail_at(version_pos,
              "GGUF version 1 is not supported (it used 32-bit counts); re-convert the model "
              "with a current llama.cpp");
    }
    if (version != 2 && version != 3) {
      const uint32_t swapped = __builtin_bswap32(version);  // std::byteswap is C++23
      fail_at(version_pos,
              fmt::format("unsupported GGUF version {} (expected 2 or 3{})", version,
                          swapped >= 1 && swapped <= 3 ? "; this looks like a big-endian file" : ""));
    }
    out_.version_ = version;

    const size_t tensor_count_pos = pos_;
    tensor_count_ = read<uint64_t>("tensor count");
    const size_t kv_count_pos = pos_;
    kv_count_ = read<uint64_t>("metadata count");
    // Both sections must fit in what follows; checking each bound alone is enough
    // to keep reserve() small, the exact layout is checked while reading.
    if (tensor_count_ > remaining() / kMinTensorInfoBytes) {
      fail_at(tensor_count_pos, fmt::format("tensor count {} cannot fit in the {} bytes after the header, at "
                                            "{} bytes or more per tensor info (truncated or corrupt)",
                                            tensor_count_, remaining(), kMinTensorInfoBytes));
    }
    if (kv_count_ > remaining() / kMinKvBytes) {
      fail_at(kv_count_pos, fmt::format("metadata count {} cannot fit in the {} bytes after the header, at "
                                        "{} bytes or more per key/value pair (truncated or corrupt)",
                                        kv_count_, remaining(), kMinKvBytes));
    }
  }

  void read_metadata() {
    out_.metadata_.reserve(static_cast<size_t>(kv_count_));
    for (uint64_t i = 0; i < kv_count_; ++i) {
      context_ = fmt::format("metadata pair {}", i);
      const size_t kv_pos = pos_;
      std::string key = read_string("key");
      context_ = fmt::format("metadata pair {} ('{}')", i, gguf_text(key));
      const GgufValueType type = read_value_type("value type");
      const size_t value_pos = pos_;
      GgufValue value = read_value(type, 0);

      if (key == "general.alignment") check_alignment(value, value_pos);
      const auto [it, inserted] = out_.metadata_index_.emplace(key, out_.metadata_.size());
      if (!inserted) {
        fail_at(kv_pos, fmt::format("duplicate metadata key (first at pair {})", it->second));
      }
      out_.metadata_.push_back({std::move(key), std::move(value)});
    }
  }

  void check_alignment(const GgufValue& value, size_t value_pos) {
    const auto* a = value.get_if<uint32_t>();
    if (a == nullptr) {
      fail_at(value_pos,
              fmt::format("general.alignment has type {}, expected u32", gguf_value_type_name(value.type())));
    }
    if (!is_power_of_two(*a)) {
      fail_at(value_pos, fmt::format("general.alignment = {} is not a power of two (nonzero)", *a));
    }
    out_.alignment_ = *a;
  }

  void read_tensor_infos() {
    out_.tensors_.reserve(static_cast<size_t>(tensor_count_));
    offset_pos_.reserve(static_cast<size_t>(tensor_count_));
    for (uint64_t i = 0; i < tensor_count_; ++i) {
      context_ = fmt::format("tensor {}", i);
      const size_t info_pos = pos_;
      GgufTensorInfo t;
      t.name = read_string("name");
      context_ = fmt::format("tensor {} ('{}')", i, gguf_text(t.name));

      const size_t n_dims_pos = pos_;
      const auto n_dims = read<uint32_t>("n_dims");
      if (n_dims == 0 || n_dims > kGgufMaxDims) {
        fail_at(n_dims_pos, fmt::format("n_dims {} out of range (expected 1..{})", n_dims, kGgufMaxDims));
      }
      int64_t n_elements = 1;
      for (uint32_t d = 0; d < n_dims; ++d) {
        const size_t dim_pos = pos_;
        const auto dim = read<uint64_t>("dimension");
        if (dim == 0 || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          fail_at(dim_pos, fmt::format("dimension ne[{}] = {} is invalid (expected 1..2^63-1)", d, dim));
        }
        t.dims.push_back(static_cast<int64_t>(dim));
        if (__builtin_mul_overflow(n_elements, static_cast<int64_t>(dim), &n_elements)) {
          fail_at(dim_pos, "element count (product of the dimensions) overflows 64 bits");
        }
      }
      t.n_elements = n_elements;

      const size_t type_pos = pos_;
      t.ggml_type = read<uint32_t>("ggml type");
      const GgmlTypeInfo* ti = ggml_type_info(t.ggml_type);
      if (ti == nullptr) {
        fail_at(type_pos,
                t.ggml_type == 4 || t.ggml_type == 5
                    ? fmt::format("ggml type {} (the removed Q4_2/Q4_3) is not supported", t.ggml_type)
                    : fmt::format("unknown ggml type {}", t.ggml_type));
      }
      t.type_name = ti->name;
      t.qtype = qtype_from_ggml_id(static_cast<int>(t.ggml_type));

      const auto ne0 = static_cast<uint64_t>(t.dims[0]);
      if (ne0 % ti->block_elems != 0) {
        fail_at(type_pos, fmt::format("row length ne[0] = {} is not a multiple of the {} block size {}", ne0,
                                      ti->name, ti->block_elems));
      }
      const auto blocks = static_cast<uint64_t>(n_elements) / ti->block_elems;
      if (__builtin_mul_overflow(blocks, ti->block_bytes, &t.n_bytes)) {
        fail_at(type_pos, "tensor byte size overflows 64 bits");
      }

      offset_pos_.push_back(pos_);
      t.offset = read<uint64_t>("data offset");

      const auto [it, inserted] = out_.tensor_index_.emplace(t.name, out_.tensors_.size());
      if (!inserted) fail_at(info_pos, fmt::format("duplicate tensor name (first at tensor {})", it->second));
      out_.tensors_.push_back(std::move(t));
    }
  }

  // Resolves each tensor's bytes in the data section and checks that they are
  // aligned, inside the file and disjoint.
  void place_tensor_data() {
    const uint64_t alignment = out_.alignment_;
    const uint64_t infos_end = pos_;
    // pos_ <= size and alignment <= 2^31, so this cannot overflow.
    out_.data_offset_ = (infos_end + alignment - 1) / alignment * alignment;
    if (out_.tensors_.empty()) return;

    context_ = "data section";
    if (out_.data_offset_ > buf_.size()) {
      fail_at(infos_end, fmt::format("data section would start at byte {} (after padding to "
                                     "alignment {}), past end of file ({} bytes)",
                                     out_.data_offset_, alignment, buf_.size()));
    }

    for (size_t i = 0; i < out_.tensors_.size(); ++i) {
      GgufTensorInfo& t = out_.tensors_[i];
      context_ = fmt::format("tensor {} ('{}')", i, gguf_text(t.name));
      if (t.offset % alignment != 0) {
        fail_at(offset_pos_[i],
                fmt::format("data offset {} is not a multiple of the alignment {}", t.offset, alignment));
      }
      uint64_t end = 0;
      if (__builtin_add_overflow(out_.data_offset_, t.offset, &t.file_offset) ||
          __builtin_add_overflow(t.file_offset, t.n_bytes, &end) || end > buf_.size()) {
        fail_at(offset_pos_[i],
                fmt::format("data (offset {}, {} bytes, data section at byte {}) extends past "
                            "end of file ({} bytes)",
                            t.offset, t.n_bytes, out_.data_offset_, buf_.size()));
      }
      t.data = buf_.subspan(static_cast<size_t>(t.file_offset), static_cast<size_t>(t.n_bytes));
    }

    std::vector<size_t> order(out_.tensors_.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return out_.tensors_[a].offset < out_.tensors_[b].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
      const GgufTensorInfo& prev = out_.tensors_[order[k - 1]];
      const GgufTensorInfo& cur = out_.tensors_[order[k]];
      if (prev.offset + prev.n_bytes > cur.offset) {  // no overflow: both end inside the file
        context_ = fmt::format("tensor {} ('{}')", order[k], gguf_text(cur.name));
        fail_at(offset_pos_[order[k]],
                fmt::format("data [{}, {}) overlaps tensor {} ('{}') at [{}, {})", cur.offset,
                            cur.offset + cur.n_bytes, order[k - 1], gguf_text(prev.name), prev.offset,
                            prev.offset + prev.n_bytes));
      }
    }
  }

  std::span<const std::byte> buf_;
  size_t pos_ = 0;
  const std::string& source_;
  GgufFile& out_;
  std::string context_;
  uint64_t tensor_count_ = 0;
  uint64_t kv_count_ = 0;
  std::vector<size_t> offset_pos_;  // where each tensor's offset field is, for messages
};

GgufFile GgufFile::parse(std::span<const std::byte> bytes, std::string source_name) {
  GgufFile file;
  file.source_ = std::move(source_name);
  file.bytes_ = bytes;
  GgufParser(bytes, file).run();
  return file;
}

GgufFile GgufFile::open(const std::string& path) {
  MappedFile mapping = MappedFile::open(path);
  const std::span<const std::byte> bytes = mapping.bytes();
  GgufFile file = parse(bytes, path);
  file.mapping_ = std::move(mapping);  // the mapped address does not change
  return file;
}

const GgufValue* GgufFile::find_metadata(std::string_view key) const {
  const auto it = metadata_index_.find(key);
  return it == metadata_index_.end() ? nullptr : &metadata_[it->second].value;
}

const GgufTensorInfo* GgufFile::find(std::string_view name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::tensor(std::string_view name) const {
  if (const GgufTensorInfo* t = find(name)) return *t;
  std::string available;
  constexpr size_t kMaxListed = 20;
  for (size_t i = 0; i < tensors_.size() && i < kMaxListed; ++i) {
    available += (i == 0 ? "" : ", ") + gguf_text(tensors_[i].name);
  }
  if (tensors_.size() > kMaxListed) available += fmt::format(", ... ({} in all)", tensors_.size());
  throw Error(fmt::format("{}: no tensor named '{}'; available: {}", printable(source_, 300), gguf_text(name),
                          tensors_.empty() ? std::string("(none)") : available));
}

}  // namespace amxlab::io
