#include <gtest/gtest.h>

#include "shoal/core/datatype.hpp"
#include "shoal/core/error.hpp"

using shoal::DataType;

TEST(DataType, TableOfDialectSection1) {
  struct Row {
    const char* name;
    int bits;
    double min, max;
    bool is_signed, is_integer;
  };
  const Row rows[] = {
      {"BINARY", 1, 0, 1, false, true},
      {"BIPOLAR", 1, -1, 1, true, true},
      {"TERNARY", 2, -1, 1, true, true},
      {"UINT2", 2, 0, 3, false, true},
      {"UINT8", 8, 0, 255, false, true},
      {"UINT13", 13, 0, 8191, false, true},
      {"INT2", 2, -2, 1, true, true},
      {"INT8", 8, -128, 127, true, true},
      {"INT32", 32, -2147483648.0, 2147483647.0, true, true},
  };
  for (const auto& r : rows) {
    DataType dt = DataType::from_name(r.name);
    EXPECT_EQ(dt.name(), r.name);
    EXPECT_EQ(dt.bitwidth(), r.bits) << r.name;
    EXPECT_EQ(dt.min(), r.min) << r.name;
    EXPECT_EQ(dt.max(), r.max) << r.name;
    EXPECT_EQ(dt.is_signed(), r.is_signed) << r.name;
    EXPECT_EQ(dt.is_integer(), r.is_integer) << r.name;
  }
  DataType f = DataType::from_name("FLOAT32");
  EXPECT_EQ(f.bitwidth(), 32);
  EXPECT_TRUE(f.is_signed());
  EXPECT_FALSE(f.is_integer());
}

TEST(DataType, Allowed) {
  EXPECT_TRUE(DataType::binary().allowed(0));
  EXPECT_TRUE(DataType::binary().allowed(1));
  EXPECT_FALSE(DataType::binary().allowed(-1));
  EXPECT_TRUE(DataType::bipolar().allowed(-1));
  EXPECT_FALSE(DataType::bipolar().allowed(0));
  EXPECT_TRUE(DataType::ternary().allowed(0));
  EXPECT_FALSE(DataType::ternary().allowed(2));
  EXPECT_TRUE(DataType::uint(2).allowed(3));
  EXPECT_FALSE(DataType::uint(2).allowed(4));
  EXPECT_FALSE(DataType::uint(2).allowed(1.5));
  EXPECT_TRUE(DataType::sint(4).allowed(-8));
  EXPECT_FALSE(DataType::sint(4).allowed(8));
  EXPECT_TRUE(DataType::float32().allowed(1.2345));
}

TEST(DataType, SmallestPossibleFollowsV06EnumOrder) {
  auto name = [](double v) { return DataType::smallest_possible(v)->name(); };
  EXPECT_EQ(name(1), "BINARY");
  EXPECT_EQ(name(0), "BINARY");
  EXPECT_EQ(name(1.1), "FLOAT32");
  EXPECT_EQ(name(-1), "BIPOLAR");
  EXPECT_EQ(name(-2), "INT2");
  EXPECT_EQ(name(-3), "INT3");
  EXPECT_EQ(name(-3.2), "FLOAT32");
  EXPECT_EQ(name(2), "UINT2");
  EXPECT_EQ(name(3), "UINT2");
  EXPECT_EQ(name(255), "UINT8");
  EXPECT_EQ(name(256), "UINT9");
  EXPECT_EQ(name(4294967296.0), "UINT64");  // v0.6 has nothing between 32 and 64 bits
  EXPECT_EQ(name(-2147483649.0), "INT64");
}

TEST(DataType, AccumulatorCandidates) {
  auto c = DataType::accumulator_candidates();
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.front().name(), "BINARY");
  EXPECT_EQ(c[1].name(), "UINT2");
  EXPECT_EQ(c[63].name(), "UINT64");
  EXPECT_EQ(c[64].name(), "BIPOLAR");
  EXPECT_EQ(c[65].name(), "TERNARY");
  EXPECT_EQ(c[66].name(), "INT1");
  EXPECT_EQ(c.back().name(), "INT64");
  DataType int1 = DataType::from_name("INT1");
  EXPECT_EQ(int1.min(), -1);
  EXPECT_EQ(int1.max(), 0);
}

TEST(DataType, FixedPoint) {
  DataType f = DataType::from_name("FIXED<4,2>");
  EXPECT_EQ(f.name(), "FIXED<4,2>");
  EXPECT_EQ(f.scale(), 0.25);
  EXPECT_EQ(f.min(), -2);
  EXPECT_EQ(f.max(), 1.75);
  EXPECT_TRUE(f.allowed(1.5));
  EXPECT_TRUE(f.allowed(-1.5));
  EXPECT_FALSE(f.allowed(1.8));
  EXPECT_FALSE(f.is_integer());
  EXPECT_TRUE(f.is_fixed_point());
}

TEST(DataType, NamesAndErrors) {
  EXPECT_EQ(DataType::from_name("UINT1").name(), "BINARY");
  EXPECT_FALSE(DataType::parse("UINT0"));
  EXPECT_FALSE(DataType::parse("INT65"));
  EXPECT_FALSE(DataType::parse("FLOAT16X"));
  EXPECT_FALSE(DataType::parse("FIXED<4,4>"));
  EXPECT_FALSE(DataType::parse("uint8"));
  try {
    DataType::from_name("INTX");
    FAIL();
  } catch (const shoal::Error& e) {
    EXPECT_STREQ(e.what(), "unknown datatype 'INTX'");
  }
  EXPECT_EQ(DataType::uint(13).with_bitwidth(16).name(), "UINT16");
  EXPECT_EQ(DataType::sint(13).with_bitwidth(16).name(), "INT16");
  EXPECT_EQ(DataType::uint(8).num_possible_values(), 256);
  EXPECT_EQ(DataType::sint(4).num_possible_values(), 16);
  EXPECT_EQ(DataType::bipolar().num_possible_values(), 2);
  EXPECT_EQ(DataType::ternary().num_possible_values(), 3);
}
