// The streamlining rewrites on small graphs (modelled on FINN's own transform tests,
// dialect.md §5.2): the rewritten graph is asserted and execution before == after.
#include <gtest/gtest.h>

#include <random>

#include "shoal/transforms/streamline.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

std::vector<std::string> ops(const Model& m) {
  std::vector<std::string> v;
  for (const auto& n : m.graph().node()) v.push_back(n.op_type());
  return v;
}

// Applies `t` (with FINN's cleanup) and checks that outputs agree on random inputs.
Model rewritten(const Model& before, const Transform& t, const Shape& in_shape, double atol = 1e-5,
                float lo = -4, float hi = 4, bool ints = false) {
  Model after = before;
  apply(after, t);
  std::mt19937 rng(11);
  ExecOptions o;
  o.sanitize = false;
  Executor eb(before, o), ea(after, o);
  for (int i = 0; i < 24; ++i) {
    Tensor x = ints ? random_ints(rng, in_shape, static_cast<int>(lo), static_cast<int>(hi))
                    : random_floats(rng, in_shape, lo, hi);
    expect_close(eb.run({x}).at(0), ea.run({x}).at(0), atol);
  }
  return after;
}

Tensor ones_like(Shape s, float v) {
  Tensor t(ElemType::Float, std::move(s));
  for (float& x : t.span<float>()) x = v;
  return t;
}

void add_mt(GraphBuilder& g, const std::string& in, const std::string& out, Tensor t,
            const char* odt, float scale = 1, float bias = 0) {
  g.init(out + "_T", t);
  auto& n = g.node("MultiThreshold", {in, out + "_T"}, {out}, kGeneralDomain);
  set_attr(n, "out_dtype", odt);
  if (scale != 1) set_attr(n, "out_scale", scale);
  if (bias != 0) set_attr(n, "out_bias", bias);
}

}  // namespace

TEST(Streamline, ConvertSubAndDiv) {
  GraphBuilder g("x", {1, 4});
  g.init("c", floats({4}, {1, 2, 3, 4}));
  g.init("d", floats({1}, {8}));
  g.node("Sub", {"x", "c"}, {"s"});
  g.node("Div", {"s", "d"}, {"y"});
  Model m = g.finish("y", {1, 4});
  Model a = rewritten(m, convert_sub_to_add, {1, 4});
  a = rewritten(a, convert_div_to_mul, {1, 4});
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Add", "Mul"}));
  EXPECT_EQ(a.initializer(a.node(1).input(1))->get(0), 0.125);
}

TEST(Streamline, BatchNormToAffineRemovesUnsqueezeSqueeze) {
  for (float eps : {0.0f, 1e-5f, 1e-3f}) {
    std::mt19937 rng(3);
    GraphBuilder g("x", {1, 6}, 9);
    set_attr(g.node("Unsqueeze", {"x"}, {"u"}), "axes", std::vector<int64_t>{2});
    g.init("s", random_floats(rng, {6}, 0.5, 2));
    g.init("b", random_floats(rng, {6}, -1, 1));
    g.init("mu", random_floats(rng, {6}, -1, 1));
    g.init("var", random_floats(rng, {6}, 0.5, 2));
    set_attr(g.node("BatchNormalization", {"u", "s", "b", "mu", "var"}, {"bn"}), "epsilon", eps);
    set_attr(g.node("Squeeze", {"bn"}, {"y"}), "axes", std::vector<int64_t>{2});
    Model m = g.finish("y", {1, 6});
    Model a = rewritten(m, batchnorm_to_affine, {1, 6});
    EXPECT_EQ(ops(a), (std::vector<std::string>{"Mul", "Add"}));
  }
}

TEST(Streamline, SignBecomesBipolarThreshold) {
  GraphBuilder g("x", {1, 5});
  g.node("Sign", {"x"}, {"s"});
  g.node("Relu", {"s"}, {"y"});
  Model m = g.finish("y", {1, 5});
  Model a = rewritten(m, convert_sign_to_thres, {1, 5}, 0, 0.1f, 3);  // Sign(0) differs, as in FINN
  EXPECT_EQ(ops(a), (std::vector<std::string>{"MultiThreshold", "Relu"}));
  EXPECT_EQ(a.datatype(a.node(0).output(0)).name(), "BIPOLAR");
}

