// The convolution half of streamlining (conv.md §3.2): Im2Col and MaxPoolNHWC against the
// standard Conv and MaxPool, LowerConvsToMatMul, MakeMaxPoolNHWC, the Transpose absorptions
// and InferDataLayouts on lowered graphs. Every rewrite is checked by executing the model
// before and after on the same random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/hls_conversion.hpp"
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

using Ops = std::vector<std::string>;

// Outputs of both models on the same random integer inputs are identical.
void same_outputs(const Model& a, const Model& b, const Shape& in_shape, int lo = -4, int hi = 4,
                  int runs = 4) {
  std::mt19937 rng(17);
  ExecOptions o;
  o.sanitize = false;
  Executor ea(a, o), eb(b, o);
  for (int i = 0; i < runs; ++i) {
    Tensor x = random_ints(rng, in_shape, lo, hi);
    expect_close(ea.run({x}).at(0), eb.run({x}).at(0), 0);
  }
}

struct ConvCase {
  int64_t c, o, h, k, s, p;
};

// Kernels 1/3/5, strides 1/2, padding 0/1, 1..16 channels, images 5..16: every
// combination of kernel, stride and padding, with channel and image sizes drawn at random.
std::vector<ConvCase> conv_cases() {
  std::mt19937 rng(5);
  std::uniform_int_distribution<int64_t> ch(1, 16), img(5, 16);
  std::vector<ConvCase> v;
  for (int64_t k : {1, 3, 5})
    for (int64_t s : {1, 2})
      for (int64_t p : {0, 1}) v.push_back({ch(rng), ch(rng), img(rng), k, s, p});
  v.push_back({1, 1, 5, 5, 1, 0});     // kernel as large as the image
  v.push_back({16, 16, 16, 3, 2, 1});  // the largest
  v.push_back({3, 8, 7, 3, 2, 0});     // stride that leaves the last row unused
  return v;
}

int64_t out_dim(const ConvCase& c) {
  return (c.h + 2 * c.p - c.k) / c.s + 1;
}

// Conv(x, W) with the case's geometry; W random integers in [-2, 2].
Model conv_model(const ConvCase& c, std::mt19937& rng, int64_t group = 1) {
  GraphBuilder g("x", {1, c.c, c.h, c.h});
  g.init("W", random_ints(rng, {c.o, c.c / group, c.k, c.k}, -2, 2));
  auto& n = g.node("Conv", {"x", "W"}, {"y"});
  n.set_name("Conv_0");
  set_attr(n, "kernel_shape", std::vector<int64_t>{c.k, c.k});
  set_attr(n, "strides", std::vector<int64_t>{c.s, c.s});
  set_attr(n, "pads", std::vector<int64_t>{c.p, c.p, c.p, c.p});
  if (group != 1) set_attr(n, "group", group);
  int64_t od = out_dim(c);
  return g.finish("y", {1, c.o, od, od});
}

// W[O, C, k, k] -> the (k*k*C, O) matrix, rows in (ky, kx, c) order, by explicit loops.
Tensor im2col_weights(const Tensor& W) {
  int64_t O = W.shape()[0], C = W.shape()[1], k = W.shape()[2];
  Tensor out(ElemType::Float, {k * k * C, O});
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ky = 0; ky < k; ++ky)
        for (int64_t kx = 0; kx < k; ++kx)
          out.set(((ky * k + kx) * C + c) * O + o, W.get(((o * C + c) * k + ky) * k + kx));
  return out;
}

onnx::NodeProto& im2col_node(GraphBuilder& g, const std::string& in, const std::string& out,
                             const Shape& nhwc, int64_t k, int64_t s, std::vector<int64_t> pads) {
  auto& n = g.node("Im2Col", {in}, {out}, kGeneralDomain);
  set_attr(n, "kernel_size", std::vector<int64_t>{k, k});
  set_attr(n, "stride", std::vector<int64_t>{s, s});
  set_attr(n, "pad_amount", pads);
  set_attr(n, "input_shape",
           "(" + std::to_string(nhwc[0]) + "," + std::to_string(nhwc[1]) + "," +
               std::to_string(nhwc[2]) + "," + std::to_string(nhwc[3]) + ")");
  return n;
}

