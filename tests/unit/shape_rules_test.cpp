// The registry-free shape rules agree with ONNX's own shape inference.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "shoal/shape_inference.hpp"
#include "shoal/shape_rules.hpp"
#include "shoal/streamline.hpp"
#include "shoal/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

void expect_same_shapes(const Model& m) {
  Model fast = m, reference = m;
  ASSERT_TRUE(infer_shapes_fast(fast));
  infer_shapes_onnx(reference);
  ASSERT_EQ(fast.graph().value_info_size(), reference.graph().value_info_size());
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

TEST(ShapeRules, FallBackWhenAnOpHasNoRule) {
  GraphBuilder g("x", {1, 4}, 13);
  g.node("Shape", {"x"}, {"s"});
  g.node("Reshape", {"x", "s"}, {"y"});
  Model m = g.finish("y", {1, 4});
  EXPECT_FALSE(infer_shapes_fast(m));
  infer_shapes(m);
  EXPECT_EQ(*m.tensor_shape("y"), (Shape{1, 4}));
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
  EXPECT_EQ(checked, 5);
}
