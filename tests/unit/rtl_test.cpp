// Bit layouts of the generated hardware against the worked examples of hardware.md §1.2 and
// §2 and hls/README.md: packed words, AXI-Stream beats, weight and threshold memory files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "shoal/core/error.hpp"
#include "shoal/hw/rtlsim.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/rtl.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;
namespace fs = std::filesystem;

namespace {

std::string hex_bytes(const std::string& bytes) {
  std::string s;
  for (unsigned char c : bytes) s += fmt::format("{}{:02x}", s.empty() ? "" : " ", c);
  return s;
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// One beat holding all values, padded to a byte multiple, as driver-order bytes.
std::string driver_bytes(const std::vector<double>& v, const char* dt) {
  DataType t = DataType::from_name(dt);
  int64_t bits = roundup_to_multiple(static_cast<int64_t>(v.size()) * t.bitwidth(), 8);
  return hex_bytes(pack_beats(v, t, static_cast<int64_t>(v.size()), bits));
}

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "shoal-rtl-test-XXXXXX").string();
    if (::mkdtemp(pattern.data())) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace

TEST(PackedWord, FieldsFromTheLsbInHexMsbFirst) {
  PackedWord w(12);
  w.put(0, 4, 0);
  w.put(4, 4, 1);
  w.put(8, 4, 2);
  EXPECT_EQ(w.hex(), "210");
  w.put(8, 4, -2);
  EXPECT_EQ(w.hex(), "e10");
  EXPECT_EQ(w.get(8, 4, true), -2);
  EXPECT_EQ(w.get(8, 4, false), 14);
}

TEST(PackedWord, WordsWiderThan64Bits) {
  PackedWord w(72);
  w.put(60, 8, 0xab);  // straddles the first 64-bit boundary
  w.put(68, 4, 0xf);
  EXPECT_EQ(w.hex(), "fab000000000000000");
  EXPECT_EQ(w.get(60, 8, false), 0xab);
  EXPECT_EQ(w.get(60, 8, true), static_cast<int64_t>(0xab) - 256);
  PackedWord back = PackedWord::from_bytes(w.bytes(), 72);
  EXPECT_EQ(back.hex(), w.hex());
  EXPECT_EQ(w.bytes().size(), 9u);
}

TEST(PackedWord, BitsForRanges) {
  EXPECT_EQ(signed_bits_for(-8, 7), 4);
  EXPECT_EQ(signed_bits_for(-9, 7), 5);
  EXPECT_EQ(signed_bits_for(0, 8), 5);
  EXPECT_EQ(unsigned_bits_for(8), 4);
  EXPECT_EQ(unsigned_bits_for(7), 3);
}

// hardware.md §2, the "driver" column: the TDATA value as little-endian bytes.
TEST(PackBeats, OneBeatTable) {
  EXPECT_EQ(driver_bytes({1, 7, 2, 5}, "UINT4"), "71 52");
  EXPECT_EQ(driver_bytes({-1, 2, -8, 7}, "INT4"), "2f 78");
  EXPECT_EQ(driver_bytes({1, -1, 1, -1}, "INT2"), "dd");
  EXPECT_EQ(driver_bytes({-1, 0, 1, 1}, "TERNARY"), "53");
  EXPECT_EQ(driver_bytes({-1, 1, 1, -1, -1, -1, 1, 1}, "BIPOLAR"), "c6");
  EXPECT_EQ(driver_bytes({-1, 1, 1, -1, 1}, "BIPOLAR"), "16");
  EXPECT_EQ(driver_bytes({1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1}, "BINARY"), "01 83");
  EXPECT_EQ(driver_bytes({1, 2, 3}, "UINT3"), "d1 00");
  EXPECT_EQ(driver_bytes({7, 7, 7}, "UINT3"), "ff 01");
  EXPECT_EQ(driver_bytes({-1, 0, -4}, "INT3"), "07 01");
  EXPECT_EQ(driver_bytes({1, 2, 3, 200}, "UINT8"), "01 02 03 c8");
  EXPECT_EQ(driver_bytes({-1, -128, 127, 5}, "INT8"), "ff 80 7f 05");
  EXPECT_EQ(driver_bytes({-2, 300}, "INT16"), "fe ff 2c 01");
  EXPECT_EQ(driver_bytes({-4, 0, -4, -4}, "INT32"),
            "fc ff ff ff 00 00 00 00 fc ff ff ff fc ff ff ff");
}

TEST(PackBeats, MultiBeatRowMajor) {
  DataType u4 = DataType::from_name("UINT4"), u2 = DataType::from_name("UINT2");
  EXPECT_EQ(hex_bytes(pack_beats({1, 2, 3, 4, 5, 6}, u4, 3, 16)), "21 03 54 06");
  EXPECT_EQ(hex_bytes(pack_beats({1, 2, 3, 0, 1, 2, 3, 3, 3, 2, 1, 0}, u2, 3, 8)), "39 24 3f 06");
  EXPECT_EQ(hex_bytes(pack_beats({1, 7, 2, 5, 2, 5, 1, 7}, u4, 4, 16)), "71 52 52 71");
}

TEST(PackBeats, UnpackInvertsPackAndIgnoresPadding) {
  DataType i3 = DataType::from_name("INT3");
  std::vector<double> v = {-4, 3, 0, -1, 2, -2};
  std::string bytes = pack_beats(v, i3, 3, 16);
  EXPECT_EQ(unpack_beats(bytes, i3, 3, 16, 6), v);
  // Padding bits above the last field are not part of any value (UINT3 x3 in 16 bits).
  DataType u3 = DataType::from_name("UINT3");
  EXPECT_EQ(unpack_beats(std::string("\xd1\xfe", 2), u3, 3, 16, 3), (std::vector<double>{1, 2, 3}));
}

TEST(PackBeats, ValuesTheDatatypeDoesNotAllowAreErrors) {
  DataType u4 = DataType::from_name("UINT4");
  EXPECT_THROW(pack_beats({16}, u4, 1, 8), Error);
  EXPECT_THROW(pack_beats({0.5}, u4, 1, 8), Error);
  EXPECT_THROW(encode_element(0, DataType::bipolar()), Error);
  EXPECT_EQ(encode_element(-1, DataType::bipolar()), 0);
  EXPECT_EQ(decode_element(0, DataType::bipolar()), -1);
  EXPECT_EQ(decode_element(0xf, DataType::from_name("INT4")), -1);
}

// hls/README.md: the §1.4 thresholding example and the §1.2 MVAU example, T_BITS 8.
TEST(ThresholdMemory, ReadmeExamples) {
  Tensor t(ElemType::Float, {6, 3});
  for (int64_t c = 0; c < 6; ++c)
    for (int64_t k = 0; k < 3; ++k) t.set(c * 3 + k, 10 * c + k + 1);
  ThresholdMatrix m = hw_thresholds(t, 6, "test");
  EXPECT_EQ(threshold_memory_file(m, 2, 8).substr(0, 13), "0d0c0b030201\n");

  Tensor rows = floats({4, 3}, {-9, 8, 9, -16, -6, 3, 3, 10, 12, -11, -7, 2});
  EXPECT_EQ(threshold_memory_file(hw_thresholds(rows, 4, "test"), 2, 8),
            "03faf00908f7\n02f9f50c0a03\n");
}

// hls/README.md, search threshold files: the §1.4 example (C 6, PE 2, 3 steps) in m = 2
// stages, the middle threshold in stage 0, T[c][0] and T[c][2] in stage 1.
TEST(ThresholdSearchFiles, ReadmeExample) {
  Tensor t(ElemType::Float, {6, 3});
  for (int64_t c = 0; c < 6; ++c)
    for (int64_t k = 0; k < 3; ++k) t.set(c * 3 + k, 10 * c + k + 1);
  auto files = threshold_search_files(hw_thresholds(t, 6, "test"), 2, 8, "t");
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0], (std::pair<std::string, std::string>{"t_s0_p000.dat", "02\n16\n2a\n"}));
  EXPECT_EQ(files[1], (std::pair<std::string, std::string>{"t_s0_p001.dat", "0c\n20\n34\n"}));
  EXPECT_EQ(files[2].first, "t_s1_p000.dat");
  EXPECT_EQ(files[2].second, "01\n03\n15\n17\n29\n2b\n");
  EXPECT_EQ(files[3],
            (std::pair<std::string, std::string>{"t_s1_p001.dat", "0b\n0d\n1f\n21\n33\n35\n"}));
}

