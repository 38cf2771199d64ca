// The general custom ops, executed through the registry and executor (dialect.md §2).
#include <gtest/gtest.h>

#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

// finn-base tests/custom_op/test_multithreshold.py
const std::vector<float> kMtInput = {
    4.8, 3.2, 1.2, 4.9, 7.8, 2.4, 3.1, 4.7, 6.2, 5.1, 4.9, 2.2, 6.2, 0.0, 0.8, 4.7, 0.2, 5.6,
    8.9, 9.2, 9.1, 4.0, 3.3, 4.9, 2.3, 1.7, 1.3, 2.2, 4.6, 3.4, 3.7, 9.8, 4.7, 4.9, 2.8, 2.7,
    8.3, 6.7, 4.2, 7.1, 2.8, 3.1, 0.8, 0.6, 4.4, 2.7, 6.3, 6.1, 1.4, 5.3, 2.3, 1.9, 4.7, 8.1,
    9.3, 3.7, 2.7, 5.1, 4.2, 1.8, 4.1, 7.3, 7.1, 0.4, 0.2, 1.3, 4.3, 8.9, 1.4, 1.6, 8.3, 9.4};
const std::vector<float> kMtThresholds = {0.8, 1.4, 1.7, 3.5, 5.2, 6.8, 8.2, 0.2, 2.2, 3.5, 4.5,
                                          6.6, 8.6, 9.2, 1.3, 4.1, 4.5, 6.5, 7.8, 8.1, 8.9};
const std::vector<float> kMtOutput = {4, 3, 1, 4, 5, 2, 2, 4, 3, 3, 3, 1, 5, 0, 1, 4, 1, 4,
                                      6, 7, 7, 1, 1, 3, 3, 3, 1, 3, 4, 2, 3, 7, 3, 3, 1, 1,
                                      7, 5, 4, 6, 2, 2, 1, 1, 2, 1, 3, 3, 2, 5, 3, 3, 4, 5,
                                      7, 3, 1, 3, 2, 1, 4, 6, 6, 0, 1, 1, 3, 6, 1, 1, 6, 7};

Model mt_model(const Shape& shape, const Tensor& thresholds, float scale, float bias,
               const std::string& layout) {
  GraphBuilder g("x", shape);
  g.init("T", thresholds);
  auto& n = g.node("MultiThreshold", {"x", "T"}, {"y"}, kGeneralDomain);
  set_attr(n, "out_dtype", "UINT3");
  if (scale != 1.0f) set_attr(n, "out_scale", scale);
  if (bias != 0.0f) set_attr(n, "out_bias", bias);
  if (layout != "NCHW") set_attr(n, "data_layout", layout);
  return g.finish("y", shape);
}

Tensor run1(const Model& m, const Tensor& x) {
  ExecOptions o;
  o.sanitize = false;
  return execute(m, {x}, o).at(0);
}

Model quant_model(const Shape& shape, float scale, float zeropt, float bits, int is_signed,
                  int narrow, const std::string& mode) {
  GraphBuilder g("x", shape);
  g.init("s", Tensor::scalar(scale));
  g.init("z", Tensor::scalar(zeropt));
  g.init("b", Tensor::scalar(bits));
  auto& n = g.node("Quant", {"x", "s", "z", "b"}, {"y"}, "onnx.brevitas");
  set_attr(n, "signed", int64_t{is_signed});
  set_attr(n, "narrow", int64_t{narrow});
  set_attr(n, "rounding_mode", mode);
  return g.finish("y", shape);
}

}  // namespace

TEST(MultiThreshold, FinnBaseVectors) {
  Model m = mt_model({6, 3, 2, 2}, floats({3, 7}, kMtThresholds), 1.0f, 0.0f, "NCHW");
  EXPECT_EQ(values(run1(m, floats({6, 3, 2, 2}, kMtInput))), kMtOutput);
  Model scaled = mt_model({6, 3, 2, 2}, floats({3, 7}, kMtThresholds), 2.0f, -1.0f, "NCHW");
  std::vector<float> expected;
  for (float v : kMtOutput) expected.push_back(2 * v - 1);
  EXPECT_EQ(values(run1(scaled, floats({6, 3, 2, 2}, kMtInput))), expected);
}

TEST(MultiThreshold, NhwcMatchesNchw) {
  Tensor nchw = floats({6, 3, 2, 2}, kMtInput);
  // NHWC copy of the same data
  Tensor nhwc(ElemType::Float, {6, 2, 2, 3});
  for (int n = 0; n < 6; ++n)
    for (int c = 0; c < 3; ++c)
      for (int hw = 0; hw < 4; ++hw)
        nhwc.span<float>()[(n * 4 + hw) * 3 + c] = nchw.span<float>()[(n * 3 + c) * 4 + hw];
  Model m = mt_model({6, 2, 2, 3}, floats({3, 7}, kMtThresholds), 1.0f, 0.0f, "NHWC");
  Tensor out = run1(m, nhwc);
  for (int n = 0; n < 6; ++n)
    for (int c = 0; c < 3; ++c)
      for (int hw = 0; hw < 4; ++hw)
        EXPECT_EQ(out.span<float>()[(n * 4 + hw) * 3 + c], kMtOutput[(n * 3 + c) * 4 + hw]);
}