onnx::NodeProto& transpose(GraphBuilder& g, const std::string& in, const std::string& out,
                           std::vector<int64_t> perm) {
  auto& n = g.node("Transpose", {in}, {out});
  set_attr(n, "perm", perm);
  return n;
}

}  // namespace

TEST(Im2Col, SmallImageByHand) {
  // 3x3 image, 2 channels (c0 = 1..9, c1 = -(1..9)), 2x2 kernel, stride 1.
  std::vector<float> v;
  for (int i = 1; i <= 9; ++i) {
    v.push_back(static_cast<float>(i));
    v.push_back(static_cast<float>(-i));
  }
  GraphBuilder g("x", {1, 3, 3, 2});
  im2col_node(g, "x", "y", {1, 3, 3, 2}, 2, 1, {0, 0, 0, 0});
  Model m = g.finish("y", {1, 2, 2, 8});
  Tensor y = execute(m, {floats({1, 3, 3, 2}, v)}).at(0);
  ASSERT_EQ(y.shape(), (Shape{1, 2, 2, 8}));
  // the window at (0, 1): pixels 2, 3, 5, 6 in (ky, kx, c) order
  std::vector<float> yv = y.floats();
  std::vector<float> w01(yv.begin() + 8, yv.begin() + 16);
  EXPECT_EQ(w01, (std::vector<float>{2, -2, 3, -3, 5, -5, 6, -6}));
  // Padding top/left 1 with pad_value 7: the first window is 7 7 7 x(0,0).
  GraphBuilder h("x", {1, 3, 3, 2});
  set_attr(im2col_node(h, "x", "y", {1, 3, 3, 2}, 2, 2, {1, 1, 0, 0}), "pad_value", int64_t{7});
  Model hm = h.finish("y", {1, 2, 2, 8});
  Tensor z = execute(hm, {floats({1, 3, 3, 2}, v)}).at(0);
  std::vector<float> zv = z.floats();
  std::vector<float> w00(zv.begin(), zv.begin() + 8);
  EXPECT_EQ(w00, (std::vector<float>{7, 7, 7, 7, 7, 7, 1, -1}));
}

TEST(Im2Col, EqualsStandardConvThroughMatMul) {
  std::mt19937 rng(1);
  for (const auto& c : conv_cases()) {
    SCOPED_TRACE(::testing::Message() << "C " << c.c << " O " << c.o << " H " << c.h << " k " << c.k
                                      << " s " << c.s << " p " << c.p);
    Model conv = conv_model(c, rng);
    Tensor W = *conv.initializer("W");
    int64_t od = out_dim(c);
    GraphBuilder g("x", {1, c.c, c.h, c.h});
    transpose(g, "x", "t", {0, 2, 3, 1});
    im2col_node(g, "t", "cols", {1, c.h, c.h, c.c}, c.k, c.s, {c.p, c.p, c.p, c.p});
    g.init("Wm", im2col_weights(W));
    g.node("MatMul", {"cols", "Wm"}, {"mm"});
    transpose(g, "mm", "y", {0, 3, 1, 2});
    Model lowered = g.finish("y", {1, c.o, od, od});
    same_outputs(conv, lowered, {1, c.c, c.h, c.h});
    // shape inference gives the Im2Col output shape
    infer_shapes(lowered);
    EXPECT_EQ(*lowered.tensor_shape("cols"), (Shape{1, od, od, c.k * c.k * c.c}));
  }
}

