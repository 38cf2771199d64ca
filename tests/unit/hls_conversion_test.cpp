// Hardware ops and step_convert_to_hls / step_create_dataflow_partition: shapes and widths
// from hardware.md §1.1, conversions whose execution equals the subgraph they replace.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/hls_conversion.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;
namespace fs = std::filesystem;

namespace {

onnx::NodeProto hw_node(const std::string& op, std::vector<std::pair<std::string, int64_t>> ints,
                        std::vector<std::pair<std::string, std::string>> strs, Shape vecs = {1}) {
  // The weight or threshold input of the layers that have one (find_op refuses them without)
  std::vector<std::string> inputs = {"x"};
  if (op == "StreamingFCLayer_Batch" || op == "Thresholding_Batch") inputs.push_back("w");
  auto n = make_node(op, inputs, {"y"}, kDataflowDomain, op + "_0");
  set_attr(n, "backend", "fpgadataflow");
  for (auto& [k, v] : ints) set_attr(n, k, v);
  for (auto& [k, v] : strs) set_attr(n, k, v);
  set_attr(n, "numInputVectors", vecs);
  return n;
}

std::vector<std::string> ops(const Model& m) {
  std::vector<std::string> v;
  for (const auto& n : m.graph().node()) v.push_back(n.op_type());
  return v;
}

void expect_same(const Model& a, const Model& b, const Shape& shape, int lo, int hi,
                 bool bipolar = false) {
  std::mt19937 rng(17);
  Executor ea(a), eb(b);
  for (int i = 0; i < 32; ++i) {
    Tensor x = random_ints(rng, shape, lo, hi);
    if (bipolar)
      for (float& v : x.span<float>()) v = v > 0 ? 1.0f : -1.0f;
    expect_close(ea.run({x}).at(0), eb.run({x}).at(0), 0);
  }
}

Model converted(Model m, ConversionNotes* notes = nullptr) {
  ConvertToHlsOptions o;
  convert_to_hls_step(m, o, notes);
  return m;
}

// x (INT4) -> MatMul(W INT3) -> MultiThreshold
Model fc_model(const char* odt, float bias, float scale = 1, int64_t mh = 4) {
  std::mt19937 rng(1);
  GraphBuilder g("x", {1, 6});
  g.init("W", random_ints(rng, {6, mh}, -4, 3));
  g.node("MatMul", {"x", "W"}, {"acc"});
  Tensor t(ElemType::Float, {mh, 3});
  for (int64_t c = 0; c < mh; ++c)
    for (int k = 0; k < 3; ++k) t.span<float>()[c * 3 + k] = static_cast<float>(-20 + 15 * k + c);
  g.init("T", t);
  auto& mt = g.node("MultiThreshold", {"acc", "T"}, {"y"}, kGeneralDomain);
  set_attr(mt, "out_dtype", odt);
  set_attr(mt, "out_bias", bias);
  set_attr(mt, "out_scale", scale);
  Model m = g.finish("y", {1, mh});
  m.set_datatype("x", DataType::sint(4));
  m.set_datatype("W", DataType::sint(3));
  apply(m, infer_datatypes);
  return m;
}

}  // namespace