TEST(Streamline, MoveScalarLinearPastInvariants) {
  GraphBuilder g("x", {1, 2, 2});
  g.init("c", floats({1}, {3}));
  g.init("shape", Tensor::from<int64_t>({2}, {1, 4}));
  g.node("Mul", {"x", "c"}, {"m"});
  g.node("Reshape", {"m", "shape"}, {"y"});
  Model m = g.finish("y", {1, 4});
  Model a = rewritten(m, move_scalar_linear_past_invariants, {1, 2, 2});
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Reshape", "Mul"}));
}

TEST(Streamline, AbsorbSignBias) {
  GraphBuilder g("x", {1, 3});
  add_mt(g, "x", "t", floats({1, 2}, {-0.5f, 0.5f}), "INT2");
  g.init("b", floats({1}, {-1}));
  g.node("Add", {"t", "b"}, {"y"});
  Model m = g.finish("y", {1, 3});
  Model a = rewritten(m, absorb_sign_bias_into_multithreshold, {1, 3});
  ASSERT_EQ(ops(a), (std::vector<std::string>{"MultiThreshold"}));
  EXPECT_EQ(attr_float(a.node(0), "out_bias", 0), -1.0f);
  EXPECT_EQ(attr_string(a.node(0), "out_dtype", ""), "INT2");
}

TEST(Streamline, MoveAddPastMulOnlyIfLinear) {
  GraphBuilder g("x", {1, 3});
  g.init("b", floats({3}, {1, 2, 3}));
  g.init("a", floats({3}, {2, -1, 0.5}));
  g.node("Add", {"x", "b"}, {"s"});
  g.node("Mul", {"s", "a"}, {"y"});
  Model m = g.finish("y", {1, 3});
  Model a = rewritten(m, move_add_past_mul, {1, 3});
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Mul", "Add"}));
  // A forking Add stays in front.
  GraphBuilder f("x", {1, 3});
  f.init("b", floats({3}, {1, 2, 3}));
  f.init("a", floats({3}, {2, -1, 0.5}));
  f.node("Add", {"x", "b"}, {"s"});
  f.node("Mul", {"s", "a"}, {"m"});
  f.node("Add", {"m", "s"}, {"y"});
  Model fm = f.finish("y", {1, 3});
  EXPECT_EQ(ops(rewritten(fm, move_add_past_mul, {1, 3})),
            (std::vector<std::string>{"Add", "Mul", "Add"}));
}

TEST(Streamline, MoveScalarAddAndMulPastMatMul) {
  std::mt19937 rng(5);
  GraphBuilder g("x", {1, 4});
  g.init("a", floats({1}, {0.5}));
  g.init("c", floats({}, {3}));
  g.init("W", random_ints(rng, {4, 3}, -2, 2));
  g.node("Mul", {"x", "c"}, {"m"});
  g.node("Add", {"m", "a"}, {"s"});
  g.node("MatMul", {"s", "W"}, {"y"});
  Model m = g.finish("y", {1, 3});
  Model a = rewritten(m, move_scalar_add_past_matmul, {1, 4}, 1e-4);
  a = rewritten(a, move_scalar_mul_past_matmul, {1, 4}, 1e-4);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"MatMul", "Mul", "Add"}));
}