// Every index of a padded tree: 4 thresholds in 3 stages (7 slots, 3 of them padding),
// negative values in two's complement; the search over the files gives the count.
TEST(ThresholdSearchFiles, PaddingAndTheSearchItDescribes) {
  EXPECT_EQ(search_stages(1), 1);
  EXPECT_EQ(search_stages(3), 2);
  EXPECT_EQ(search_stages(4), 3);
  EXPECT_EQ(search_stages(63), 6);
  EXPECT_EQ(search_stages(64), 7);
  ThresholdMatrix m;
  m.channels = 1;
  m.steps = 4;
  m.values = {-3, 1, 2, 5};
  auto files = threshold_search_files(m, 1, 4, "b");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].second, "5\n");           // slot 3: T[3]
  EXPECT_EQ(files[1].second, "1\n0\n");        // slots 1, 5: T[1], padding
  EXPECT_EQ(files[2].second, "d\n2\n0\n0\n");  // slots 0, 2, 4, 6: T[0], T[2], padding
  // the hardware's search over these words, against the count
  std::vector<std::vector<int64_t>> stage(3);
  for (int j = 0; j < 3; ++j) {
    std::istringstream in(files[static_cast<std::size_t>(j)].second);
    std::string line;
    while (in >> line)
      stage[static_cast<std::size_t>(j)].push_back(PackedWord::from_hex(line, 4).get(0, 4, true));
  }
  for (int64_t acc = -8; acc < 8; ++acc) {
    int64_t count = 0;
    for (int j = 0; j < 3; ++j) {
      int64_t half = int64_t{1} << (2 - j);
      int64_t probe = count + half - 1;
      int64_t t = stage[static_cast<std::size_t>(j)][static_cast<std::size_t>(count >> (3 - j))];
      if (probe < m.steps && acc >= t) count += half;
    }
    int64_t want = 0;
    for (int64_t v : m.values) want += acc >= v;
    EXPECT_EQ(count, want) << "acc " << acc;
  }
}