TEST(HwOps, FoldedShapesAndWidthsOfHardwareMdTable) {
  auto fc = hw_node("StreamingFCLayer_Batch", {{"MW", 6}, {"MH", 4}, {"SIMD", 3}, {"PE", 2}},
                    {{"inputDataType", "UINT4"},
                     {"weightDataType", "INT4"},
                     {"outputDataType", "UINT2"},
                     {"mem_mode", "decoupled"}});
  const HwOp* op = hw_op_of(fc);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->folded_input_shape(fc), (Shape{1, 2, 3}));
  EXPECT_EQ(op->instream_width(fc), 12);
  EXPECT_EQ(op->instream_width_padded(fc), 16);
  EXPECT_EQ(op->folded_output_shape(fc), (Shape{1, 2, 2}));
  EXPECT_EQ(op->outstream_width(fc), 4);
  EXPECT_EQ(op->outstream_width_padded(fc), 8);
  EXPECT_EQ(op->instream_width(fc, 1), 24);  // decoupled weight word

  auto ext = hw_node("StreamingFCLayer_Batch",
                     {{"MW", 27}, {"MH", 16}, {"SIMD", 9}, {"PE", 4}, {"noActivation", 1}},
                     {{"inputDataType", "UINT3"},
                      {"weightDataType", "INT2"},
                      {"outputDataType", "INT5"},
                      {"mem_mode", "external"}},
                     {1, 3, 3});
  EXPECT_EQ(op->folded_input_shape(ext), (Shape{1, 3, 3, 3, 9}));
  EXPECT_EQ(op->instream_width_padded(ext), 32);
  EXPECT_EQ(op->folded_output_shape(ext), (Shape{1, 3, 3, 4, 4}));
  EXPECT_EQ(op->outstream_width_padded(ext), 24);
  EXPECT_EQ(op->folded_input_shape(ext, 1), (Shape{1, 3, 3, 12, 36}));
  EXPECT_EQ(op->instream_width(ext, 1), 72);

  auto th = hw_node(
      "Thresholding_Batch", {{"NumChannels", 6}, {"PE", 2}, {"numSteps", 3}},
      {{"inputDataType", "UINT8"}, {"weightDataType", "UINT8"}, {"outputDataType", "UINT2"}},
      {1, 2, 2});
  const HwOp* top = hw_op_of(th);
  EXPECT_EQ(top->folded_input_shape(th), (Shape{1, 2, 2, 3, 2}));
  EXPECT_EQ(top->instream_width_padded(th), 16);
  EXPECT_EQ(top->outstream_width(th), 4);
  EXPECT_EQ(top->outstream_width_padded(th), 8);
  EXPECT_EQ(top->number_output_values(th), 12);

  struct LS {
    int64_t labels, pe, k;
    const char* idt;
    Shape fin;
    int64_t win;
    Shape fout;
    int64_t wout;
    const char* odt;
  } cases[] = {{10, 1, 1, "UINT8", {1, 10, 1}, 8, {1, 1, 1}, 8, "UINT8"},
               {10, 5, 3, "INT16", {1, 2, 5}, 80, {1, 3, 1}, 8, "UINT8"},
               {1000, 10, 5, "INT32", {1, 100, 10}, 320, {1, 5, 1}, 16, "UINT16"},
               {257, 1, 1, "UINT8", {1, 257, 1}, 8, {1, 1, 1}, 16, "UINT16"}};
  for (const auto& c : cases) {
    auto ls = hw_node("LabelSelect_Batch", {{"Labels", c.labels}, {"PE", c.pe}, {"K", c.k}},
                      {{"inputDataType", c.idt}});
    const HwOp* lop = hw_op_of(ls);
    EXPECT_EQ(lop->folded_input_shape(ls), c.fin);
    EXPECT_EQ(lop->instream_width(ls), c.win);
    EXPECT_EQ(lop->folded_output_shape(ls), c.fout);
    EXPECT_EQ(lop->outstream_width(ls), c.wout);
    EXPECT_EQ(lop->output_datatype(ls).name(), c.odt);
  }
}

TEST(HwOps, FoldingMustDivide) {
  auto fc = hw_node(
      "StreamingFCLayer_Batch", {{"MW", 6}, {"MH", 4}, {"SIMD", 4}, {"PE", 2}},
      {{"inputDataType", "UINT4"}, {"weightDataType", "INT4"}, {"outputDataType", "UINT2"}});
  try {
    hw_op_of(fc)->folded_input_shape(fc);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "node 'StreamingFCLayer_Batch_0' (StreamingFCLayer_Batch): SIMD=4 does not divide "
              "MW=6 (allowed: 1, 2, 3, 6)");
  }
}

TEST(ConvertToHls, QuantizedFcWithThresholds) {
  Model m = fc_model("UINT2", 0);
  Model h = converted(m);
  ASSERT_EQ(ops(h), (std::vector<std::string>{"StreamingFCLayer_Batch"}));
  NodeAttrs a(h.node(0));
  EXPECT_EQ(h.node(0).name(), "StreamingFCLayer_Batch_0");
  EXPECT_EQ(a.i("MW"), 6);
  EXPECT_EQ(a.i("MH"), 4);
  EXPECT_EQ(a.i("noActivation"), 0);
  EXPECT_EQ(a.s("mem_mode"), "decoupled");
  EXPECT_EQ(a.s("inputDataType"), "INT4");
  EXPECT_EQ(a.s("outputDataType"), "UINT2");
  expect_same(m, h, {1, 6}, -8, 7);
}