TEST(MultiThreshold, GreaterOrEqualAndBroadcastRow) {
  Model m = mt_model({1, 4}, floats({1, 3}, {2, 0, 1}), 1.0f, 0.0f, "NCHW");
  EXPECT_EQ(values(run1(m, floats({1, 4}, {-1, 0, 1, 2}))), (std::vector<float>{0, 1, 2, 3}));
}

TEST(MultiThreshold, DatatypeFollowsOutDtypeUnlessFractional) {
  Model m = mt_model({1, 4}, floats({1, 3}, {2, 0, 1}), 1.0f, -1.0f, "NCHW");
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "UINT3");
  Model f = mt_model({1, 4}, floats({1, 3}, {2, 0, 1}), 0.5f, 0.0f, "NCHW");
  apply(f, infer_datatypes);
  EXPECT_EQ(f.datatype("y").name(), "FLOAT32");
}

TEST(MultiThreshold, ChannelMismatchIsAnError) {
  Model m = mt_model({1, 4}, floats({3, 1}, {0, 0, 0}), 1.0f, 0.0f, "NCHW");
  m.node(0).set_name("MT");
  try {
    run1(m, floats({1, 4}, {0, 0, 0, 0}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'MT' (MultiThreshold): thresholds have 3 rows but the input has 4 channels");
  }
}

TEST(Quant, RoundingModesOfQonnx) {
  // qonnx tests/custom_op/test_runding_mode.py
  std::vector<float> in = {5.5, 2.5, 1.6, 1.1, 1.0, -1.0, -1.1, -1.6, -2.5, -5.5};
  std::map<std::string, std::vector<float>> expected = {
      {"ROUND", {6, 2, 2, 1, 1, -1, -1, -2, -2, -6}},
      {"HALF_EVEN", {6, 2, 2, 1, 1, -1, -1, -2, -2, -6}},
      {"CEIL", {6, 3, 2, 2, 1, -1, -1, -1, -2, -5}},
      {"FLOOR", {5, 2, 1, 1, 1, -1, -2, -2, -3, -6}},
      {"UP", {6, 3, 2, 2, 1, -1, -2, -2, -3, -6}},
      {"DOWN", {5, 2, 1, 1, 1, -1, -1, -1, -2, -5}},
      {"HALF_UP", {6, 3, 2, 1, 1, -1, -1, -2, -3, -6}},
      {"HALF_DOWN", {5, 2, 2, 1, 1, -1, -1, -2, -2, -5}},
      {"round", {6, 2, 2, 1, 1, -1, -1, -2, -2, -6}}};
  for (const auto& [mode, want] : expected) {
    Model m = quant_model({10}, 1.0f, 0.0f, 8.0f, 1, 0, mode);
    EXPECT_EQ(values(run1(m, floats({10}, in))), want) << mode;
  }
}

TEST(Quant, RangesNarrowAndSign) {
  Tensor x = floats({6}, {-9, -2.2, -1.4, 0.4, 2.6, 9});
  EXPECT_EQ(values(run1(quant_model({6}, 1, 0, 2, 1, 1, "ROUND"), x)),
            (std::vector<float>{-1, -1, -1, 0, 1, 1}));
  EXPECT_EQ(values(run1(quant_model({6}, 1, 0, 2, 1, 0, "ROUND"), x)),
            (std::vector<float>{-2, -2, -1, 0, 1, 1}));
  EXPECT_EQ(values(run1(quant_model({6}, 1, 0, 2, 0, 0, "ROUND"), x)),
            (std::vector<float>{0, 0, 0, 0, 3, 3}));
  EXPECT_EQ(values(run1(quant_model({6}, 1, 0, 2, 0, 1, "ROUND"), x)),
            (std::vector<float>{0, 0, 0, 0, 2, 2}));
  // 1-bit signed is a sign function with 0 -> +1, no clamp or rounding
  EXPECT_EQ(values(run1(quant_model({6}, 1, 0, 1, 1, 0, "ROUND"),
                        floats({6}, {-9, -0.1f, 0, 0.1f, 3, 9}))),
            (std::vector<float>{-1, -1, 1, 1, 1, 1}));
}

TEST(Quant, ScaleAndZeroPoint) {
  // q = clamp(round(x / 0.5 + 0)) in [-8, 7], y = q * 0.5
  Tensor x = floats({3}, {0.3f, -1.2f, 5.0f});
  EXPECT_EQ(values(run1(quant_model({3}, 0.5f, 0, 4, 1, 0, "ROUND"), x)),
            (std::vector<float>{0.5f, -1.0f, 3.5f}));
  // zero point 2: q = clamp(round(x + 2), 0, 15) - 2
  Tensor z = floats({3}, {-3.0f, 0.4f, 20.0f});
  EXPECT_EQ(values(run1(quant_model({3}, 1, 2, 4, 0, 0, "ROUND"), z)),
            (std::vector<float>{-2.0f, 0.0f, 13.0f}));
}

TEST(Quant, Datatypes) {
  struct Case {
    float scale, zeropt, bits;
    int is_signed;
    const char* dt;
  } cases[] = {{1, 0, 4, 1, "INT4"},   {1, 0, 4, 0, "UINT4"},     {1, 0, 1, 1, "BIPOLAR"},
               {1, 0, 1, 0, "BINARY"}, {0.5, 0, 4, 1, "FLOAT32"}, {1, 1, 4, 1, "FLOAT32"}};
  for (const auto& c : cases) {
    Model m = quant_model({2}, c.scale, c.zeropt, c.bits, c.is_signed, 0, "ROUND");
    apply(m, infer_datatypes);
    EXPECT_EQ(m.datatype("y").name(), c.dt);
  }
}

TEST(BipolarQuant, SignTimesScale) {
  GraphBuilder g("x", {3});
  g.init("s", Tensor::scalar(2.0f));
  g.node("BipolarQuant", {"x", "s"}, {"y"}, kGeneralDomain);
  Model m = g.finish("y", {3});
  EXPECT_EQ(values(run1(m, floats({3}, {-0.5f, 0.0f, 0.1f}))), (std::vector<float>{-2, 2, 2}));
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "FLOAT32");
  m.set_initializer("s", Tensor::scalar(1.0f));
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "BIPOLAR");
}

