// GGUF reader: the ggml-written test file, synthetic files of every value type, and
// truncated / corrupted inputs, which must all end in amxlab::Error.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/io/gguf_reader.h"
#include "harness/io/gguf_types.h"
#include "kernels/core/blocks.h"
#include "kernels/core/error.h"
#include "kernels/core/fp16.h"
#include "kernels/core/qtype.h"
#include "tests/io/gguf_writer.h"
#include "tests/test_util.h"

namespace amxlab::io {
namespace {

using Bytes = std::vector<std::byte>;

const std::string kTailPath = std::string(AMXLAB_TEST_DATA_DIR) + "/ggml/weights_tail.gguf";

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

using amxlab::testing::error_of;

std::string parse_error(const Bytes& bytes, const std::string& name = "test.gguf") {
  return error_of([&] { (void)GgufFile::parse(bytes, name); });
}

template <class T>
void poke(Bytes& bytes, size_t pos, T value) {
  ASSERT_LE(pos + sizeof value, bytes.size());
  std::memcpy(bytes.data() + pos, &value, sizeof value);
}

using testing::build;
using testing::FileSpec;
using testing::kv_raw;
using testing::kv_u32;
using testing::Writer;

// Two F32 4x2 tensors, back to back.
FileSpec two_f32_tensors() {
  FileSpec s;
  s.kvs.push_back(kv_raw("general.name", 8, [](Writer& w) { w.str("tiny"); }));
  s.tensors.push_back({"a", 0, {4, 2}, 0});
  s.tensors.push_back({"b", 0, {4, 2}, 32});
  return s;
}

// ---------------------------------------------------------------------------------
// The ggml-written file.

struct TailCase {
  const char* type;
  int64_t n;
  int64_t k;
};
constexpr TailCase kTailCases[] = {
    {"q4_0", 17, 256}, {"q4_0", 33, 2304}, {"q8_0", 17, 256}, {"q8_0", 33, 2304},
    {"q4_K", 17, 256}, {"q4_K", 33, 2304}, {"q6_K", 17, 256}, {"q6_K", 33, 2304},
};

// Where the fp16 super-scale `d` sits in the first block of each format.
size_t scale_offset(QType q) {
  switch (q) {
    case QType::Q4_0: return offsetof(BlockQ4_0, d);
    case QType::Q8_0: return offsetof(BlockQ8_0, d);
    case QType::Q4_K: return offsetof(BlockQ4_K, d);
    case QType::Q6_K: return offsetof(BlockQ6_K, d);
    default: ADD_FAILURE() << "no scale offset for " << name(q); return 0;
  }
}

TEST(GgufReader, WeightsTailHeader) {
  const GgufFile f = GgufFile::open(kTailPath);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(f.tensors().size(), 8u);
  EXPECT_EQ(f.source(), kTailPath);

  const GgufValue* name = f.find_metadata("general.name");
  ASSERT_NE(name, nullptr);
  ASSERT_NE(name->as_string(), nullptr);
  EXPECT_EQ(*name->as_string(), "amxlab-ggml-ref");
  const GgufValue* seed = f.find_metadata("amxlab.ref.seed");
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(seed->as_uint(), 20250611u);
  EXPECT_EQ(f.find_metadata("general.alignment"), nullptr);  // the default applies
}

TEST(GgufReader, WeightsTailTensors) {
  const GgufFile f = GgufFile::open(kTailPath);
  const Bytes file = read_file(kTailPath);
  ASSERT_EQ(f.bytes().size(), file.size());

  for (const TailCase& c : kTailCases) {
    const std::string tname =
        "w." + std::string(c.type) + ".n" + std::to_string(c.n) + "k" + std::to_string(c.k);
    SCOPED_TRACE(tname);
    const GgufTensorInfo& t = f.tensor(tname);
    const std::optional<QType> parsed = parse_qtype(c.type);
    if (!parsed) {
      ADD_FAILURE() << "unknown type " << c.type;
      return;
    }
    const QType q = *parsed;
    const QTypeTraits& tr = traits(q);

    EXPECT_EQ(t.name, tname);
    EXPECT_EQ(t.type_name, c.type);
    EXPECT_EQ(t.ggml_type, static_cast<uint32_t>(tr.ggml_id));
    ASSERT_TRUE(t.qtype.has_value());
    if (t.qtype) {
      EXPECT_EQ(*t.qtype, q);
    }
    EXPECT_EQ(t.dims, (std::vector<int64_t>{c.k, c.n}));
    EXPECT_EQ(t.row_length(), c.k);
    EXPECT_EQ(t.rows(), c.n);
    EXPECT_EQ(t.ne(2), 1);
    EXPECT_EQ(t.n_elements, c.n * c.k);
    const uint64_t expected_bytes =
        static_cast<uint64_t>(c.n) * static_cast<uint64_t>(c.k / tr.block_elems) * tr.block_bytes;
    EXPECT_EQ(t.n_bytes, expected_bytes);
    EXPECT_EQ(t.n_bytes, static_cast<uint64_t>(c.n) * row_bytes(q, c.k));

    EXPECT_EQ(t.offset % 32, 0u);
    EXPECT_EQ(t.file_offset % 32, 0u);
    EXPECT_EQ(t.file_offset, f.data_offset() + t.offset);
    EXPECT_LE(t.file_offset + t.n_bytes, file.size());

    // The span is the file's bytes at data_start + offset, read independently.
    ASSERT_EQ(t.data.size(), t.n_bytes);
    EXPECT_TRUE(
        std::equal(t.data.begin(), t.data.end(), file.begin() + static_cast<std::ptrdiff_t>(t.file_offset)));

    uint16_t d_bits = 0;
    std::memcpy(&d_bits, t.data.data() + scale_offset(q), sizeof d_bits);
    EXPECT_TRUE(std::isfinite(fp16_to_f32(d_bits))) << "first block scale bits " << d_bits;
  }
}

TEST(GgufReader, TensorLookup) {
  const GgufFile f = GgufFile::open(kTailPath);
  EXPECT_EQ(f.find("w.q4_0.n17k256"), &f.tensors()[0]);
  EXPECT_EQ(f.find("nope"), nullptr);
  const std::string msg = error_of([&] { (void)f.tensor("nope"); });
  EXPECT_NE(msg.find("no tensor named 'nope'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("w.q6_K.n33k2304"), std::string::npos) << msg;  // lists what exists
}

TEST(GgufReader, MoveKeepsSpansValid) {
  GgufFile f = GgufFile::open(kTailPath);
  const std::span<const std::byte> before = f.tensors()[3].data;
  GgufFile g = std::move(f);
  EXPECT_EQ(g.tensors()[3].data.data(), before.data());
  const Bytes file = read_file(kTailPath);
  EXPECT_TRUE(std::equal(before.begin(), before.end(),
                         file.begin() + static_cast<std::ptrdiff_t>(g.tensors()[3].file_offset)));
}

TEST(GgufReader, OpenErrorsNameThePath) {
  const std::string msg = error_of([] { (void)GgufFile::open("/nonexistent/model.gguf"); });
  EXPECT_NE(msg.find("/nonexistent/model.gguf"), std::string::npos) << msg;
  const std::string dir = error_of([] { (void)GgufFile::open(AMXLAB_TEST_DATA_DIR); });
  EXPECT_NE(dir.find("not a regular file"), std::string::npos) << dir;
}

// Every prefix through the tensor infos, and a sample beyond, must be rejected.
TEST(GgufReader, TruncatedWeightsTail) {
  const Bytes file = read_file(kTailPath);
  const GgufFile full = GgufFile::parse(file, "tail.gguf");
  uint64_t data_end = 0;
  for (const auto& t : full.tensors()) data_end = std::max(data_end, t.file_offset + t.n_bytes);

  std::vector<size_t> lengths;
  for (size_t n = 0; n <= full.data_offset(); ++n) lengths.push_back(n);
  for (size_t n = full.data_offset() + 1; n < data_end; n += 997) lengths.push_back(n);
  lengths.push_back(data_end - 1);

  for (const size_t n : lengths) {
    const Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
    const std::string msg = parse_error(prefix, "tail.gguf");
    ASSERT_EQ(msg.rfind("tail.gguf: ", 0), 0u) << "length " << n << ": " << msg;
    ASSERT_TRUE(msg.find("truncated") != std::string::npos ||
                msg.find("past end of file") != std::string::npos)
        << "length " << n << ": " << msg;
  }
  // The file may end right after the last tensor (what follows is padding).
  const Bytes exact(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(data_end));
  EXPECT_EQ(GgufFile::parse(exact).tensors().size(), 8u);
}

// Positions of the fields of the first tensor info, found from its name.
struct InfoFields {
  size_t name_len, n_dims, dim0, type, offset;
};
InfoFields locate_tensor(const Bytes& file, std::string_view name, size_t n_dims) {
  const auto* p = reinterpret_cast<const std::byte*>(name.data());
  const auto it = std::search(file.begin(), file.end(), p, p + name.size());
  EXPECT_NE(it, file.end());
  const auto name_pos = static_cast<size_t>(it - file.begin());
  InfoFields f{};
  f.name_len = name_pos - 8;
  f.n_dims = name_pos + name.size();
  f.dim0 = f.n_dims + 4;
  f.type = f.dim0 + 8 * n_dims;
  f.offset = f.type + 4;
  return f;
}

TEST(GgufReader, CorruptedWeightsTail) {
  const Bytes file = read_file(kTailPath);
  const InfoFields t0 = locate_tensor(file, "w.q4_0.n17k256", 2);
  const InfoFields t1 = locate_tensor(file, "w.q4_0.n33k2304", 2);
  const size_t kv0_type = 24 + 8 + std::string_view("general.name").size();

  struct Case {
    const char* what;
    std::function<void(Bytes&)> corrupt;
    std::vector<const char*> phrases;
  };
  const std::vector<Case> cases = {
      {"magic", [](Bytes& b) { b[0] = std::byte{'X'}; }, {"at byte 0", "bad magic"}},
      {"version 1", [](Bytes& b) { poke<uint32_t>(b, 4, 1); }, {"at byte 4", "version 1"}},
      {"version 7", [](Bytes& b) { poke<uint32_t>(b, 4, 7); }, {"unsupported GGUF version 7"}},
      {"big-endian", [](Bytes& b) { poke<uint32_t>(b, 4, 0x03000000); }, {"big-endian"}},
      {"tensor count",
       [](Bytes& b) { poke<uint64_t>(b, 8, uint64_t{1} << 62); },
       {"at byte 8", "tensor count 4611686018427387904 cannot fit"}},
      {"tensor count max", [](Bytes& b) { poke<uint64_t>(b, 8, UINT64_MAX); }, {"tensor count"}},
      {"kv count",
       [](Bytes& b) { poke<uint64_t>(b, 16, uint64_t{1} << 62); },
       {"at byte 16", "metadata count"}},
      {"key length",
       [](Bytes& b) { poke<uint64_t>(b, 24, uint64_t{1} << 60); },
       {"at byte 24", "metadata pair 0", "key length 1152921504606846976 exceeds"}},
      {"value type",
       [&](Bytes& b) { poke<uint32_t>(b, kv0_type, 13); },
       {"general.name", "unknown value type 13"}},
      {"tensor name length",
       [&](Bytes& b) { poke<uint64_t>(b, t0.name_len, UINT64_MAX); },
       {"tensor 0", "name length 18446744073709551615 exceeds"}},
      {"n_dims 5",
       [&](Bytes& b) { poke<uint32_t>(b, t0.n_dims, 5); },
       {"tensor 0 ('w.q4_0.n17k256')", "n_dims 5 out of range"}},
      {"n_dims 0", [&](Bytes& b) { poke<uint32_t>(b, t0.n_dims, 0); }, {"n_dims 0 out of range"}},
      {"dim 0", [&](Bytes& b) { poke<uint64_t>(b, t0.dim0, 0); }, {"ne[0] = 0 is invalid"}},
      {"type 4",
       [&](Bytes& b) { poke<uint32_t>(b, t0.type, 4); },
       {"w.q4_0.n17k256", "ggml type 4", "not supported"}},
      {"type 99",
       [&](Bytes& b) { poke<uint32_t>(b, t0.type, 99); },
       {"w.q4_0.n17k256", "unknown ggml type 99"}},
      {"row length",
       [&](Bytes& b) { poke<uint64_t>(b, t0.dim0, 48); },
       {"ne[0] = 48 is not a multiple of the q4_0 block size 32"}},
      {"misaligned",
       [&](Bytes& b) { poke<uint64_t>(b, t1.offset, 2448 + 1); },
       {"w.q4_0.n33k2304", "not a multiple of the alignment 32"}},
      {"past EOF",
       [&](Bytes& b) { poke<uint64_t>(b, t1.offset, uint64_t{1} << 40); },
       {"w.q4_0.n33k2304", "past end of file"}},
      {"offset overflow",
       [&](Bytes& b) { poke<uint64_t>(b, t1.offset, UINT64_MAX - 31); },
       {"past end of file"}},
      {"overlap", [&](Bytes& b) { poke<uint64_t>(b, t1.offset, 0); }, {"overlaps tensor"}},
      {"grown type overlaps", [&](Bytes& b) { poke<uint32_t>(b, t0.type, 0); }, {"overlaps"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Bytes b = file;
    c.corrupt(b);
    const std::string msg = parse_error(b, "tail.gguf");
    EXPECT_EQ(msg.rfind("tail.gguf: ", 0), 0u) << msg;
    for (const char* phrase : c.phrases) {
      EXPECT_NE(msg.find(phrase), std::string::npos) << "missing '" << phrase << "' in: " << msg;
    }
  }
}

// Every single-byte change in the header area either parses or throws amxlab::Error.
TEST(GgufReader, ByteFlipsInHeaderNeverCrash) {
  const Bytes file = read_file(kTailPath);
  const size_t header_end = GgufFile::parse(file).data_offset();
  // Keep each candidate short so a mutated size does not make the test slow.
  Bytes b(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(header_end + 4096));
  for (size_t pos = 0; pos < header_end; ++pos) {
    for (const int mask : {0x01, 0x80, 0xff}) {
      b[pos] ^= static_cast<std::byte>(mask);
      try {
        (void)GgufFile::parse(b);
      } catch (const Error&) {  // NOLINT(bugprone-empty-catch): a clear error is the expected outcome
      } catch (const std::exception& e) {
        FAIL() << "byte " << pos << " ^ " << mask << ": non-Error exception " << e.what();
      }
      b[pos] ^= static_cast<std::byte>(mask);
    }
  }
}

// ---------------------------------------------------------------------------------
// Synthetic files.

TEST(GgufReader, EveryValueType) {
  FileSpec s = two_f32_tensors();
  s.kvs.push_back(kv_raw("u8", 0, [](Writer& w) { w.put<uint8_t>(200); }));
  s.kvs.push_back(kv_raw("i8", 1, [](Writer& w) { w.put<int8_t>(-5); }));
  s.kvs.push_back(kv_raw("u16", 2, [](Writer& w) { w.put<uint16_t>(65000); }));
  s.kvs.push_back(kv_raw("i16", 3, [](Writer& w) { w.put<int16_t>(-300); }));
  s.kvs.push_back(kv_u32("u32", 4000000000u));
  s.kvs.push_back(kv_raw("i32", 5, [](Writer& w) { w.put<int32_t>(-70000); }));
  s.kvs.push_back(kv_raw("f32", 6, [](Writer& w) { w.put<float>(1.5f); }));
  s.kvs.push_back(kv_raw("bool", 7, [](Writer& w) { w.put<uint8_t>(1); }));
  s.kvs.push_back(kv_raw("str", 8, [](Writer& w) { w.str("hello"); }));
  s.kvs.push_back(kv_raw("u64", 10, [](Writer& w) { w.put<uint64_t>(uint64_t{1} << 40); }));
  s.kvs.push_back(kv_raw("i64", 11, [](Writer& w) { w.put<int64_t>(-(int64_t{1} << 40)); }));
  s.kvs.push_back(kv_raw("f64", 12, [](Writer& w) { w.put<double>(0.25); }));
  s.kvs.push_back(
      kv_raw("strs", 9, [](Writer& w) { w.put<uint32_t>(8).put<uint64_t>(3).str("a").str("").str("ccc"); }));
  s.kvs.push_back(kv_raw("nested", 9, [](Writer& w) {  // [[1, 2], []] of u32
    w.put<uint32_t>(9).put<uint64_t>(2);
    w.put<uint32_t>(4).put<uint64_t>(2).put<uint32_t>(1).put<uint32_t>(2);
    w.put<uint32_t>(4).put<uint64_t>(0);
  }));
  const Bytes bytes = build(s);
  const GgufFile f = GgufFile::parse(bytes);

  ASSERT_EQ(f.metadata().size(), 15u);
  EXPECT_EQ(*f.find_metadata("u8")->get_if<uint8_t>(), 200);
  EXPECT_EQ(*f.find_metadata("i8")->get_if<int8_t>(), -5);
  EXPECT_EQ(*f.find_metadata("u16")->get_if<uint16_t>(), 65000);
  EXPECT_EQ(*f.find_metadata("i16")->get_if<int16_t>(), -300);
  EXPECT_EQ(*f.find_metadata("u32")->get_if<uint32_t>(), 4000000000u);
  EXPECT_EQ(*f.find_metadata("i32")->get_if<int32_t>(), -70000);
  EXPECT_EQ(*f.find_metadata("f32")->get_if<float>(), 1.5f);
  EXPECT_EQ(*f.find_metadata("bool")->get_if<bool>(), true);
  EXPECT_EQ(*f.find_metadata("str")->as_string(), "hello");
  EXPECT_EQ(*f.find_metadata("u64")->get_if<uint64_t>(), uint64_t{1} << 40);
  EXPECT_EQ(*f.find_metadata("i64")->get_if<int64_t>(), -(int64_t{1} << 40));
  EXPECT_EQ(*f.find_metadata("f64")->get_if<double>(), 0.25);
  EXPECT_EQ(f.find_metadata("i64")->as_uint(), std::nullopt);
  EXPECT_EQ(f.find_metadata("u16")->as_uint(), 65000u);
  EXPECT_EQ(f.find_metadata("f32")->type(), GgufValueType::F32);

  const GgufArray* strs = f.find_metadata("strs")->as_array();
  ASSERT_NE(strs, nullptr);
  EXPECT_EQ(strs->elem_type, GgufValueType::String);
  ASSERT_EQ(strs->items.size(), 3u);
  EXPECT_EQ(*strs->items[2].as_string(), "ccc");
  EXPECT_EQ(f.find_metadata("strs")->to_string(), R"([3 x string: "a", "", "ccc"])");

  const GgufArray* nested = f.find_metadata("nested")->as_array();
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->elem_type, GgufValueType::Array);
  ASSERT_EQ(nested->items.size(), 2u);
  EXPECT_EQ(*nested->items[0].as_array()->items[1].get_if<uint32_t>(), 2u);
  EXPECT_TRUE(nested->items[1].as_array()->items.empty());
  EXPECT_EQ(f.find_metadata("nested")->to_string(), "[2 x array: [2 x u32: 1, 2], [0 x u32:]]");

  ASSERT_EQ(f.tensors().size(), 2u);
  const GgufTensorInfo& b = f.tensor("b");
  EXPECT_EQ(b.type_name, "f32");
  EXPECT_EQ(b.qtype, QType::F32);
  EXPECT_EQ(b.n_bytes, 32u);
  EXPECT_EQ(b.file_offset, f.data_offset() + 32);
  EXPECT_EQ(b.data.data(), bytes.data() + b.file_offset);  // parse() does not copy
}

TEST(GgufReader, TypesWithoutQTypeAndHigherDims) {
  FileSpec s;
  s.tensors.push_back({"iq2", 16, {256, 3}, 0});         // no QType in the lab
  s.tensors.push_back({"cube", 30, {2, 3, 4, 5}, 256});  // bf16, 4 dims
  const Bytes bytes = build(s);
  const GgufFile f = GgufFile::parse(bytes);
  const GgufTensorInfo& iq2 = f.tensor("iq2");
  EXPECT_EQ(iq2.type_name, "iq2_xxs");
  EXPECT_FALSE(iq2.qtype.has_value());
  EXPECT_EQ(iq2.n_bytes, 3u * 66u);
  const GgufTensorInfo& cube = f.tensor("cube");
  EXPECT_EQ(cube.qtype, QType::BF16);
  EXPECT_EQ(cube.n_elements, 120);
  EXPECT_EQ(cube.rows(), 60);
  EXPECT_EQ(cube.n_bytes, 240u);
}

TEST(GgufReader, Version2AndCustomAlignment) {
  FileSpec s = two_f32_tensors();
  s.version = 2;
  s.kvs.push_back(kv_u32("general.alignment", 64));
  s.tensors[1].offset = 64;
  s.pad_to = 64;
  const Bytes bytes = build(s);
  const GgufFile f = GgufFile::parse(bytes);
  EXPECT_EQ(f.version(), 2u);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);

  s.tensors[1].offset = 32;  // fine for 32, not for 64
  EXPECT_NE(parse_error(build(s)).find("not a multiple of the alignment 64"), std::string::npos);
}

TEST(GgufReader, EmptyFiles) {
  EXPECT_NE(parse_error({}).find("truncated at byte 0 while reading header magic"), std::string::npos);
  const Bytes bytes = build(FileSpec{});  // no tensors, no metadata
  const GgufFile f = GgufFile::parse(bytes);
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_TRUE(f.metadata().empty());
}

TEST(GgufReader, SyntheticErrors) {
  struct Case {
    const char* what;
    std::function<void(FileSpec&)> change;
    const char* phrase;
  };
  const std::vector<Case> cases = {
      {"alignment 0", [](FileSpec& s) { s.kvs.push_back(kv_u32("general.alignment", 0)); },
       "general.alignment = 0 is not a power of two"},
      {"alignment 3", [](FileSpec& s) { s.kvs.push_back(kv_u32("general.alignment", 3)); },
       "general.alignment = 3 is not a power of two"},
      {"alignment u64",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("general.alignment", 10, [](Writer& w) { w.put<uint64_t>(32); }));
       },
       "general.alignment has type u64, expected u32"},
      {"duplicate tensor", [](FileSpec& s) { s.tensors[1].name = "a"; },
       "duplicate tensor name (first at tensor 0)"},
      {"duplicate key", [](FileSpec& s) { s.kvs.push_back(s.kvs[0]); },
       "duplicate metadata key (first at pair 0)"},
      {"bool", [](FileSpec& s) { s.kvs.push_back(kv_raw("flag", 7, [](Writer& w) { w.put<uint8_t>(2); })); },
       "invalid bool byte 0x02"},
      {"array item type",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("arr", 9, [](Writer& w) { w.put<uint32_t>(13).put<uint64_t>(0); }));
       },
       "unknown array item type 13"},
      {"array count",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("arr", 9, [](Writer& w) { w.put<uint32_t>(0).put<uint64_t>(1000000); }));
       },
       "array count 1000000 of u8 items cannot fit"},
      {"array of strings count",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("arr", 9, [](Writer& w) { w.put<uint32_t>(8).put<uint64_t>(UINT64_MAX); }));
       },
       "array count 18446744073709551615 of string items cannot fit"},
      {"deep nesting",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("deep", 9, [](Writer& w) {
           for (int i = 0; i < 40; ++i) w.put<uint32_t>(9).put<uint64_t>(1);
           w.put<uint32_t>(0).put<uint64_t>(0);
         }));
       },
       "arrays nested deeper than 16 levels"},
      {"string value length",
       [](FileSpec& s) {
         s.kvs.push_back(kv_raw("s", 8, [](Writer& w) { w.put<uint64_t>(uint64_t{1} << 63); }));
       },
       "string value length 9223372036854775808 exceeds"},
      {"element overflow", [](FileSpec& s) { s.tensors[0].dims = {uint64_t{1} << 32, uint64_t{1} << 32}; },
       "element count (product of the dimensions) overflows"},
      {"byte overflow", [](FileSpec& s) { s.tensors[0].dims = {uint64_t{1} << 31, uint64_t{1} << 31}; },
       "byte size overflows"},
      {"dim too large", [](FileSpec& s) { s.tensors[0].dims = {uint64_t{1} << 63}; },
       "ne[0] = 9223372036854775808 is invalid"},
      {"q4_0 row", [](FileSpec& s) { s.tensors[0] = {"q", 2, {16, 1}, 0}; },
       "ne[0] = 16 is not a multiple of the q4_0 block size 32"},
      {"type 5", [](FileSpec& s) { s.tensors[1].type = 5; }, "tensor 1 ('b')"},
      {"no padding", [](FileSpec& s) { s.pad_to = 1; }, "past end of file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    FileSpec s = two_f32_tensors();
    c.change(s);
    // build() writes only the bytes the spec's tensors cover, so a bad spec may also
    // leave the data short; the check names the first problem found.
    const std::string msg = parse_error(build(s));
    EXPECT_NE(msg.find(c.phrase), std::string::npos) << "missing '" << c.phrase << "' in: " << msg;
  }
}

