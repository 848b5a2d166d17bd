#include "harness/io/npy.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>

#include "harness/io/atomic_write.h"
#include "harness/io/printable.h"
#include "harness/io/read_file.h"

namespace amxlab::io {
namespace {

constexpr unsigned char kNpyMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
constexpr size_t kPreambleV1 = 10;  // magic, major, minor, u16 header length
constexpr size_t kPreambleV2 = 12;  // ... u32 header length
// numpy pads the header so the data starts on a 64-byte boundary; we do the same.
constexpr size_t kHeaderAlign = 64;

struct NpyHeader {
  NpyDtype dtype = NpyDtype::F32;
  std::vector<int64_t> shape;
  size_t data_offset = 0;
  size_t data_bytes = 0;
};

// Header text from the file, escaped and bounded.
std::string npy_text(std::string_view s) {
  return io::printable(s, 120);
}

std::string shape_string(std::span<const int64_t> shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// Product of the dimensions times the item size; nullopt on overflow or a negative dim.
std::optional<size_t> data_size(std::span<const int64_t> shape, size_t item) {
  size_t n = item;
  for (const int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(n, static_cast<size_t>(d), &n)) return std::nullopt;
  }
  return n;
}

// The header is a Python dict literal written by numpy's repr, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (7, 256), }
// This recognises exactly the subset numpy writes: string keys, and string, True/False
// and integer-tuple values.
class HeaderDictParser {
 public:
  HeaderDictParser(std::string_view text, const std::string& source) : s_(text), source_(source) {}