TEST(Streamline, ConvRewrites) {
  std::mt19937 rng(9);
  GraphBuilder g("x", {1, 2, 5, 5});
  g.init("a", ones_like({1, 2, 1, 1}, 0.75f));
  g.init("c", floats({}, {2}));
  g.init("W", random_ints(rng, {3, 2, 3, 3}, -1, 1));
  g.init("s", floats({3}, {1, -1, 1}));
  g.node("Add", {"x", "a"}, {"t"});
  g.node("Mul", {"t", "c"}, {"u"});
  auto& cv = g.node("Conv", {"u", "W"}, {"v"});
  set_attr(cv, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(cv, "pads", std::vector<int64_t>{0, 0, 0, 0});
  g.init("s4", ones_like({1, 3, 1, 1}, -1.0f));
  g.node("Mul", {"v", "s4"}, {"y"});
  Model m = g.finish("y", {1, 3, 3, 3});
  m.set_datatype("W", DataType::sint(2));
  m.set_datatype("s4", DataType::bipolar());
  Model a = rewritten(m, move_scalar_mul_past_conv, {1, 2, 5, 5}, 1e-4);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Add", "Conv", "Mul", "Mul"}));
  a = rewritten(a, move_add_past_conv, {1, 2, 5, 5}, 1e-4);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Conv", "Add", "Mul", "Mul"}));
  // the -1 Mul right after the Conv would be next; bring it there and absorb it
  GraphBuilder h("x", {1, 2, 5, 5});
  h.init("W", random_ints(rng, {3, 2, 3, 3}, -1, 1));
  h.init("s4", ones_like({1, 3, 1, 1}, -1.0f));
  set_attr(h.node("Conv", {"x", "W"}, {"v"}), "kernel_shape", std::vector<int64_t>{3, 3});
  h.node("Mul", {"v", "s4"}, {"y"});
  Model hm = h.finish("y", {1, 3, 3, 3});
  hm.set_datatype("W", DataType::sint(2));
  hm.set_datatype("s4", DataType::bipolar());
  EXPECT_EQ(ops(rewritten(hm, absorb_1bit_mul_into_conv, {1, 2, 5, 5}, 1e-4)),
            (std::vector<std::string>{"Conv"}));
}

TEST(Streamline, MoveMulPastMaxPool) {
  GraphBuilder g("x", {1, 2, 4, 4});
  g.init("a", floats({}, {0.5}));
  g.node("Mul", {"x", "a"}, {"m"});
  auto& p = g.node("MaxPool", {"m"}, {"y"});
  set_attr(p, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(p, "strides", std::vector<int64_t>{2, 2});
  Model m = g.finish("y", {1, 2, 2, 2});
  EXPECT_EQ(ops(rewritten(m, move_mul_past_maxpool, {1, 2, 4, 4})),
            (std::vector<std::string>{"MaxPool", "Mul"}));
  // negative factors are not moved
  m.set_initializer("a", floats({}, {-0.5}));
  EXPECT_EQ(ops(rewritten(m, move_mul_past_maxpool, {1, 2, 4, 4})),
            (std::vector<std::string>{"Mul", "MaxPool"}));
}

TEST(Streamline, CollapseRepeatedOpsButNotAcrossForks) {
  GraphBuilder g("x", {1, 3});
  g.init("a", floats({1}, {1}));
  g.init("b", floats({3}, {1, 2, 3}));
  g.init("c", floats({1}, {2}));
  g.init("d", floats({3}, {0.5, 1, -1}));
  g.node("Add", {"x", "a"}, {"t0"});
  g.node("Add", {"t0", "b"}, {"t1"});
  g.node("Mul", {"t1", "c"}, {"t2"});
  g.node("Mul", {"t2", "d"}, {"y"});
  Model m = g.finish("y", {1, 3});
  Model a = rewritten(m, collapse_repeated_add, {1, 3});
  a = rewritten(a, collapse_repeated_mul, {1, 3});
  EXPECT_EQ(ops(a), (std::vector<std::string>{"Add", "Mul"}));
  EXPECT_EQ(a.datatype("y").name(), "FLOAT32");
  GraphBuilder f("x", {1, 3});
  f.init("a", floats({1}, {1}));
  f.init("b", floats({1}, {2}));
  f.node("Add", {"x", "a"}, {"t0"});
  f.node("Add", {"t0", "b"}, {"t1"});
  f.node("Add", {"t0", "t1"}, {"y"});
  Model fm = f.finish("y", {1, 3});
  EXPECT_EQ(rewritten(fm, collapse_repeated_add, {1, 3}).node_count(), 3);
}

TEST(Streamline, AbsorbAddMulAndSignsIntoThresholds) {
  std::mt19937 rng(2);
  GraphBuilder g("x", {1, 4});
  g.init("W", random_ints(rng, {4, 3}, -3, 3));
  g.init("a", floats({3}, {0.5, -2, 1.5}));
  g.init("b", floats({3}, {1, 2, -3}));
  g.node("MatMul", {"x", "W"}, {"mm"});
  g.node("Mul", {"mm", "a"}, {"ml"});
  g.node("Add", {"ml", "b"}, {"ad"});
  add_mt(g, "ad", "y", floats({1, 3}, {-2, 0, 2}), "UINT2");
  Model m = g.finish("y", {1, 3});
  m.set_datatype("W", DataType::sint(3));
  m.set_datatype("x", DataType::sint(4));
  Model a = rewritten(m, absorb_add_into_multithreshold, {1, 4}, 0, -8, 7, true);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"MatMul", "Mul", "MultiThreshold"}));
  a = rewritten(a, factor_out_mul_sign_magnitude, {1, 4}, 0, -8, 7, true);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"MatMul", "Mul", "Mul", "MultiThreshold"}));
  a = rewritten(a, absorb_mul_into_multithreshold, {1, 4}, 0, -8, 7, true);
  a = rewritten(a, absorb_1bit_mul_into_matmul, {1, 4}, 0, -8, 7, true);
  EXPECT_EQ(ops(a), (std::vector<std::string>{"MatMul", "MultiThreshold"}));
  EXPECT_EQ(*a.tensor_shape(a.node(1).input(1)), (Shape{3, 3}));
}