TEST(ThresholdSearchFiles, AscendingCheckNamesTheChannel) {
  ThresholdMatrix m;
  m.channels = 2;
  m.steps = 3;
  m.values = {1, 2, 2, 4, 3, 5};
  try {
    check_ascending(m, "node 'x' (Thresholding_Batch)");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "node 'x' (Thresholding_Batch): the thresholds of channel 1 are not ascending "
                 "(threshold 0 is 4, threshold 1 is 3); the search form needs them sorted");
  }
  m.values = {1, 2, 2, 3, 3, 5};
  EXPECT_NO_THROW(check_ascending(m, "x"));
  EXPECT_EQ(parse_threshold_impl("search"), ThresholdImpl::Search);
  EXPECT_THROW(parse_threshold_impl("fast"), Error);
  EXPECT_EQ(PackedWord::from_hex("0fe210", 24).hex(), "0fe210");
  EXPECT_THROW(PackedWord::from_hex("0x12", 16), Error);
}

TEST(ThresholdMemory, FractionalThresholdsRoundUpAndOneRowBroadcasts) {
  Tensor row = floats({1, 2}, {-1.5f, 2.25f});
  ThresholdMatrix m = hw_thresholds(row, 3, "test");
  EXPECT_EQ(m.channels, 3);
  EXPECT_EQ(m.values, (std::vector<int64_t>{-1, 3, -1, 3, -1, 3}));
  EXPECT_THROW(hw_thresholds(floats({2, 2}, {0, 1, 2, 3}), 3, "test"), Error);
}