TEST(ConvertToHls, SignedAndBipolarOutputs) {
  Model s = fc_model("INT2", -2);
  Model hs = converted(s);
  EXPECT_EQ(NodeAttrs(hs.node(0)).i("ActVal"), -2);
  expect_same(s, hs, {1, 6}, -8, 7);
  // bipolar: out_scale 2, out_bias -1 become ActVal 0 with one threshold
  std::mt19937 rng(3);
  GraphBuilder g("x", {1, 6});
  g.init("W", random_ints(rng, {6, 3}, -4, 3));
  g.node("MatMul", {"x", "W"}, {"acc"});
  g.init("T", floats({3, 1}, {0, 5, -5}));
  auto& mt = g.node("MultiThreshold", {"acc", "T"}, {"y"}, kGeneralDomain);
  set_attr(mt, "out_dtype", "BIPOLAR");
  set_attr(mt, "out_scale", 2.0f);
  set_attr(mt, "out_bias", -1.0f);
  Model b = g.finish("y", {1, 3});
  b.set_datatype("x", DataType::sint(4));
  b.set_datatype("W", DataType::sint(3));
  apply(b, infer_datatypes);
  Model hb = converted(b);
  EXPECT_EQ(NodeAttrs(hb.node(0)).i("ActVal"), 0);
  EXPECT_EQ(NodeAttrs(hb.node(0)).s("outputDataType"), "BIPOLAR");
  expect_same(b, hb, {1, 6}, -8, 7);
}

TEST(ConvertToHls, NoActivationWidensToWholeBytes) {
  std::mt19937 rng(4);
  GraphBuilder g("x", {1, 14});
  Tensor w = random_ints(rng, {14, 5}, -32, 31);
  w.span<float>()[0] = -32;
  w.span<float>()[1] = 31;
  g.init("W", w);
  g.node("MatMul", {"x", "W"}, {"y"});
  Model m = g.finish("y", {1, 5});
  m.set_datatype("x", DataType::sint(6));
  m.set_datatype("W", DataType::sint(6));
  apply(m, infer_datatypes);
  Model h = converted(m);
  NodeAttrs a(h.node(0));
  // acc in [14 * -992, 14 * 1024] -> INT15 -> INT16 (whole bytes), which is also the output type
  EXPECT_EQ(a.s("accDataType"), "INT16");
  EXPECT_EQ(a.s("outputDataType"), "INT16");
  EXPECT_EQ(a.i("noActivation"), 1);
  expect_same(m, h, {1, 14}, -32, 31);
}

TEST(ConvertToHls, XnorThresholdingAndLabelSelect) {
  std::mt19937 rng(6);
  GraphBuilder g("x", {1, 8});
  g.init("W", random_ints(rng, {8, 6}, 0, 1));
  g.node("XnorPopcountMatMul", {"x", "W"}, {"pop"}, kGeneralDomain);
  g.init("T", floats({6, 1}, {4, 3, 5, 4, 2, 6}));
  set_attr(g.node("MultiThreshold", {"pop", "T"}, {"b"}, kGeneralDomain), "out_dtype", "BINARY");
  g.init("W2", random_ints(rng, {6, 5}, -2, 1));
  g.node("MatMul", {"b", "W2"}, {"acc"});
  g.init("T2", floats({1, 3}, {-1, 0, 1}));
  set_attr(g.node("MultiThreshold", {"acc", "T2"}, {"q"}, kGeneralDomain), "out_dtype", "UINT2");
  g.init("k", Tensor::from<int64_t>({1}, {2}));
  g.node("TopK", {"q", "k"}, {"vals", "y"});
  Model m = g.finish("y", {1, 2});
  m.set_tensor_shape("y", {1, 2}, ElemType::Int64);
  m.set_datatype("x", DataType::binary());
  m.set_datatype("W", DataType::binary());
  m.set_datatype("W2", DataType::sint(2));
  apply(m, infer_datatypes);
  Model h = converted(m);
  EXPECT_EQ(ops(h), (std::vector<std::string>{"StreamingFCLayer_Batch", "StreamingFCLayer_Batch",
                                              "LabelSelect_Batch"}));
  EXPECT_EQ(NodeAttrs(h.node(0)).i("binaryXnorMode"), 1);
  EXPECT_EQ(NodeAttrs(h.node(0)).s("accDataType"), "UINT4");
  EXPECT_EQ(NodeAttrs(h.node(2)).i("K"), 2);
  // FINN's constructor stores the derived output type; the indices are annotated with it
  EXPECT_EQ(NodeAttrs(h.node(2)).s("outputDataType"), "UINT8");
  EXPECT_EQ(h.datatype("y").name(), "UINT8");
  expect_same(m, h, {1, 8}, 0, 1);
  // a standalone threshold on an integer tensor becomes Thresholding_Batch
  GraphBuilder t("x", {1, 4});
  t.init("T", floats({4, 2}, {1, 9, 2, 8, 3, 7, 4, 300}));
  set_attr(t.node("MultiThreshold", {"x", "T"}, {"y"}, kGeneralDomain), "out_dtype", "UINT2");
  Model tm = t.finish("y", {1, 4});
  tm.set_datatype("x", DataType::uint(8));
  apply(tm, infer_datatypes);
  Model th = converted(tm);
  ASSERT_EQ(ops(th), (std::vector<std::string>{"Thresholding_Batch"}));
  EXPECT_EQ(NodeAttrs(th.node(0)).s("weightDataType"), "UINT9");
  expect_same(tm, th, {1, 4}, 0, 255);
}