// Tensor names and string values come from the file: every message and rendering shows
// them escaped, never raw (an ESC would drive the terminal; 0xff is not text).
TEST(GgufReader, NamesFromTheFileArePrintedEscaped) {
  FileSpec s = two_f32_tensors();
  s.tensors[0].name = "red\x1b[31mname";
  s.tensors[1].name = "bad\xff\\x1b";  // 0xff, then the text \x1b (a backslash shows as \\)
  s.kvs.push_back(kv_raw("general.bell", 8, [](Writer& w) { w.str("ring\x07"); }));
  const Bytes bytes = build(s);
  const GgufFile f = GgufFile::parse(bytes, "names.gguf");
  const std::string msg = error_of([&] { (void)f.tensor("missing\x1b]0;title\x07"); });
  EXPECT_NE(msg.find("no tensor named 'missing\\x1b]0;title\\x07'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("red\\x1b[31mname"), std::string::npos) << msg;
  EXPECT_NE(msg.find("bad\\xff\\\\x1b"), std::string::npos) << msg;
  EXPECT_EQ(amxlab::testing::raw_byte_in(msg), "") << msg;
  EXPECT_EQ(f.find_metadata("general.bell")->to_string(), "\"ring\\x07\"");
}

TEST(GgufReader, GgmlTypeTable) {
  EXPECT_EQ(ggml_type_info(4), nullptr);
  EXPECT_EQ(ggml_type_info(5), nullptr);
  EXPECT_EQ(ggml_type_info(31), nullptr);
  size_t count = 0;
  for (uint32_t id = 0; id < 31; ++id) {
    const GgmlTypeInfo* t = ggml_type_info(id);
    if (t == nullptr) continue;
    ++count;
    EXPECT_EQ(t->id, id);
    // Where the lab has a QType, both tables must agree on the geometry (not always
    // on the name: ggml's "i8" is the lab's "s8").
    if (const auto q = qtype_from_ggml_id(static_cast<int>(id))) {
      if (traits(*q).block_quantized) {
        EXPECT_EQ(std::string_view(traits(*q).name), t->name);
      }
      EXPECT_EQ(static_cast<uint64_t>(traits(*q).block_elems), t->block_elems);
      EXPECT_EQ(traits(*q).block_bytes, t->block_bytes);
    }
  }
  EXPECT_EQ(count, 29u);
}

}  // namespace
}  // namespace amxlab::io
