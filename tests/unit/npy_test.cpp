#include <gtest/gtest.h>

#include "shoal/core/error.hpp"
#include "shoal/core/npy.hpp"
#include "test_util.hpp"

using namespace shoal;

namespace {
void expect_error(const std::string& bytes, const std::string& message) {
  try {
    parse_npy(bytes, "x.npy");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}
}  // namespace

TEST(Npy, WritesNumpysExactBytes) {
  Tensor t = Tensor::from<float>({2, 3}, {0, 1, 2, 3, 4, 5});
  std::string bytes = serialize_npy(t);
  std::string expected =
      test::npy_v1_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  ASSERT_EQ(bytes.size(), 152u);
  EXPECT_EQ(bytes.substr(0, 128), expected);
  EXPECT_EQ(serialize_npy(Tensor::from<int64_t>({2}, {1, -2})).substr(0, 128),
            test::npy_v1_header("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"));
  EXPECT_EQ(serialize_npy(Tensor::from<uint8_t>({}, {0})).substr(0, 128),
            test::npy_v1_header("{'descr': '|u1', 'fortran_order': False, 'shape': (), }"));
}

template <typename T>
void roundtrip(std::vector<T> values) {
  Tensor t = Tensor::from<T>({static_cast<int64_t>(values.size()), 1}, values);
  Tensor back = parse_npy(serialize_npy(t), "t");
  EXPECT_TRUE(back.identical(t)) << elem_type_name(t.type());
}

TEST(Npy, RoundTripsEveryType) {
  roundtrip<float>({1.5f, -2.25f, 3e10f});
  roundtrip<double>({1.5, -2.25, 1e300});
  roundtrip<int8_t>({-128, 0, 127});
  roundtrip<int16_t>({-32768, 5, 32767});
  roundtrip<int32_t>({-7, 0, 2147483647});
  roundtrip<int64_t>({-7, 0, 1LL << 40});
  roundtrip<uint8_t>({0, 200, 255});
  roundtrip<uint16_t>({0, 60000});
  roundtrip<uint32_t>({0, 4000000000u});
  roundtrip<uint64_t>({0, 1ULL << 63});
  Tensor b = Tensor::from({3}, std::vector<bool>{true, false, true});
  EXPECT_TRUE(parse_npy(serialize_npy(b), "b").identical(b));
}

TEST(Npy, ReadsVersion2AndOtherKeyOrders) {
  std::string dict = "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}";
  dict += std::string(64 - (12 + dict.size() + 1) % 64, ' ') + "\n";
  std::string bytes("\x93NUMPY\x02\x00", 8);
  uint32_t len = static_cast<uint32_t>(dict.size());
  bytes.append(reinterpret_cast<const char*>(&len), 4);
  bytes += dict;
  int32_t data[2] = {7, -9};
  bytes.append(reinterpret_cast<const char*>(data), 8);
  Tensor t = parse_npy(bytes, "v2");
  EXPECT_EQ(t.type(), ElemType::Int32);
  EXPECT_EQ(t.shape(), Shape{2});
  EXPECT_EQ(t.get(1), -9);
}

TEST(Npy, RejectsBadFilesWithOneLine) {
  expect_error("", "x.npy: empty file, not an .npy array");
  expect_error("hello world, not numpy", "x.npy: not an .npy file (bad magic)");
  std::string good = serialize_npy(Tensor::from<float>({2, 3}, {0, 1, 2, 3, 4, 5}));
  expect_error(good.substr(0, 140), "x.npy: truncated .npy data (12 of 24 bytes for shape [2, 3])");
  expect_error(good.substr(0, 50), "x.npy: truncated .npy header");
  expect_error(good + "xx", "x.npy: 2 unexpected bytes after the .npy data");
  expect_error(test::npy_v1_header("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }") +
                   std::string(4, '\0'),
               "x.npy: Fortran-order .npy arrays are not supported (C order only)");
  expect_error(test::npy_v1_header("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }") +
                   std::string(4, '\0'),
               "x.npy: big-endian .npy data ('>f4') is not supported");
  expect_error(test::npy_v1_header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }") +
                   std::string(8, '\0'),
               "x.npy: unsupported .npy dtype '<c8'");
}
