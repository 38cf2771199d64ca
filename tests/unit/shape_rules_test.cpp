// The registry-free shape rules agree with ONNX's own shape inference.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "shoal/core/shape_inference.hpp"
#include "shoal/core/shape_rules.hpp"
#include "shoal/transforms/streamline.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

// `superset`: the rules may type tensors ONNX's inference leaves open (never differently).
void expect_same_shapes(const Model& m, bool superset = false) {
  Model fast = m, reference = m;
  ASSERT_TRUE(infer_shapes_fast(fast));
  infer_shapes_onnx(reference);
  auto names = [](const Model& x) {
    std::string s;
    for (const auto& vi : x.graph().value_info()) s += vi.name() + " ";
    return s;
  };
  if (!superset) {
    ASSERT_EQ(names(fast), names(reference));
  }
  for (const auto& vi : reference.graph().value_info()) {
    SCOPED_TRACE(vi.name());
    ASSERT_TRUE(fast.tensor_shape(vi.name()));
    EXPECT_EQ(*fast.tensor_shape(vi.name()), *reference.tensor_shape(vi.name()));
    EXPECT_EQ(*fast.tensor_elem_type(vi.name()), *reference.tensor_elem_type(vi.name()));
  }
  for (const auto& vi : reference.graph().output())
    EXPECT_EQ(*fast.tensor_shape(vi.name()), *reference.tensor_shape(vi.name()));
}

}  // namespace

TEST(ShapeRules, AgreeWithOnnxOnEveryRule) {
  std::mt19937 rng(1);
  GraphBuilder g("x", {2, 3, 4}, 13);
  g.init("w", random_floats(rng, {4, 5}, -1, 1));
  g.init("b", random_floats(rng, {5}, -1, 1));
  g.init("shape", Tensor::from<int64_t>({2}, {-1, 5}));
  g.init("k", Tensor::from<int64_t>({1}, {2}));
  g.init("wg", random_floats(rng, {7, 5}, -1, 1));
  g.node("MatMul", {"x", "w"}, {"a"});
  g.node("Add", {"a", "b"}, {"c"});
  g.node("Relu", {"c"}, {"d"});
  set_attr(g.node("Transpose", {"d"}, {"e"}), "perm", std::vector<int64_t>{1, 0, 2});
  g.node("Reshape", {"e", "shape"}, {"f"});
  set_attr(g.node("Gemm", {"f", "wg"}, {"gm"}), "transB", int64_t{1});
  g.node("Softmax", {"gm"}, {"s"});
  g.node("TopK", {"s", "k"}, {"v", "i"});
  g.node("Flatten", {"v"}, {"y"});
  Model m = g.finish("y", {6, 2});
  expect_same_shapes(m);
}

// The shape arithmetic Brevitas exports before a Reshape: rules and ONNX's data propagation
// must give the same target shape.
TEST(ShapeRules, AgreeWithOnnxOnShapeArithmetic) {
  GraphBuilder g("x", {1, 2, 3, 4}, 13);
  g.init("zero", Tensor::from<int64_t>({}, {0}));
  g.init("axes0", Tensor::from<int64_t>({1}, {0}));
  g.init("minus1", Tensor::from<int64_t>({1}, {-1}));
  g.node("Shape", {"x"}, {"s"});
  g.node("Gather", {"s", "zero"}, {"batch"});
  g.node("Unsqueeze", {"batch", "axes0"}, {"batch1"});
  set_attr(g.node("Concat", {"batch1", "minus1"}, {"target"}), "axis", int64_t{0});
  g.node("Reshape", {"x", "target"}, {"flat"});
  g.node("Unsqueeze", {"flat", "axes0"}, {"u"});
  g.node("Squeeze", {"u", "axes0"}, {"y"});
  Model m = g.finish("y", {1, 24});
  expect_same_shapes(m, /*superset=*/true);
  // ONNX 1.12 propagates no data through Gather, so it leaves the Reshape open (FINN's tidy
  // learns it after FoldConstants); the rules resolve it at once.
  Model fast = m, reference = m;
  ASSERT_TRUE(infer_shapes_fast(fast));
  infer_shapes_onnx(reference);
  EXPECT_EQ(*fast.tensor_shape("flat"), (Shape{1, 24}));
  EXPECT_FALSE(reference.tensor_shape("flat"));
}

TEST(ShapeRules, FallBackWhenAnOpHasNoRule) {
  GraphBuilder g("x", {1, 4}, 13);
  g.init("r", Tensor::from<int64_t>({2}, {2, 1}));
  g.node("Tile", {"x", "r"}, {"y"});
  Model m = g.finish("y", {1, 4});
  EXPECT_FALSE(infer_shapes_fast(m));
  infer_shapes(m);
  EXPECT_EQ(*m.tensor_shape("y"), (Shape{2, 4}));
}

