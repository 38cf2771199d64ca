// Standard ops against hand-computed results (broadcasting, shapes, opset variants).
#include <gtest/gtest.h>

#include "shoal/ops/kernels.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

TEST(StandardOps, BroadcastingArithmetic) {
  GraphBuilder g("x", {2, 3});
  g.init("b", floats({3}, {10, 20, 30}));
  g.init("c", floats({2, 1}, {2, 4}));
  g.node("Add", {"x", "b"}, {"t"});
  g.node("Div", {"t", "c"}, {"y"});
  Model m = g.finish("y", {2, 3});
  EXPECT_EQ(values(execute(m, {floats({2, 3}, {0, 2, 4, 6, 8, 10})}).at(0)),
            (std::vector<float>{5, 11, 17, 4, 7, 10}));
}

TEST(StandardOps, MatMulAndGemm) {
  Tensor a = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = floats({3, 2}, {1, 0, 0, 1, 1, 1});
  EXPECT_EQ(values(matmul(a, b)), (std::vector<float>{4, 5, 10, 11}));
  GraphBuilder g("x", {2, 3});
  g.init("W", floats({2, 3}, {1, 0, 1, 0, 1, 1}));  // transB
  g.init("C", floats({2}, {100, 200}));
  auto& n = g.node("Gemm", {"x", "W", "C"}, {"y"});
  set_attr(n, "transB", int64_t{1});
  set_attr(n, "alpha", 2.0f);
  Model m = g.finish("y", {2, 2});
  EXPECT_EQ(values(execute(m, {a}).at(0)), (std::vector<float>{108, 210, 120, 222}));
}

TEST(StandardOps, ShapeGatherConcatReshape) {
  // the Brevitas flatten idiom: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape
  GraphBuilder g("x", {1, 1, 2, 2}, 9);
  g.init("zero", Tensor::from<int64_t>({}, {0}));
  g.init("minus1", Tensor::from<int64_t>({1}, {-1}));
  g.node("Shape", {"x"}, {"s"});
  set_attr(g.node("Gather", {"s", "zero"}, {"n"}), "axis", int64_t{0});
  set_attr(g.node("Unsqueeze", {"n"}, {"nn"}), "axes", std::vector<int64_t>{0});
  set_attr(g.node("Concat", {"nn", "minus1"}, {"shape"}), "axis", int64_t{0});
  g.node("Reshape", {"x", "shape"}, {"y"});
  Model m = g.finish("y", {1, 4});
  Tensor y = execute(m, {floats({1, 1, 2, 2}, {1, 2, 3, 4})}).at(0);
  EXPECT_EQ(y.shape(), (Shape{1, 4}));
}

TEST(StandardOps, TransposeBatchNormTopK) {
  EXPECT_EQ(values(transpose_tensor(floats({2, 3}, {1, 2, 3, 4, 5, 6}), {1, 0})),
            (std::vector<float>{1, 4, 2, 5, 3, 6}));
  GraphBuilder g("x", {1, 2});
  g.init("scale", floats({2}, {2, 1}));
  g.init("bias", floats({2}, {1, 0}));
  g.init("mean", floats({2}, {1, 1}));
  g.init("var", floats({2}, {4, 1}));
  set_attr(g.node("BatchNormalization", {"x", "scale", "bias", "mean", "var"}, {"y"}), "epsilon",
           0.0f);
  Model m = g.finish("y", {1, 2});
  EXPECT_EQ(values(execute(m, {floats({1, 2}, {5, 3})}).at(0)), (std::vector<float>{5, 2}));

  GraphBuilder t("x", {1, 5});
  t.init("k", Tensor::from<int64_t>({1}, {2}));
  t.node("TopK", {"x", "k"}, {"v", "i"});
  Model tm = t.finish("i", {1, 2});
  Tensor idx = execute(tm, {floats({1, 5}, {3, 9, 1, 9, 0})}).at(0);
  EXPECT_EQ(idx.type(), ElemType::Int64);
  EXPECT_EQ(idx.ints(), (std::vector<int64_t>{1, 3}));  // ties keep index order
}

TEST(StandardOps, ClipAndSqueezeOpsetVariants) {
  GraphBuilder g("x", {1, 3}, 9);
  auto& c = g.node("Clip", {"x"}, {"c"});
  set_attr(c, "min", -1.0f);
  set_attr(c, "max", 1.0f);
  set_attr(g.node("Squeeze", {"c"}, {"y"}), "axes", std::vector<int64_t>{0});
  Model m = g.finish("y", {3});
  EXPECT_EQ(values(execute(m, {floats({1, 3}, {-5, 0.5f, 5})}).at(0)),
            (std::vector<float>{-1, 0.5f, 1}));
  GraphBuilder g13("x", {1, 3}, 13);
  g13.init("lo", Tensor::scalar(0.0f));
  g13.init("axes", Tensor::from<int64_t>({1}, {0}));
  g13.node("Clip", {"x", "lo"}, {"c"});
  g13.node("Squeeze", {"c", "axes"}, {"y"});
  Model m13 = g13.finish("y", {3});
  EXPECT_EQ(values(execute(m13, {floats({1, 3}, {-5, 0.5f, 5})}).at(0)),
            (std::vector<float>{0, 0.5f, 5}));
}