  NpyHeader parse() {
    std::optional<std::string> descr;
    std::optional<bool> fortran;
    std::optional<std::vector<int64_t>> shape;

    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string("a quoted key");
      skip_ws();
      expect(':');
      skip_ws();
      if (key == "descr") {
        if (descr) fail("duplicate key 'descr'");
        if (peek() != '\'' && peek() != '"') {
          fail(
              "unsupported dtype: 'descr' is not a simple type string (structured dtypes "
              "are not supported; supported: '<f4', '|i1', '<i4', '<i8')");
        }
        descr = parse_string("a dtype string");
      } else if (key == "fortran_order") {
        if (fortran) fail("duplicate key 'fortran_order'");
        fortran = parse_bool();
      } else if (key == "shape") {
        if (shape) fail("duplicate key 'shape'");
        shape = parse_shape();
      } else {
        fail(fmt::format("unexpected key '{}' (expected descr, fortran_order, shape)", npy_text(key)));
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++pos_;  // '}'
    skip_ws();
    if (pos_ != s_.size()) fail("unexpected text after the closing '}'");

    if (!descr) fail("missing key 'descr'");
    if (!fortran) fail("missing key 'fortran_order'");
    if (!shape) fail("missing key 'shape'");
    if (*fortran) {
      throw Error(
          fmt::format("{}: fortran_order is True; only C-order arrays are supported "
                      "(save with np.ascontiguousarray)",
                      source_));
    }

    NpyHeader h;
    h.dtype = parse_descr(*descr);
    h.shape = std::move(*shape);
    return h;
  }

 private:
  [[noreturn]] void fail(std::string_view what) const {
    throw Error(fmt::format("{}: malformed npy header at character {}: {} (header: {})", source_, pos_, what,
                            npy_text(s_)));
  }

  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  void expect(char c) {
    if (peek() != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }

  std::string parse_string(std::string_view what) {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(fmt::format("expected {}", what));
    ++pos_;
    const size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      // numpy never writes escapes in these strings; refusing them keeps this simple.
      if (s_[pos_] == '\\') fail("escape sequences in strings are not supported");
      ++pos_;
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    std::string out(s_.substr(start, pos_ - start));
    ++pos_;
    return out;
  }

  bool parse_bool() {
    if (s_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (s_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False for 'fortran_order'");
  }

  std::vector<int64_t> parse_shape() {
    // numpy itself caps ndim at 32 (64 in NumPy 2); more is surely garbage.
    constexpr size_t kMaxDims = 64;
    std::vector<int64_t> dims;
    expect('(');
    for (;;) {
      skip_ws();
      if (peek() == ')') break;
      if (dims.size() == kMaxDims) fail(fmt::format("shape has more than {} dimensions", kMaxDims));
      dims.push_back(parse_dim());
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') fail("expected ',' or ')' in shape");
    }
    ++pos_;
    return dims;
  }

  int64_t parse_dim() {
    if (peek() < '0' || peek() > '9') fail("expected a non-negative integer dimension in shape");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const int digit = peek() - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("dimension too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 longs, written by old numpy
    return v;
  }

  NpyDtype parse_descr(const std::string& descr) const {
    if (descr == "<f4") return NpyDtype::F32;
    if (descr == "<i4") return NpyDtype::I32;
    if (descr == "<i8") return NpyDtype::I64;
    // Byte order is meaningless for one-byte items; numpy writes '|'.
    if (descr == "|i1" || descr == "<i1" || descr == ">i1" || descr == "=i1") return NpyDtype::I8;
    if (descr == ">f4" || descr == ">i4" || (descr.size() > 1 && descr[0] == '>')) {
      throw Error(fmt::format("{}: big-endian dtype '{}' is not supported (only little-endian)", source_,
                              npy_text(descr)));
    }
    throw Error(fmt::format("{}: unsupported dtype '{}' (supported: '<f4', '|i1', '<i4', '<i8')", source_,
                            npy_text(descr)));
  }

  std::string_view s_;
  const std::string& source_;
  size_t pos_ = 0;
};

NpyHeader parse_header(std::span<const std::byte> bytes, const std::string& source) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < sizeof kNpyMagic || std::memcmp(b, kNpyMagic, sizeof kNpyMagic) != 0) {
    throw Error(fmt::format("{}: bad magic: not a .npy file (expected \\x93NUMPY at byte 0)", source));
  }
  if (bytes.size() < kPreambleV1 - 2) {
    throw Error(fmt::format("{}: truncated .npy preamble ({} bytes)", source, bytes.size()));
  }
  const unsigned major = b[6];
  const unsigned minor = b[7];
  if (major < 1 || major > 3 || minor != 0) {
    throw Error(fmt::format("{}: unsupported .npy format version {}.{} (expected 1.0, 2.0 or 3.0)", source,
                            major, minor));
  }
  const size_t preamble = major == 1 ? kPreambleV1 : kPreambleV2;
  if (bytes.size() < preamble) {
    throw Error(
        fmt::format("{}: truncated .npy preamble ({} bytes, need {})", source, bytes.size(), preamble));
  }
  size_t header_len = 0;
  if (major == 1) {
    header_len = static_cast<size_t>(b[8]) | static_cast<size_t>(b[9]) << 8;
  } else {
    header_len = static_cast<size_t>(b[8]) | static_cast<size_t>(b[9]) << 8 |
                 static_cast<size_t>(b[10]) << 16 | static_cast<size_t>(b[11]) << 24;
  }
  if (header_len > bytes.size() - preamble) {
    throw Error(
        fmt::format("{}: truncated .npy header: length field says {} bytes, file has {} "
                    "after the preamble",
                    source, header_len, bytes.size() - preamble));
  }

  const std::string_view text(reinterpret_cast<const char*>(b + preamble), header_len);
  NpyHeader h = HeaderDictParser(text, source).parse();
  h.data_offset = preamble + header_len;

  const auto size = data_size(h.shape, npy_item_size(h.dtype));
  if (!size) {
    throw Error(
        fmt::format("{}: shape {} is too large (byte size overflows)", source, shape_string(h.shape)));
  }
  h.data_bytes = *size;
  const size_t have = bytes.size() - h.data_offset;
  if (have < h.data_bytes) {
    throw Error(fmt::format("{}: truncated data: shape {} of {} needs {} bytes, file has {}", source,
                            shape_string(h.shape), npy_descr(h.dtype), h.data_bytes, have));
  }
  if (have > h.data_bytes) {
    throw Error(fmt::format(
        "{}: data size mismatch: shape {} of {} needs {} bytes, file has {} "
        "({} trailing bytes)",
        source, shape_string(h.shape), npy_descr(h.dtype), h.data_bytes, have, have - h.data_bytes));
  }
  return h;
}

std::vector<std::byte> read_whole_file(const std::string& path) {
  const std::string text = read_regular_file(path, ".npy file");
  const auto* p = reinterpret_cast<const std::byte*>(text.data());
  return {p, p + text.size()};
}

std::string make_header(NpyDtype dtype, std::span<const int64_t> shape) {
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", npy_descr(dtype),
                                 shape_string(shape));
  // Pads with spaces and ends with '\n' so the data starts at a multiple of 64.
  const auto padded = [&](size_t preamble) {
    const size_t unpadded = preamble + dict.size() + 1;
    return (unpadded + kHeaderAlign - 1) / kHeaderAlign * kHeaderAlign - preamble;
  };
  size_t header_len = padded(kPreambleV1);
  const bool v2 = header_len > std::numeric_limits<uint16_t>::max();
  if (v2) header_len = padded(kPreambleV2);

  std::string out(reinterpret_cast<const char*>(kNpyMagic), sizeof kNpyMagic);
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  const int len_bytes = v2 ? 4 : 2;
  for (int i = 0; i < len_bytes; ++i) out += static_cast<char>((header_len >> (8 * i)) & 0xff);
  out += dict;
  out.append(header_len - dict.size() - 1, ' ');
  out += '\n';
  return out;
}

}  // namespace

std::string_view npy_descr(NpyDtype t) {
  switch (t) {
    case NpyDtype::F32: return "<f4";
    case NpyDtype::I8: return "|i1";
    case NpyDtype::I32: return "<i4";
    case NpyDtype::I64: return "<i8";
  }
  throw Error("npy: invalid NpyDtype value " + std::to_string(static_cast<int>(t)));
}

size_t npy_item_size(NpyDtype t) {
  switch (t) {
    case NpyDtype::F32: return 4;
    case NpyDtype::I8: return 1;
    case NpyDtype::I32: return 4;
    case NpyDtype::I64: return 8;
  }
  throw Error("npy: invalid NpyDtype value " + std::to_string(static_cast<int>(t)));
}

size_t NpyArray::element_count() const {
  return data.size() / npy_item_size(dtype);
}

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& source_name) {
  const NpyHeader h = parse_header(bytes, source_name);
  NpyArray a;
  a.dtype = h.dtype;
  a.shape = h.shape;
  const auto body = bytes.subspan(h.data_offset, h.data_bytes);
  a.data.assign(body.begin(), body.end());
  return a;
}

NpyArray read_npy(const std::string& path) {
  std::vector<std::byte> buf = read_whole_file(path);
  const NpyHeader h = parse_header(buf, io::printable(path, 300));
  NpyArray a;
  a.dtype = h.dtype;
  a.shape = h.shape;
  // Reuse the file buffer: dropping the header is cheaper than a second copy.
  buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(h.data_offset));
  a.data = std::move(buf);
  return a;
}

