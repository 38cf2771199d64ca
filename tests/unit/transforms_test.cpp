// Tidy and QONNX-to-FINN transforms: rewritten graph asserted, execution before == after.
#include <gtest/gtest.h>

#include <random>

#include "shoal/core/op.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

int count_op(const Model& m, const std::string& op) {
  int n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == op;
  return n;
}

void expect_same_execution(const Model& a, const Model& b, const std::vector<Tensor>& inputs,
                           double atol) {
  Executor ea(a), eb(b);
  for (const auto& x : inputs) expect_close(ea.run({x}).at(0), eb.run({x}).at(0), atol);
}

Tensor scalar(float v) {
  return Tensor::scalar(v);
}

void add_quant(GraphBuilder& g, const std::string& in, const std::string& out, float scale,
               float bits, int is_signed, int narrow) {
  g.init(out + "_s", scalar(scale));
  g.init(out + "_z", scalar(0));
  g.init(out + "_b", scalar(bits));
  auto& n = g.node("Quant", {in, out + "_s", out + "_z", out + "_b"}, {out}, "onnx.brevitas");
  set_attr(n, "signed", int64_t{is_signed});
  set_attr(n, "narrow", int64_t{narrow});
  set_attr(n, "rounding_mode", "ROUND");
}

}  // namespace

TEST(Tidy, FoldsConstantsNamesAndKeepsResults) {
  GraphBuilder g("in", {1, 4}, 13);
  g.init("w_flat", floats({8}, {1, -1, 2, 0, 0, 3, -2, 1}));
  g.init("w_shape", Tensor::from<int64_t>({2}, {4, 2}));
  g.init("zero", floats({1}, {0}));
  g.init("one", floats({1}, {1}));
  g.node("Reshape", {"w_flat", "w_shape"}, {"w"});
  g.node("MatMul", {"in", "w"}, {"mm"});
  g.node("Add", {"mm", "zero"}, {"mm0"});
  g.node("Mul", {"mm0", "one"}, {"out"});
  Model m = g.finish("out", {1, 2});
  m.graph().add_input()->set_name("one");  // a static graph input, as old exports have
  Model original = m;
  tidy_up(m);
  EXPECT_EQ(count_op(m, "Reshape"), 0);  // folded into the weight
  EXPECT_EQ(m.node(0).name(), "MatMul_0");
  EXPECT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "global_in");
  EXPECT_EQ(*m.tensor_shape("MatMul_0_param0"), (Shape{4, 2}));
  std::mt19937 rng(1);
  std::vector<Tensor> xs;
  for (int i = 0; i < 8; ++i) xs.push_back(random_ints(rng, {1, 4}, -5, 5));
  expect_same_execution(original, m, xs, 0);
  std::string once = m.serialize();
  tidy_up(m);
  EXPECT_EQ(m.serialize(), once);  // tidy(tidy(m)) == tidy(m)
}

TEST(Tidy, RemoveIdentityOps) {
  GraphBuilder g("in", {1, 3});
  g.init("zero", floats({1}, {0}));
  g.init("one", floats({3}, {1, 1, 1}));
  g.init("two", floats({1}, {2}));
  g.node("Add", {"in", "zero"}, {"a"});  // first node: consumers rewired
  g.node("Mul", {"a", "two"}, {"b"});
  g.node("Div", {"b", "one"}, {"c"});  // has a producer: producer renamed
  g.node("Relu", {"c"}, {"out"});
  Model m = g.finish("out", {1, 3});
  Model original = m;
  apply(m, remove_identity_ops);
  EXPECT_EQ(m.node_count(), 2);
  EXPECT_EQ(m.node(0).op_type(), "Mul");
  EXPECT_EQ(m.node(0).input(0), "in");
  expect_same_execution(original, m, {floats({1, 3}, {1, -2, 3})}, 0);
}