// hardware.md §1.2 worked example: MW 6, MH 4, SIMD 3, PE 2, INT4 weights W[k][n] = k - 2n.
TEST(MvauRtl, WeightFileOfTheWorkedExample) {
  auto n = make_node("StreamingFCLayer_Batch", {"x", "w"}, {"y"}, kDataflowDomain, "fc");
  set_attr(n, "backend", "fpgadataflow");
  for (auto [k, v] : {std::pair{"MW", 6}, {"MH", 4}, {"SIMD", 3}, {"PE", 2}, {"noActivation", 1}})
    set_attr(n, k, int64_t{v});
  set_attr(n, "inputDataType", "UINT4");
  set_attr(n, "weightDataType", "INT4");
  set_attr(n, "outputDataType", "INT16");
  set_attr(n, "accDataType", "INT16");
  Model m;
  Tensor w(ElemType::Float, {6, 4});
  for (int64_t k = 0; k < 6; ++k)
    for (int64_t j = 0; j < 4; ++j) w.set(k * 4 + j, k - 2 * j);
  m.set_initializer("w", w);
  ScratchDir dir;
  RtlModule r = hw_op_of(n)->generate_rtl(m, n, dir.path());
  EXPECT_EQ(r.top, "fc");
  ASSERT_EQ(r.data_files.size(), 1u);
  EXPECT_EQ(read_text(dir.path() / r.data_files[0]), "0fe210\n321543\ncbaedc\nfed10f\n");

  // The same layer with BIPOLAR weights stores (w + 1) / 2.
  set_attr(n, "weightDataType", "BIPOLAR");
  set_attr(n, "inputDataType", "BIPOLAR");
  set_attr(n, "binaryXnorMode", int64_t{1});
  set_attr(n, "accDataType", "UINT4");
  set_attr(n, "outputDataType", "UINT4");
  int rows[6][4] = {{1, 1, 1, 0}, {1, 1, 0, 0}, {1, 0, 0, 1},
                    {1, 1, 0, 1}, {0, 0, 1, 1}, {0, 1, 1, 1}};
  for (int64_t k = 0; k < 6; ++k)
    for (int64_t j = 0; j < 4; ++j) w.set(k * 4 + j, rows[k][j] ? 1 : -1);
  m.set_initializer("w", w);
  r = hw_op_of(n)->generate_rtl(m, n, dir.path());
  EXPECT_EQ(read_text(dir.path() / r.data_files[0]), "1f\n29\n21\n3e\n");
}

// A LabelSelect_Batch without outputDataType (as FINN v0.6 models may hold it) gets the
// derived type (hardware.md §1.7: Labels 10 -> UINT8, 300 -> UINT16); a stored one wins.
TEST(LabelSelectRtl, OutputTypeDerivedWhenTheAttributeIsUnset) {
  auto n = make_node("LabelSelect_Batch", {"x"}, {"y"}, kDataflowDomain, "ls");
  set_attr(n, "backend", "fpgadataflow");
  for (auto [k, v] : {std::pair{"Labels", 10}, {"PE", 2}, {"K", 1}}) set_attr(n, k, int64_t{v});
  set_attr(n, "inputDataType", "UINT8");
  Model m;
  ScratchDir dir;
  auto wrapper = [&] {
    RtlModule r = hw_op_of(n)->generate_rtl(m, n, dir.path());
    return read_text(dir.path() / r.sources.at(0));
  };
  std::string v = wrapper();
  EXPECT_NE(v.find("10 labels, PE 2, top 1; UINT8 -> UINT8"), std::string::npos) << v;
  EXPECT_NE(v.find(".OUT_BITS(8)"), std::string::npos) << v;
  set_attr(n, "Labels", int64_t{300});
  v = wrapper();
  EXPECT_NE(v.find("300 labels, PE 2, top 1; UINT8 -> UINT16"), std::string::npos) << v;
  EXPECT_NE(v.find(".OUT_BITS(16)"), std::string::npos) << v;
  set_attr(n, "Labels", int64_t{10});
  set_attr(n, "outputDataType", "UINT4");
  v = wrapper();
  EXPECT_NE(v.find(".OUT_BITS(4)"), std::string::npos) << v;
}