TEST(Im2Col, ShapeFromAttributeAndDatatypes) {
  GraphBuilder g("x", {1, 6, 6, 3});
  im2col_node(g, "x", "y", {1, 6, 6, 3}, 3, 1, {1, 1, 1, 1});
  Model m = g.finish("y", {1, 6, 6, 27});
  infer_shapes(m);
  EXPECT_EQ(*m.tensor_shape("y"), (Shape{1, 6, 6, 27}));
  // Datatype: the input's, as FINN, whenever that allows the pad value.
  for (auto dt : {DataType::sint(4), DataType::uint(8), DataType::binary(), DataType::ternary()}) {
    m.set_datatype("x", dt);
    apply(m, infer_datatypes);
    EXPECT_EQ(m.datatype("y"), dt);
  }
  // A padded bipolar input: the zeros of the padding need INT2.
  m.set_datatype("x", DataType::bipolar());
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "INT2");
  // Unpadded it stays bipolar.
  set_attr(m.node(0), "pad_amount", std::vector<int64_t>{0, 0, 0, 0});
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "BIPOLAR");
}

TEST(MaxPoolNHWC, EqualsStandardMaxPool) {
  std::mt19937 rng(2);
  struct Case {
    int64_t c, h, k, s, p, ceil;
  };
  for (Case c : std::vector<Case>{{1, 4, 2, 2, 0, 0},
                                  {16, 28, 2, 2, 0, 0},
                                  {3, 9, 3, 2, 0, 0},
                                  {5, 10, 3, 3, 0, 1},
                                  {4, 7, 3, 2, 1, 0},
                                  {2, 8, 3, 1, 1, 0},
                                  {7, 5, 5, 1, 0, 0}}) {
    SCOPED_TRACE(::testing::Message() << "C " << c.c << " H " << c.h << " k " << c.k << " s " << c.s
                                      << " p " << c.p << " ceil " << c.ceil);
    auto set_pool = [&](onnx::NodeProto& n) {
      set_attr(n, "kernel_shape", std::vector<int64_t>{c.k, c.k});
      set_attr(n, "strides", std::vector<int64_t>{c.s, c.s});
      set_attr(n, "pads", std::vector<int64_t>{c.p, c.p, c.p, c.p});
      if (c.ceil) set_attr(n, "ceil_mode", c.ceil);
    };
    auto od = [&](double span) {
      return static_cast<int64_t>(c.ceil ? std::ceil(span) : std::floor(span)) + 1;
    };
    int64_t o = od(static_cast<double>(c.h + 2 * c.p - c.k) / c.s);
    GraphBuilder a("x", {1, c.c, c.h, c.h});
    set_pool(a.node("MaxPool", {"x"}, {"y"}));
    Model std_pool = a.finish("y", {1, c.c, o, o});
    GraphBuilder b("x", {1, c.c, c.h, c.h});
    transpose(b, "x", "t", {0, 2, 3, 1});
    set_pool(b.node("MaxPoolNHWC", {"t"}, {"p"}, kGeneralDomain));
    transpose(b, "p", "y", {0, 3, 1, 2});
    Model nhwc = b.finish("y", {1, c.c, o, o});
    infer_shapes(nhwc);
    Shape s = execute(std_pool, {random_ints(rng, {1, c.c, c.h, c.h}, 0, 1)}).at(0).shape();
    EXPECT_EQ(*nhwc.tensor_shape("p"), (Shape{1, s[2], s[3], c.c}));
    same_outputs(std_pool, nhwc, {1, c.c, c.h, c.h}, -50, 50);
  }
}