void write_npy(const std::string& path, NpyDtype dtype, std::span<const int64_t> shape, const void* data,
               size_t bytes) {
  const auto needed = data_size(shape, npy_item_size(dtype));
  if (!needed) {
    throw Error(
        fmt::format("write_npy '{}': invalid shape {} (negative or overflowing)", path, shape_string(shape)));
  }
  if (*needed != bytes) {
    throw Error(fmt::format("write_npy '{}': shape {} of {} needs {} bytes, {} given", path,
                            shape_string(shape), npy_descr(dtype), *needed, bytes));
  }
  if (bytes != 0 && data == nullptr) throw Error(fmt::format("write_npy '{}': null data", path));

  const std::string header = make_header(dtype, shape);
  const std::span<const std::byte> parts[] = {
      std::as_bytes(std::span(header)),
      {static_cast<const std::byte*>(data), bytes},
  };
  write_file_atomically(path, parts);
}

void write_npy_f32(const std::string& path, std::span<const int64_t> shape, std::span<const float> values) {
  write_npy(path, NpyDtype::F32, shape, values.data(), values.size_bytes());
}

void write_npy_i8(const std::string& path, std::span<const int64_t> shape, std::span<const int8_t> values) {
  write_npy(path, NpyDtype::I8, shape, values.data(), values.size_bytes());
}

void write_npy_i32(const std::string& path, std::span<const int64_t> shape, std::span<const int32_t> values) {
  write_npy(path, NpyDtype::I32, shape, values.data(), values.size_bytes());
}

}  // namespace amxlab::io