TEST(Trunc, DropsLowBits) {
  for (auto [mode, want] :
       {std::pair<std::string, std::vector<float>>{"FLOOR", {1, -2, 2}}, {"ROUND", {1, -1, 2}}}) {
    GraphBuilder g("x", {3});
    g.init("s", Tensor::scalar(1.0f));
    g.init("z", Tensor::scalar(0.0f));
    g.init("ib", Tensor::scalar(8.0f));
    g.init("ob", Tensor::scalar(4.0f));
    set_attr(g.node("Trunc", {"x", "s", "z", "ib", "ob"}, {"y"}, "qonnx.custom_op.general"),
             "rounding_mode", mode);
    Model m = g.finish("y", {3});
    EXPECT_EQ(values(run1(m, floats({3}, {17, -17, 38}))), want) << mode;
  }
}

TEST(XnorPopcountMatMul, CountsAgreeingBits) {
  GraphBuilder g("x", {1, 3});
  g.init("W", floats({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1}));
  g.node("XnorPopcountMatMul", {"x", "W"}, {"y"}, kGeneralDomain);
  Model m = g.finish("y", {1, 3});
  m.set_datatype("x", DataType::binary());
  m.set_datatype("W", DataType::binary());
  Tensor y = run1(m, floats({1, 3}, {1, 0, 0}));
  EXPECT_EQ(values(y), (std::vector<float>{3, 1, 1}));
  // 2 * out - K == (2x - 1)(2W - 1)
  EXPECT_EQ(2 * y.get(0) - 3, 3);
  EXPECT_EQ(2 * y.get(1) - 3, -1);
  EXPECT_EQ(m.datatype("y").name(), "FLOAT32");
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "UINT32");
  m.set_datatype("W", DataType::bipolar());
  EXPECT_THROW(apply(m, infer_datatypes), Error);
}

TEST(Executor, UnknownOpIsNamed) {
  GraphBuilder g("x", {1});
  g.node("FancyOp", {"x"}, {"y"}, "").set_name("Fancy_0");
  Model m = g.finish("y", {1});
  try {
    execute(m, {floats({1}, {1})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "node 'Fancy_0' (FancyOp): op 'FancyOp' is not supported");
  }
}

TEST(Executor, SanitisesAnnotatedTensorsLikeFinn) {
  GraphBuilder g("x", {3});
  g.node("Identity", {"x"}, {"y"});
  Model m = g.finish("y", {3});
  m.set_datatype("y", DataType::sint(4));
  EXPECT_EQ(values(execute(m, {floats({3}, {1.004f, 2, -3})}).at(0)),
            (std::vector<float>{1, 2, -3}));
  EXPECT_THROW(execute(m, {floats({3}, {1.5f, 2, -3})}), Error);
  // integral but out of range passes silently, as in FINN
  EXPECT_EQ(values(execute(m, {floats({3}, {100, 2, -3})}).at(0)),
            (std::vector<float>{100, 2, -3}));
}

// find_op refuses a node its op's methods would read past: too few inputs, or no output
// (both found by the onnx_tidy fuzzer as protobuf aborts in the datatype rules).
TEST(OpRegistry, RefusesNodesWithTooFewInputsOrNoOutputs) {
  auto message = [](const onnx::NodeProto& n) {
    try {
      find_op(n);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto quant = make_node("Quant", {"x", "s", "z"}, {"y"}, "finn.custom_op.general");
  quant.set_name("Quant_0");
  EXPECT_EQ(message(quant), "node 'Quant_0' (Quant): has 3 input(s), Quant takes 4");
  quant.add_input("b");
  EXPECT_EQ(message(quant), "no error");
  quant.clear_output();
  EXPECT_EQ(message(quant), "node 'Quant_0' (Quant): has no outputs");
}