TEST(QonnxToFinn, WeightAndActivationQuantizers) {
  // x -> Gemm(W via Quant scale 0.37, transB) -> BN -> Relu -> Quant(uint4, 0.2)
  //   -> MatMul(W2 via Quant scale 1) -> Quant(int3 narrow, 0.5)
  std::mt19937 rng(7);
  GraphBuilder g("x", {1, 6}, 14);
  Tensor w = random_ints(rng, {4, 6}, -1, 1);
  for (float& v : w.span<float>()) v *= 0.37f;
  g.init("w", w);
  add_quant(g, "w", "wq", 0.37f, 2, 1, 1);
  g.init("bias", random_floats(rng, {4}, -1, 1));
  set_attr(g.node("Gemm", {"x", "wq", "bias"}, {"gemm"}), "transB", int64_t{1});
  g.init("bn_scale", random_floats(rng, {4}, 0.5, 2));
  g.init("bn_bias", random_floats(rng, {4}, -1, 1));
  g.init("bn_mean", random_floats(rng, {4}, -1, 1));
  g.init("bn_var", random_floats(rng, {4}, 0.5, 2));
  g.node("BatchNormalization", {"gemm", "bn_scale", "bn_bias", "bn_mean", "bn_var"}, {"bn"});
  g.node("Relu", {"bn"}, {"relu"});
  add_quant(g, "relu", "a1", 0.2f, 4, 0, 0);
  g.init("w2", random_ints(rng, {4, 3}, -1, 1));
  add_quant(g, "w2", "w2q", 1.0f, 2, 1, 1);
  g.node("MatMul", {"a1", "w2q"}, {"mm2"});
  add_quant(g, "mm2", "out", 0.5f, 3, 1, 1);
  Model q = g.finish("out", {1, 3});
  Model f = q;
  qonnx_to_finn(f);
  tidy_up(f);
  EXPECT_EQ(count_op(f, "Quant"), 0);
  EXPECT_EQ(count_op(f, "Gemm"), 0);
  EXPECT_EQ(count_op(f, "Relu"), 0);
  EXPECT_EQ(count_op(f, "MultiThreshold"), 2);
  EXPECT_EQ(f.datatype("MatMul_0_param0").name(), "INT2");
  EXPECT_EQ(*f.tensor_shape("MatMul_0_param0"), (Shape{6, 4}));  // transpose folded into the weight
  for (const auto& n : f.graph().node()) {
    if (n.op_type() == "MultiThreshold") {
      EXPECT_EQ(n.domain(), kGeneralDomain);
    }
  }
  std::vector<Tensor> xs;
  for (int i = 0; i < 32; ++i) xs.push_back(random_floats(rng, {1, 6}, -3, 3));
  expect_same_execution(q, f, xs, 1e-5);
}

TEST(QonnxToFinn, BipolarOnlyModelsConvert) {
  // FINN looks for "BinaryQuant" and skips such models; shoal converts them.
  std::mt19937 rng(3);
  GraphBuilder g("x", {1, 8}, 9);
  g.init("one", scalar(1));
  g.node("BipolarQuant", {"x", "one"}, {"xq"}, "onnx.brevitas");
  Tensor w = random_ints(rng, {8, 5}, 0, 1);
  for (float& v : w.span<float>()) v = 2 * v - 1;
  g.init("w", w);
  g.init("one_w", scalar(1));
  g.node("BipolarQuant", {"w", "one_w"}, {"wq"}, "onnx.brevitas");
  g.node("MatMul", {"xq", "wq"}, {"mm"});
  g.init("one_a", scalar(1));
  g.node("BipolarQuant", {"mm", "one_a"}, {"out"}, "onnx.brevitas");
  Model q = g.finish("out", {1, 5});
  ASSERT_TRUE(is_qonnx(q));
  Model f = q;
  qonnx_to_finn(f);
  tidy_up(f);
  EXPECT_EQ(count_op(f, "BipolarQuant"), 0);
  EXPECT_EQ(count_op(f, "MultiThreshold"), 2);
  EXPECT_EQ(f.datatype("MatMul_0_param0").name(), "BIPOLAR");
  std::vector<Tensor> xs;
  for (int i = 0; i < 32; ++i) xs.push_back(random_floats(rng, {1, 8}, -1, 1));
  expect_same_execution(q, f, xs, 0);
}

TEST(QonnxToFinn, QuantizedConvBiasStaysExact) {
  // A Conv whose weight and bias both come from quantizers (Brevitas' QuantConv2d with a
  // quantized bias): the bias must be added behind the weight's scale, not scaled with it.
  for (float bias_scale : {0.125f, 1.0f}) {
    std::mt19937 rng(11);
    GraphBuilder g("x", {1, 2, 5, 5});
    Tensor w = random_ints(rng, {4, 2, 3, 3}, -3, 3);
    for (float& v : w.span<float>()) v *= 0.25f;
    g.init("w", w);
    add_quant(g, "w", "wq", 0.25f, 4, 1, 0);
    Tensor b = random_ints(rng, {4}, -8, 7);
    for (float& v : b.span<float>()) v *= bias_scale;
    g.init("b", b);
    add_quant(g, "b", "bq", bias_scale, 8, 1, 0);
    set_attr(g.node("Conv", {"x", "wq", "bq"}, {"conv"}), "pads", std::vector<int64_t>{1, 1, 1, 1});
    add_quant(g, "conv", "out", 0.5f, 4, 1, 0);
    Model q = g.finish("out", {1, 4, 5, 5});
    Model f = q;
    qonnx_to_finn(f);
    tidy_up(f);
    EXPECT_EQ(count_op(f, "Quant"), 0);
    EXPECT_EQ(count_op(f, "Add"), 2) << "the bias and the activation's bias";
    std::vector<Tensor> xs;
    // Float inputs: integer ones would put values exactly on a rounding tie of the output
    // quantizer, where thresholds round up and ROUND rounds to even.
    for (int i = 0; i < 16; ++i) xs.push_back(random_floats(rng, {1, 2, 5, 5}, -4, 4));
    expect_same_execution(q, f, xs, 1e-5);
  }
}