// ONNX's inference (in the onnx-lib helper) skips custom ops and libcommon's rules skip
// standard ones without a rule: a chain alternating the two is typed to its end.
TEST(ShapeRules, FallbackAlternatesBetweenOnnxAndCustomRules) {
  GraphBuilder g("x", {1, 4}, 13);
  g.init("r1", Tensor::from<int64_t>({2}, {1, 2}));
  g.init("r2", Tensor::from<int64_t>({2}, {2, 1}));
  g.init("T1", Tensor::from<float>({8, 1}, {0, 0, 0, 0, 0, 0, 0, 0}));
  g.init("T2", Tensor::from<float>({8, 1}, {1, 1, 1, 1, 1, 1, 1, 1}));
  g.node("Tile", {"x", "r1"}, {"t"});
  g.node("MultiThreshold", {"t", "T1"}, {"m"}, kGeneralDomain);
  g.node("Tile", {"m", "r2"}, {"u"});
  g.node("MultiThreshold", {"u", "T2"}, {"y"}, kGeneralDomain);
  Model m = g.finish("y", {9, 9});
  ASSERT_FALSE(infer_shapes_fast(m));
  infer_shapes(m);
  EXPECT_EQ(*m.tensor_shape("t"), (Shape{1, 8}));
  EXPECT_EQ(*m.tensor_shape("m"), (Shape{1, 8}));
  EXPECT_EQ(*m.tensor_shape("u"), (Shape{2, 8}));
  EXPECT_EQ(*m.tensor_shape("y"), (Shape{2, 8}));
  EXPECT_EQ(*m.tensor_elem_type("y"), ElemType::Float);
}

TEST(ShapeRules, ConvAndPoolsAgreeWithOnnx) {
  std::mt19937 rng(2);
  struct Case {
    std::string auto_pad;
    std::vector<int64_t> pads, strides, dilations;
    int64_t ceil_mode;
  };
  for (const Case& c : std::vector<Case>{{"NOTSET", {1, 0, 2, 1}, {2, 1}, {1, 1}, 0},
                                         {"NOTSET", {0, 0, 0, 0}, {3, 3}, {1, 2}, 1},
                                         {"SAME_UPPER", {}, {2, 2}, {1, 1}, 0},
                                         {"SAME_LOWER", {}, {3, 2}, {1, 1}, 0},
                                         {"VALID", {}, {2, 2}, {1, 1}, 1}}) {
    SCOPED_TRACE(c.auto_pad);
    GraphBuilder g("x", {1, 3, 11, 10}, 13);
    g.init("W", random_floats(rng, {4, 3, 3, 2}, -1, 1));
    auto& conv = g.node("Conv", {"x", "W"}, {"a"});
    auto& mp = g.node("MaxPool", {"a"}, {"b"});
    auto& ap = g.node("AveragePool", {"b"}, {"y"});
    for (auto* n : {&conv, &mp, &ap}) {
      if (c.auto_pad != "NOTSET") set_attr(*n, "auto_pad", c.auto_pad);
      if (!c.pads.empty()) set_attr(*n, "pads", c.pads);
      set_attr(*n, "strides", c.strides);
    }
    set_attr(conv, "dilations", c.dilations);
    set_attr(mp, "kernel_shape", std::vector<int64_t>{2, 2});
    set_attr(ap, "kernel_shape", std::vector<int64_t>{1, 2});
    if (c.ceil_mode) {
      set_attr(mp, "ceil_mode", c.ceil_mode);
      set_attr(ap, "ceil_mode", c.ceil_mode);
    }
    Model m = g.finish("y", {1, 4, 1, 1});
    expect_same_shapes(m);
  }
}

TEST(ShapeRules, AgreeOnTheSharedModelsThroughTheFlow) {
  namespace fs = std::filesystem;
  fs::path shared = fs::path(SHOAL_SOURCE_DIR) / ".." / "shared" / "models";
  if (!fs::exists(shared)) GTEST_SKIP() << "../shared/models is absent";
  int checked = 0;
  for (const auto& dir : fs::directory_iterator(shared))
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() != ".onnx") continue;
      SCOPED_TRACE(f.path().string());
      Model m = Model::load(f.path().string());
      if (is_qonnx(m)) qonnx_to_finn(m);
      tidy_up(m);
      expect_same_shapes(m);
      streamline_step(m);
      expect_same_shapes(m);
      ++checked;
    }
  EXPECT_EQ(checked, 7);  // five MLPs, cnv_w1a1 and small_cnn_w4a4
}
