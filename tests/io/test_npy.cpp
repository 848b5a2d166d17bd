// .npy reader and writer: round trips, the ggml test vectors, and malformed files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "harness/io/npy.h"
#include "kernels/core/error.h"
#include "tests/test_util.h"

namespace amxlab::io {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::byte>;

const std::string kDataDir = std::string(AMXLAB_TEST_DATA_DIR) + "/ggml/";

using amxlab::testing::error_of;

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  const std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

// An .npy image with a hand-written header dict (v1.0 unless told otherwise).
Bytes make_npy(const std::string& dict, size_t data_bytes, int major = 1) {
  std::string h = "\x93NUMPY";
  h += static_cast<char>(major);
  h += '\0';
  const size_t preamble = major == 1 ? 10 : 12;
  std::string body = dict;
  while ((preamble + body.size() + 1) % 64 != 0) body += ' ';
  body += '\n';
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) {
    h += static_cast<char>((body.size() >> (8 * i)) & 0xff);
  }
  h += body;
  Bytes out(h.size() + data_bytes, std::byte{0});
  std::memcpy(out.data(), h.data(), h.size());
  for (size_t i = 0; i < data_bytes; ++i) out[h.size() + i] = static_cast<std::byte>(i);
  return out;
}

std::string parse_error(const Bytes& b) {
  return error_of([&] { (void)parse_npy(b, "x.npy"); });
}

// A fresh directory per test, removed afterwards.
class NpyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("amxlab_npy_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  size_t files_in_dir() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

template <class T>
void round_trip(const std::string& path, const std::vector<int64_t>& shape) {
  size_t n = 1;
  for (const int64_t d : shape) n *= static_cast<size_t>(d);
  std::vector<T> values(n);
  for (size_t i = 0; i < n; ++i) values[i] = static_cast<T>(static_cast<int>(i % 200) - 100);
  write_npy(path, npy_dtype_of<T>(), shape, values.data(), values.size() * sizeof(T));

  const Bytes raw = read_file(path);
  ASSERT_GE(raw.size(), 64u);
  EXPECT_EQ(std::memcmp(raw.data(), "\x93NUMPY\x01\x00", 8), 0);
  EXPECT_EQ((raw.size() - values.size() * sizeof(T)) % 64, 0u);  // data starts 64-aligned

  const NpyArray a = read_npy(path);
  EXPECT_EQ(a.dtype, npy_dtype_of<T>());
  EXPECT_EQ(a.shape, shape);
  EXPECT_EQ(a.element_count(), n);
  const auto got = a.as<T>();
  ASSERT_EQ(got.size(), n);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), values.begin()));
}

TEST_F(NpyFiles, RoundTripAllDtypesAndShapes) {
  const std::vector<std::vector<int64_t>> shapes = {{}, {3}, {2, 3, 4}, {1, 2, 1, 5}, {0, 4}};
  int i = 0;
  for (const auto& shape : shapes) {
    SCOPED_TRACE(::testing::PrintToString(shape));
    round_trip<float>(path("f" + std::to_string(i) + ".npy"), shape);
    round_trip<int8_t>(path("b" + std::to_string(i) + ".npy"), shape);
    round_trip<int32_t>(path("i" + std::to_string(i) + ".npy"), shape);
    ++i;
  }
  EXPECT_EQ(files_in_dir(), 3 * shapes.size());  // no temporary files left behind
}

TEST_F(NpyFiles, HeaderTextMatchesNumpy) {
  const std::vector<int64_t> shape = {3};
  const std::vector<float> v = {1, 2, 3};
  write_npy_f32(path("a.npy"), shape, v);
  const Bytes raw = read_file(path("a.npy"));
  ASSERT_EQ(raw.size(), 128u + 12u);         // the header is padded to 64 bytes
  EXPECT_EQ(static_cast<int>(raw[8]), 118);  // header length, little-endian u16
  EXPECT_EQ(static_cast<int>(raw[9]), 0);
  const std::string header(reinterpret_cast<const char*>(raw.data()) + 10, 118);
  EXPECT_EQ(header.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }   "), 0u) << header;
  EXPECT_EQ(header.back(), '\n');
}

TEST_F(NpyFiles, OverwriteReplacesFile) {
  const std::vector<int64_t> s3 = {3}, s1 = {1};
  const std::vector<int32_t> a = {1, 2, 3}, b = {9};
  write_npy_i32(path("x.npy"), s3, a);
  write_npy_i32(path("x.npy"), s1, b);
  const NpyArray r = read_npy(path("x.npy"));
  EXPECT_EQ(r.shape, s1);
  EXPECT_EQ(r.as<int32_t>()[0], 9);
  EXPECT_EQ(files_in_dir(), 1u);
}

TEST_F(NpyFiles, WriterErrors) {
  const std::vector<int64_t> shape = {2, 2};
  const std::vector<int8_t> three = {1, 2, 3};
  const std::string size = error_of([&] { write_npy_i8(path("s.npy"), shape, three); });
  EXPECT_NE(size.find("needs 4 bytes, 3 given"), std::string::npos) << size;

  const std::vector<int64_t> negative = {-1};
  const std::string neg = error_of([&] { write_npy(path("n.npy"), NpyDtype::I8, negative, nullptr, 0); });
  EXPECT_NE(neg.find("invalid shape"), std::string::npos) << neg;

  const std::vector<int8_t> four = {1, 2, 3, 4};
  const std::string missing = path("no/such/dir/m.npy");
  const std::string dir = error_of([&] { write_npy_i8(missing, shape, four); });
  EXPECT_NE(dir.find(missing), std::string::npos) << dir;
  EXPECT_EQ(files_in_dir(), 0u);
}