TEST(MaxPoolNHWC, DatatypePassesThrough) {
  GraphBuilder g("x", {1, 4, 4, 2});
  auto& n = g.node("MaxPoolNHWC", {"x"}, {"y"}, kGeneralDomain);
  set_attr(n, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(n, "strides", std::vector<int64_t>{2, 2});
  set_attr(n, "pads", std::vector<int64_t>{0, 0, 0, 0});
  Model m = g.finish("y", {1, 2, 2, 2});
  m.set_datatype("x", DataType::bipolar());
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y"), DataType::bipolar());
}

TEST(LowerConvsToMatMul, KeepsOutputsOnEveryShape) {
  std::mt19937 rng(3);
  for (const auto& c : conv_cases()) {
    SCOPED_TRACE(::testing::Message() << "C " << c.c << " O " << c.o << " H " << c.h << " k " << c.k
                                      << " s " << c.s << " p " << c.p);
    Model m = conv_model(c, rng);
    m.set_datatype("W", DataType::sint(3));
    Tensor W = *m.initializer("W");
    Model a = m;
    apply(a, lower_convs_to_matmul);
    bool direct = c.k == 1 && c.s == 1 && c.p == 0;
    Ops want = direct ? Ops{"Transpose", "MatMul", "Transpose"}
                      : Ops{"Transpose", "Im2Col", "MatMul", "Transpose"};
    EXPECT_EQ(ops(a), want);
    same_outputs(m, a, {1, c.c, c.h, c.h});
    // The weights keep their name and annotation, in (ky, kx, c) row order.
    int mm = direct ? 1 : 2;
    EXPECT_EQ(a.node(mm).input(1), "W");
    EXPECT_TRUE(a.initializer("W")->identical(im2col_weights(W)));
    EXPECT_EQ(a.datatype("W").name(), "INT3");
    if (!direct) {
      const auto& im = a.node(1);
      EXPECT_EQ(attr_ints(im, "pad_amount"), (std::vector<int64_t>{c.p, c.p, c.p, c.p}));
      EXPECT_EQ(attr_ints(im, "stride"), (std::vector<int64_t>{c.s, c.s}));
      EXPECT_EQ(attr_ints(im, "kernel_size"), (std::vector<int64_t>{c.k, c.k}));
      EXPECT_EQ(attr_string(im, "input_shape", ""), "(1," + std::to_string(c.h) + "," +
                                                        std::to_string(c.h) + "," +
                                                        std::to_string(c.c) + ")");
      EXPECT_EQ(attr_int(im, "depthwise", -1), c.c == 1 && c.o == 1 ? 1 : 0);
    }
  }
}

TEST(LowerConvsToMatMul, DatatypesOfTheNewTensors) {
  std::mt19937 rng(4);
  Model m = conv_model({3, 4, 6, 3, 1, 1}, rng);
  m.set_datatype("x", DataType::sint(4));
  m.set_datatype("W", DataType::sint(2));
  apply(m, infer_datatypes);
  EXPECT_EQ(m.datatype("y").name(), "INT32");
  apply(m, lower_convs_to_matmul);
  ASSERT_EQ(ops(m), (Ops{"Transpose", "Im2Col", "MatMul", "Transpose"}));
  EXPECT_EQ(m.datatype(m.node(0).output(0)).name(), "INT4");
  EXPECT_EQ(m.datatype(m.node(1).output(0)).name(), "INT4");
  EXPECT_EQ(m.datatype(m.node(2).output(0)).name(), "INT32");
  EXPECT_EQ(m.datatype("y").name(), "INT32");
}

TEST(LowerConvsToMatMul, DepthwiseBiasAutoPadAndAsymmetricPads) {
  std::mt19937 rng(6);
  // Depthwise: group == C_in == C_out, block-diagonal weights, sparsity annotation.
  Model dw = conv_model({6, 6, 7, 3, 1, 1}, rng, 6);
  Model a = dw;
  apply(a, lower_convs_to_matmul);
  same_outputs(dw, a, {1, 6, 7, 7});
  EXPECT_EQ(attr_int(a.node(1), "depthwise", 0), 1);
  EXPECT_EQ(*a.annotation("W", "tensor_sparsity"), "{'dw': {'kernel_shape': [3, 3]}}");
  EXPECT_EQ(a.initializer("W")->shape(), (Shape{54, 6}));

  // A bias (FINN v0.6 drops it) becomes an Add on the NHWC result.
  Model b = conv_model({3, 5, 6, 3, 2, 1}, rng);
  b.set_initializer("B", random_ints(rng, {5}, -9, 9));
  b.node(0).add_input("B");
  Model bl = b;
  apply(bl, lower_convs_to_matmul);
  EXPECT_EQ(ops(bl), (Ops{"Transpose", "Im2Col", "MatMul", "Add", "Transpose"}));
  same_outputs(b, bl, {1, 3, 6, 6});

  // auto_pad SAME_UPPER / SAME_LOWER and asymmetric explicit pads.
  for (std::string mode : {"SAME_UPPER", "SAME_LOWER", "EXPLICIT"}) {
    SCOPED_TRACE(mode);
    Model s = conv_model({2, 3, 8, 3, 2, 0}, rng);
    remove_attr(s.node(0), "pads");
    if (mode == "EXPLICIT")
      set_attr(s.node(0), "pads", std::vector<int64_t>{0, 1, 2, 1});
    else
      set_attr(s.node(0), "auto_pad", mode);
    infer_shapes(s);
    Model sl = s;
    apply(sl, lower_convs_to_matmul);
    same_outputs(s, sl, {1, 2, 8, 8});
    if (mode == "SAME_UPPER") {
      EXPECT_EQ(attr_ints(sl.node(1), "pad_amount"), (std::vector<int64_t>{0, 0, 1, 1}));
    } else if (mode == "SAME_LOWER") {
      EXPECT_EQ(attr_ints(sl.node(1), "pad_amount"), (std::vector<int64_t>{1, 1, 0, 0}));
    }
  }

  // A padded 1x1 conv (FINN v0.6: NameError) gets an Im2Col.
  Model one = conv_model({4, 2, 5, 1, 1, 1}, rng);
  Model ol = one;
  apply(ol, lower_convs_to_matmul);
  EXPECT_EQ(ops(ol), (Ops{"Transpose", "Im2Col", "MatMul", "Transpose"}));
  same_outputs(one, ol, {1, 4, 5, 5});
}

TEST(LowerConvsToMatMul, RefusesWhatFinnCannotMap) {
  std::mt19937 rng(7);
  struct Bad {
    std::function<void(Model&)> edit;
    std::string message;
  };
  std::vector<Bad> bad = {
      {[&](Model& m) {
         m.set_initializer("W", random_ints(rng, {4, 3, 3, 5}, -1, 1));
         set_attr(m.node(0), "kernel_shape", std::vector<int64_t>{3, 5});
       },
       "Conv_0: kernel 3x5 is not square (FINN v0.6 maps only square kernels)"},
      {[](Model& m) {
         set_attr(m.node(0), "dilations", std::vector<int64_t>{2, 2});
       },
       "Conv_0: dilations [2, 2] are not supported (FINN v0.6 maps only dilation 1)"},
      {[&](Model& m) {
         m.set_initializer("W", random_ints(rng, {4, 1, 3, 3}, -1, 1));
         m.set_tensor_shape("x", {1, 2, 9, 9});
         set_attr(m.node(0), "group", int64_t{2});
       },
       "Conv_0: group 2 is not supported (FINN v0.6 maps group 1 and depthwise convolutions, "
       "group == input channels == output channels)"},
      {[](Model& m) {
         set_attr(m.node(0), "strides", std::vector<int64_t>{1, 2});
       },
       "Conv_0: strides [1, 2] are not equal (FINN v0.6 maps only equal strides)"},
      {[](Model& m) { set_attr(m.node(0), "auto_pad", "WRAP"); },
       "Conv_0: auto_pad 'WRAP' is not supported"},
  };
  for (const auto& b : bad) {
    Model m = conv_model({3, 4, 9, 3, 1, 0}, rng);
    b.edit(m);
    Model before = m;
    try {
      lower_convs_to_matmul(m);
      ADD_FAILURE() << "no error for: " << b.message;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), b.message);
    }
    EXPECT_EQ(m.serialize(), before.serialize());
  }
}