TEST(Streamline, RoundAndClipThresholds) {
  GraphBuilder g("x", {1, 2});
  add_mt(g, "x", "y", floats({2, 3}, {-3.5f, 0.2f, 300.0f, 1.0f, 2.5f, 7.1f}), "UINT2");
  Model m = g.finish("y", {1, 2});
  m.set_datatype("x", DataType::uint(8));
  Model a = rewritten(m, round_and_clip_thresholds, {1, 2}, 0, 0, 255, true);
  EXPECT_EQ(values(*a.initializer("y_T")), (std::vector<float>{0, 1, 256, 1, 3, 8}));
  EXPECT_EQ(a.datatype("y_T").name(), "UINT8");
  // float inputs are left alone
  m.set_datatype("x", DataType::float32());
  Model f = m;
  apply(f, round_and_clip_thresholds);
  EXPECT_EQ(values(*f.initializer("y_T")), values(*m.initializer("y_T")));
}

TEST(Streamline, BipolarMatMulBecomesXnorPopcount) {
  std::mt19937 rng(4);
  GraphBuilder g("x", {1, 6});
  add_mt(g, "x", "b", floats({1, 1}, {0}), "BIPOLAR", 2, -1);
  Tensor W = random_ints(rng, {6, 4}, 0, 1);
  for (float& v : W.span<float>()) v = 2 * v - 1;
  g.init("W", W);
  g.node("MatMul", {"b", "W"}, {"y"});
  Model m = g.finish("y", {1, 4});
  m.set_datatype("W", DataType::bipolar());
  apply(m, infer_datatypes);
  Model a = rewritten(m, convert_bipolar_matmul_to_xnor_popcount, {1, 6});
  EXPECT_EQ(ops(a),
            (std::vector<std::string>{"MultiThreshold", "XnorPopcountMatMul", "Mul", "Add"}));
  EXPECT_EQ(attr_string(a.node(0), "out_dtype", ""), "BINARY");
  // A bipolar graph input gets an explicit conversion to binary (FINN re-annotates it).
  GraphBuilder h("x", {1, 6});
  h.init("W", W);
  h.node("MatMul", {"x", "W"}, {"y"});
  Model hm = h.finish("y", {1, 4});
  hm.set_datatype("x", DataType::bipolar());
  hm.set_datatype("W", DataType::bipolar());
  Model ha = hm;
  apply(ha, convert_bipolar_matmul_to_xnor_popcount);
  EXPECT_EQ(ops(ha),
            (std::vector<std::string>{"MultiThreshold", "XnorPopcountMatMul", "Mul", "Add"}));
  std::mt19937 r2(1);
  for (int i = 0; i < 16; ++i) {
    Tensor x = random_ints(r2, {1, 6}, 0, 1);
    for (float& v : x.span<float>()) v = 2 * v - 1;
    expect_close(execute(hm, {x}).at(0), execute(ha, {x}).at(0), 0);
  }
}

TEST(Streamline, AbsorbScalarMulAddIntoTopK) {
  GraphBuilder g("x", {1, 6});
  g.init("m", floats({1}, {0.3f}));
  g.init("a", floats({1}, {-2}));
  g.init("k", Tensor::from<int64_t>({1}, {2}));
  g.node("Mul", {"x", "m"}, {"t0"});
  g.node("Add", {"t0", "a"}, {"t1"});
  g.node("TopK", {"t1", "k"}, {"values", "y"});
  Model m = g.finish("y", {1, 2});
  Model a = rewritten(m, absorb_scalar_mul_add_into_topk, {1, 6});
  EXPECT_EQ(ops(a), (std::vector<std::string>{"TopK"}));
}

TEST(Streamline, InferDataLayouts) {
  GraphBuilder g("x", {1, 2, 3, 4});
  set_attr(g.node("Transpose", {"x"}, {"t"}), "perm", std::vector<int64_t>{0, 2, 3, 1});
  g.init("shape", Tensor::from<int64_t>({2}, {1, 24}));
  g.node("Reshape", {"t", "shape"}, {"y"});
  Model m = g.finish("y", {1, 24});
  apply(m, infer_shapes_transform);
  apply(m, infer_data_layouts);
  EXPECT_EQ(*m.annotation("x", "tensor_layout"), "['N', 'C', 'H', 'W']");
  EXPECT_EQ(*m.annotation("t", "tensor_layout"), "['N', 'H', 'W', 'C']");
  EXPECT_EQ(*m.annotation("y", "tensor_layout"), "['N', 'C']");
}