TEST(Npy, ReadsGgmlActivations) {
  const NpyArray a = read_npy(kDataDir + "act.m7k256.npy");
  EXPECT_EQ(a.dtype, NpyDtype::F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{7, 256}));
  const auto v = a.as<float>();
  ASSERT_EQ(v.size(), 7u * 256u);
  for (const float x : v) ASSERT_TRUE(std::isfinite(x));
  // Row 2 of the M=7 files is all zeros (tests/data/ggml/README.md).
  for (size_t i = 2 * 256; i < 3 * 256; ++i) ASSERT_EQ(v[i], 0.0f);
  // Row 3 holds a +300 outlier.
  EXPECT_EQ(*std::max_element(v.begin() + 3 * 256, v.begin() + 4 * 256), 300.0f);
}

TEST(Npy, ReadsGgmlOutput) {
  const NpyArray a = read_npy(kDataDir + "out.w.q8_0.n17k256.m7.npy");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{7, 17}));
  const auto v = a.as<float>();
  ASSERT_EQ(v.size(), 7u * 17u);
  for (const float x : v) ASSERT_TRUE(std::isfinite(x));
  const std::string msg = error_of([&] { (void)a.as<int32_t>(); });
  EXPECT_NE(msg.find("holds <f4, requested as <i4"), std::string::npos) << msg;
}

TEST(Npy, ReadsVersion2And3Headers) {
  for (const int major : {2, 3}) {
    const Bytes b = make_npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", 8, major);
    const NpyArray a = parse_npy(b);
    EXPECT_EQ(a.dtype, NpyDtype::I32);
    EXPECT_EQ(a.as<int32_t>()[1], 0x07060504);
  }
  // Other spellings numpy has used: double quotes, no trailing comma, Python 2 longs.
  const NpyArray old = parse_npy(make_npy("{\"descr\":\"|i1\",\"shape\":(3L,),\"fortran_order\":False}", 3));
  EXPECT_EQ(old.shape, (std::vector<int64_t>{3}));
}

TEST(Npy, Errors) {
  struct Case {
    const char* what;
    Bytes bytes;
    const char* phrase;
  };
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  Bytes bad_magic = make_npy(ok_dict, 24);
  bad_magic[1] = std::byte{'X'};
  Bytes truncated = make_npy(ok_dict, 24);
  truncated.resize(truncated.size() - 1);
  Bytes bad_len = make_npy(ok_dict, 24);
  bad_len[8] = std::byte{0xff};
  bad_len[9] = std::byte{0xff};

  const std::vector<Case> cases = {
      {"fortran", make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24),
       "fortran_order is True"},
      {"f8", make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16),
       "unsupported dtype '<f8'"},
      {"u1", make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", 2),
       "unsupported dtype '|u1'"},
      {"big-endian", make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8),
       "big-endian dtype '>f4'"},
      {"structured", make_npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8),
       "structured dtypes"},
      {"truncated", truncated, "truncated data: shape (2, 3) of <f4 needs 24 bytes, file has 23"},
      {"trailing", make_npy(ok_dict, 25), "1 trailing bytes"},
      {"bad magic", bad_magic, "bad magic"},
      {"empty", Bytes{}, "bad magic"},
      {"header length", bad_len, "truncated .npy header"},
      {"version",
       [] {
         Bytes b = make_npy("{}", 0);
         b[6] = std::byte{4};
         return b;
       }(),
       "format version 4.0"},
      {"missing shape", make_npy("{'descr': '<f4', 'fortran_order': False, }", 0), "missing key 'shape'"},
      {"extra key", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4),
       "unexpected key 'x'"},
      {"duplicate", make_npy("{'descr': '<f4', 'descr': '<f4', }", 0), "duplicate key 'descr'"},
      {"not a dict", make_npy("descr", 0), "expected '{'"},
      {"bad shape", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 0),
       "non-negative integer dimension"},
      {"negative dim", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", 0),
       "non-negative integer dimension"},
      {"huge dims",
       make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0),
       "too large"},
      {"bool", make_npy("{'descr': '<f4', 'fortran_order': 0, 'shape': (), }", 4), "True or False"},
      {"unterminated", make_npy("{'descr': '<f4", 0), "unterminated string"},
      {"trailing text", make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", 4),
       "after the closing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string msg = parse_error(c.bytes);
    EXPECT_EQ(msg.rfind("x.npy: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(c.phrase), std::string::npos) << "missing '" << c.phrase << "' in: " << msg;
  }
}

TEST(Npy, ReadErrorsNameThePath) {
  const std::string msg = error_of([] { (void)read_npy("/nonexistent/a.npy"); });
  EXPECT_NE(msg.find("/nonexistent/a.npy"), std::string::npos) << msg;
  const std::string gguf = kDataDir + "weights_tail.gguf";
  const std::string magic = error_of([&] { (void)read_npy(gguf); });
  EXPECT_NE(magic.find(gguf + ": bad magic"), std::string::npos) << magic;
}

// Every prefix of a real file is rejected, never read past.
TEST(Npy, EveryPrefixOfARealFileIsRejected) {
  const Bytes file = read_file(kDataDir + "out.w.q8_0.n17k256.m7.npy");
  for (size_t n = 0; n < file.size(); ++n) {
    const Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_THROW((void)parse_npy(prefix), Error) << "length " << n;
  }
  EXPECT_NO_THROW((void)parse_npy(file));
}

}  // namespace
}  // namespace amxlab::io