TEST(DataflowPartition, ParentRunsThroughTheChild) {
  // float MultiThreshold on the host, then two hardware layers, then a float Mul on the host
  std::mt19937 rng(8);
  GraphBuilder g("x", {1, 6});
  g.init("T0", floats({1, 3}, {-0.5f, 0.5f, 1.5f}));
  auto& q = g.node("MultiThreshold", {"x", "T0"}, {"q"}, kGeneralDomain);
  set_attr(q, "out_dtype", "INT2");
  set_attr(q, "out_bias", -2.0f);
  g.init("W", random_ints(rng, {6, 4}, -2, 1));
  g.node("MatMul", {"q", "W"}, {"acc"});
  g.init("T", floats({1, 3}, {-3, 0, 3}));
  set_attr(g.node("MultiThreshold", {"acc", "T"}, {"a"}, kGeneralDomain), "out_dtype", "UINT2");
  g.init("W2", random_ints(rng, {4, 3}, -2, 1));
  g.node("MatMul", {"a", "W2"}, {"acc2"});
  g.init("s", floats({}, {0.25f}));
  g.node("Mul", {"acc2", "s"}, {"y"});
  Model m = g.finish("y", {1, 3});
  m.set_datatype("W", DataType::sint(2));
  m.set_datatype("W2", DataType::sint(2));
  apply(m, infer_datatypes);
  ConversionNotes notes;
  Model parent = converted(m, &notes);
  fs::path dir = fs::temp_directory_path() / ("shoal_partition_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  PartitionResult r = create_dataflow_partition(parent, "child.onnx", notes);
  EXPECT_EQ(r.host_before, (std::vector<std::string>{"MultiThreshold_0"}));
  EXPECT_EQ(r.host_after, (std::vector<std::string>{"Mul_0"}));
  EXPECT_EQ(ops(parent),
            (std::vector<std::string>{"MultiThreshold", "StreamingDataflowPartition", "Mul"}));
  EXPECT_EQ(ops(r.child),
            (std::vector<std::string>{"StreamingFCLayer_Batch", "StreamingFCLayer_Batch"}));
  r.child.save((dir / "child.onnx").string());
  parent.save((dir / "parent.onnx").string());
  Model loaded = Model::load((dir / "parent.onnx").string());
  std::mt19937 r2(2);
  for (int i = 0; i < 16; ++i) {
    Tensor x = random_floats(r2, {1, 6}, -2, 2);
    expect_close(execute(m, {x}).at(0), execute(loaded, {x}).at(0), 0);
  }
  fs::remove_all(dir);
}

TEST(DataflowPartition, SplitIsAnErrorNamingTheNode) {
  std::mt19937 rng(8);
  GraphBuilder g("x", {1, 6});
  g.init("W", random_ints(rng, {6, 4}, -2, 1));
  g.node("MatMul", {"x", "W"}, {"acc"});
  g.init("T", floats({1, 3}, {-3, 0, 3}));
  set_attr(g.node("MultiThreshold", {"acc", "T"}, {"a"}, kGeneralDomain), "out_dtype", "UINT2");
  g.node("Softmax", {"a"}, {"s"});
  g.init("Ts", floats({1, 3}, {0.2f, 0.4f, 0.6f}));
  set_attr(g.node("MultiThreshold", {"s", "Ts"}, {"q"}, kGeneralDomain), "out_dtype", "UINT2");
  g.init("W2", random_ints(rng, {4, 3}, -2, 1));
  g.node("MatMul", {"q", "W2"}, {"acc2"});
  g.init("T2", floats({1, 1}, {0}));
  set_attr(g.node("MultiThreshold", {"acc2", "T2"}, {"y"}, kGeneralDomain), "out_dtype", "BINARY");
  Model m = g.finish("y", {1, 3});
  m.set_datatype("x", DataType::sint(4));
  m.set_datatype("W", DataType::sint(2));
  m.set_datatype("W2", DataType::sint(2));
  apply(m, infer_datatypes);
  ConversionNotes notes;
  Model h = converted(m, &notes);
  try {
    create_dataflow_partition(h, "c.onnx", notes);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "the hardware partition would split: node 'Softmax_0' (Softmax) cannot become "
              "hardware: op Softmax "
              "has no hardware implementation; node 'MultiThreshold_0' (MultiThreshold) cannot "
              "become hardware: "
              "its input 's' is FLOAT32, not an integer type");
  }
}