TEST(MakeMaxPoolNHWC, BothPatternsAndTheTransposesCancel) {
  // NHWC in: Transpose(0,3,1,2) -> MaxPool -> Transpose(0,2,3,1) becomes one MaxPoolNHWC.
  GraphBuilder g("x", {1, 6, 6, 3});
  transpose(g, "x", "a", {0, 3, 1, 2});
  auto& p = g.node("MaxPool", {"a"}, {"b"});
  set_attr(p, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(p, "strides", std::vector<int64_t>{2, 2});
  transpose(g, "b", "y", {0, 2, 3, 1});
  Model m = g.finish("y", {1, 3, 3, 3});
  infer_shapes(m);
  Model a = m;
  apply(a, make_maxpool_nhwc);
  EXPECT_EQ(ops(a), (Ops{"Transpose", "Transpose", "MaxPoolNHWC"}));
  EXPECT_EQ(a.node(2).domain(), kGeneralDomain);
  EXPECT_EQ(attr_ints(a.node(2), "pads"), (std::vector<int64_t>{0, 0, 0, 0}));
  same_outputs(m, a, {1, 6, 6, 3}, -20, 20);
  apply(a, absorb_consecutive_transposes);
  EXPECT_EQ(ops(a), (Ops{"MaxPoolNHWC"}));
  same_outputs(m, a, {1, 6, 6, 3}, -20, 20);

  // NCHW in, the MaxPool output read twice: only the Transpose before it may move.
  GraphBuilder h("x", {1, 6, 6, 3});
  transpose(h, "x", "a", {0, 3, 1, 2});
  auto& q = h.node("MaxPool", {"a"}, {"b"});
  set_attr(q, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(q, "strides", std::vector<int64_t>{3, 3});
  transpose(h, "b", "c", {0, 2, 3, 1});
  h.node("Relu", {"b"}, {"d"});
  h.node("Add", {"c", "c"}, {"y"});
  Model hm = h.finish("y", {1, 2, 2, 3});
  infer_shapes(hm);
  Model ha = hm;
  apply(ha, make_maxpool_nhwc);
  EXPECT_EQ(ops(ha), (Ops{"MaxPoolNHWC", "Transpose", "Transpose", "Relu", "Add"}));
  same_outputs(hm, ha, {1, 6, 6, 3}, -20, 20);
}

TEST(AbsorbTransposeIntoMultiThreshold, RemovesOrMovesTheTransposes) {
  std::mt19937 rng(8);
  Tensor T = random_ints(rng, {4, 3}, -5, 5);
  auto mt = [&](GraphBuilder& g, const std::string& in, const std::string& out) {
    g.init("T", T);
    set_attr(g.node("MultiThreshold", {in, "T"}, {out}, kGeneralDomain), "out_dtype", "UINT2");
  };
  // Transpose(0,3,1,2) -> MT -> Transpose(0,2,3,1): one NHWC MultiThreshold.
  GraphBuilder g("x", {1, 5, 5, 4});
  transpose(g, "x", "a", {0, 3, 1, 2});
  mt(g, "a", "b");
  transpose(g, "b", "y", {0, 2, 3, 1});
  Model m = g.finish("y", {1, 5, 5, 4});
  infer_shapes(m);
  Model a = m;
  apply(a, absorb_transpose_into_multithreshold);
  EXPECT_EQ(ops(a), (Ops{"MultiThreshold"}));
  EXPECT_EQ(attr_string(a.node(0), "data_layout", ""), "NHWC");
  same_outputs(m, a, {1, 5, 5, 4}, -6, 6);

  // Followed by a Reshape: the Transpose moves behind the (NHWC) MultiThreshold.
  GraphBuilder h("x", {1, 5, 5, 4});
  transpose(h, "x", "a", {0, 3, 1, 2});
  mt(h, "a", "b");
  h.init("shape", Tensor::from<int64_t>({2}, {1, 100}));
  h.node("Reshape", {"b", "shape"}, {"y"});
  Model hm = h.finish("y", {1, 100});
  infer_shapes(hm);
  Model ha = hm;
  apply(ha, absorb_transpose_into_multithreshold);
  EXPECT_EQ(ops(ha), (Ops{"MultiThreshold", "Transpose", "Reshape"}));
  EXPECT_EQ(attr_string(ha.node(0), "data_layout", ""), "NHWC");
  same_outputs(hm, ha, {1, 5, 5, 4}, -6, 6);
}

TEST(LowerConvsToMatMul, SmallCnnStreamlinesToNhwcLayers) {
  // UINT8 image -> MT (INT4) -> Conv 3x3 pad 1 -> BN-like Mul/Add -> MT (UINT4) -> MaxPool
  // -> Conv 3x3 -> MT -> Flatten -> MatMul: the whole step_streamline, outputs unchanged.
  std::mt19937 rng(9);
  GraphBuilder g("x", {1, 2, 8, 8});
  Tensor T0 = random_ints(rng, {2, 15}, 0, 255);
  g.init("T0", T0);
  auto& m0 = g.node("MultiThreshold", {"x", "T0"}, {"a"}, kGeneralDomain);
  set_attr(m0, "out_dtype", "INT4");
  set_attr(m0, "out_bias", -8.0f);
  g.init("W0", random_ints(rng, {4, 2, 3, 3}, -7, 7));
  auto& c0 = g.node("Conv", {"a", "W0"}, {"b"});
  set_attr(c0, "kernel_shape", std::vector<int64_t>{3, 3});
  set_attr(c0, "pads", std::vector<int64_t>{1, 1, 1, 1});
  g.init("s0", random_floats(rng, {1, 4, 1, 1}, 0.5f, 2.0f));
  g.node("Mul", {"b", "s0"}, {"c"});
  g.init("T1", random_ints(rng, {4, 15}, -60, 60));
  set_attr(g.node("MultiThreshold", {"c", "T1"}, {"d"}, kGeneralDomain), "out_dtype", "UINT4");
  auto& p = g.node("MaxPool", {"d"}, {"e"});
  set_attr(p, "kernel_shape", std::vector<int64_t>{2, 2});
  set_attr(p, "strides", std::vector<int64_t>{2, 2});
  g.init("W1", random_ints(rng, {3, 4, 3, 3}, -7, 7));
  set_attr(g.node("Conv", {"e", "W1"}, {"f"}), "kernel_shape", std::vector<int64_t>{3, 3});
  g.init("T2", random_ints(rng, {3, 3}, -100, 100));
  set_attr(g.node("MultiThreshold", {"f", "T2"}, {"h"}, kGeneralDomain), "out_dtype", "UINT2");
  set_attr(g.node("Flatten", {"h"}, {"i"}), "axis", int64_t{1});
  g.init("W2", random_ints(rng, {12, 5}, -7, 7));
  g.node("MatMul", {"i", "W2"}, {"y"});
  Model m = g.finish("y", {1, 5});
  m.set_datatype("x", DataType::uint(8));
  for (const char* w : {"W0", "W1", "W2"}) m.set_datatype(w, DataType::sint(4));
  tidy_up(m);
  Model s = m;
  streamline_step(s);
  EXPECT_EQ(ops(s),
            (Ops{"MultiThreshold", "Transpose", "Im2Col", "MatMul", "MultiThreshold", "MaxPoolNHWC",
                 "Im2Col", "MatMul", "MultiThreshold", "Transpose", "Flatten", "MatMul"}));
  same_outputs(m, s, {1, 2, 8, 8}, 0, 255, 8);
  // Layouts: NCHW up to the first Transpose, NHWC after it, NC after the Flatten.
  EXPECT_EQ(*s.layout(s.node(0).output(0)), (std::vector<std::string>{"N", "C", "H", "W"}));
  for (int i = 1; i <= 8; ++i)
    EXPECT_EQ(*s.layout(s.node(i).output(0)), (std::vector<std::string>{"N", "H", "W", "C"}))
        << s.node(i).name();
  EXPECT_EQ(*s.layout(s.node(9).output(0)), (std::vector<std::string>{"N", "C", "H", "W"}));
  EXPECT_EQ(*s.layout(s.node(10).output(0)), (std::vector<std::string>{"N", "C"}));
  EXPECT_EQ(attr_string(s.node(4), "data_layout", ""), "NHWC");
  EXPECT_EQ(s.datatype(s.node(2).output(0)).name(), "INT4");
  EXPECT_EQ(attr_ints(s.node(2), "pad_amount"), (std::vector<int64_t>{1, 1, 1, 1}));
}
