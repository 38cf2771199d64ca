// FINN v0.6's convolution hardware ops (conv.md §4): ConvolutionInputGenerator,
// FMPadding_Batch, StreamingMaxPool_Batch, and the MVAU / Thresholding on feature maps.
// Estimates against the numbers of FINN's builds, execution against independent loops and
// the standard ONNX ops, folding against hand-computed SetFolding runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "shoal/core/error.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/ops/kernels.hpp"
#include "shoal/transforms/folding.hpp"
#include "shoal/transforms/transforms.hpp"
#include "test_util.hpp"

using namespace shoal;
using namespace shoal::test;

namespace {

onnx::NodeProto hw_node(const std::string& op, const std::string& name = "") {
  auto n = make_node(op, {"x"}, {"y"}, kDataflowDomain, name.empty() ? op + "_0" : name);
  set_attr(n, "backend", "fpgadataflow");
  return n;
}

onnx::NodeProto swg(int64_t k, int64_t ifm, int64_t ofm, int64_t c, int64_t simd, int64_t stride,
                    const char* dt, const std::string& name = "") {
  auto n = hw_node("ConvolutionInputGenerator", name);
  set_attr(n, "ConvKernelDim", std::vector<int64_t>{k, k});
  set_attr(n, "IFMChannels", c);
  set_attr(n, "IFMDim", std::vector<int64_t>{ifm, ifm});
  set_attr(n, "OFMDim", std::vector<int64_t>{ofm, ofm});
  set_attr(n, "SIMD", simd);
  set_attr(n, "Stride", std::vector<int64_t>{stride, stride});
  set_attr(n, "Dilation", std::vector<int64_t>{1, 1});
  set_attr(n, "inputDataType", dt);
  set_attr(n, "outputDataType", dt);
  return n;
}

onnx::NodeProto fmpad(int64_t h, int64_t w, std::vector<int64_t> pads, int64_t c, int64_t simd,
                      const char* dt, const std::string& name = "") {
  auto n = hw_node("FMPadding_Batch", name);
  set_attr(n, "ImgDim", std::vector<int64_t>{h, w});
  set_attr(n, "Padding", pads);
  set_attr(n, "NumChannels", c);
  set_attr(n, "SIMD", simd);
  set_attr(n, "inputDataType", dt);
  return n;
}

onnx::NodeProto maxpool(int64_t dim, int64_t k, int64_t c, const char* dt,
                        const std::string& name = "") {
  auto n = hw_node("StreamingMaxPool_Batch", name);
  set_attr(n, "ImgDim", dim);
  set_attr(n, "PoolDim", k);
  set_attr(n, "NumChannels", c);
  set_attr(n, "dataType", dt);
  return n;
}

onnx::NodeProto mvau(int64_t mw, int64_t mh, int64_t simd, int64_t pe, std::vector<int64_t> vecs,
                     const char* idt, const char* wdt, const std::string& name = "") {
  auto n = make_node("StreamingFCLayer_Batch", {"x", "w"}, {"y"}, kDataflowDomain,
                     name.empty() ? "StreamingFCLayer_Batch_0" : name);
  set_attr(n, "backend", "fpgadataflow");
  set_attr(n, "MW", mw);
  set_attr(n, "MH", mh);
  set_attr(n, "SIMD", simd);
  set_attr(n, "PE", pe);
  set_attr(n, "numInputVectors", vecs);
  set_attr(n, "inputDataType", idt);
  set_attr(n, "weightDataType", wdt);
  set_attr(n, "outputDataType", "INT32");
  set_attr(n, "accDataType", "INT32");
  set_attr(n, "noActivation", int64_t{1});
  set_attr(n, "mem_mode", "decoupled");
  return n;
}

onnx::NodeProto thresholding(int64_t c, int64_t pe, std::vector<int64_t> vecs, int64_t steps,
                             const char* idt, const char* odt, int64_t act_val) {
  auto n =
      make_node("Thresholding_Batch", {"x", "t"}, {"y"}, kDataflowDomain, "Thresholding_Batch_0");
  set_attr(n, "backend", "fpgadataflow");
  set_attr(n, "NumChannels", c);
  set_attr(n, "PE", pe);
  set_attr(n, "numInputVectors", vecs);
  set_attr(n, "numSteps", steps);
  set_attr(n, "inputDataType", idt);
  set_attr(n, "weightDataType", idt);
  set_attr(n, "outputDataType", odt);
  set_attr(n, "ActVal", act_val);
  return n;
}

// A one-node model around `n` (inputs x plus initializers), executed without sanitising.
Tensor run_node(onnx::NodeProto n, const Tensor& x, const Shape& out_shape,
                const std::vector<std::pair<std::string, Tensor>>& inits = {}) {
  GraphBuilder g("x", x.shape());
  for (const auto& [name, t] : inits) g.init(name, t);
  *g.m.graph().add_node() = n;
  Model m = g.finish(n.output(0), out_shape);
  ExecOptions o;
  o.sanitize = false;
  return execute(m, {x}, o).at(0);
}

// An error whose message names `what`.
template <typename F>
void expect_error_naming(F f, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one naming " << what;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

int64_t conv_out(int64_t d, int64_t k, int64_t s) {
  return (d - k) / s + 1;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// estimates: the worked numbers of conv.md §4 and §3.4

TEST(ConvHwEstimates, SlidingWindowCnvSwg1) {
  // cnv_w1a1 SWG1 at SIMD 8: 30x30x64 BINARY, 3x3, OFMDim 28
  auto n = swg(3, 30, 28, 64, 8, 1, "BINARY");
  const HwOp* op = hw_op_of(n);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->exp_cycles(n), 57168);
  EXPECT_EQ(op->lut_estimation(n), 428);
  EXPECT_EQ(op->bram_estimation(n), 0);  // default ram_style distributed
  EXPECT_EQ(op->uram_estimation(n), 0);
  EXPECT_EQ(op->dsp_estimation(n), 0);
  EXPECT_EQ(op->normal_input_shape(n), (Shape{1, 30, 30, 64}));
  EXPECT_EQ(op->normal_output_shape(n), (Shape{1, 28, 28, 576}));
  EXPECT_EQ(op->folded_input_shape(n), (Shape{1, 30, 30, 8, 8}));
  EXPECT_EQ(op->folded_output_shape(n), (Shape{1, 28, 28, 72, 8}));
  EXPECT_EQ(op->instream_width(n), 8);
  EXPECT_EQ(op->outstream_width(n), 8);
  EXPECT_EQ(op->number_output_values(n), 28 * 28 * 72);
  // block: depth 30*64/8 = 240 words -> 36-bit wide BRAMs, (3+1) * ceil(8/36) * 1
  set_attr(n, "ram_style", "block");
  EXPECT_EQ(op->bram_estimation(n), 4);
  EXPECT_EQ(op->lut_estimation(n), 300);
  EXPECT_EQ(op->uram_estimation(n), 0);
  set_attr(n, "ram_style", "ultra");
  EXPECT_EQ(op->uram_estimation(n), 4);  // (3+1) * ceil(8/64) * ceil(240/4096)
  EXPECT_EQ(op->bram_estimation(n), 0);
  EXPECT_EQ(op->lut_estimation(n), 300);
}

TEST(ConvHwEstimates, SlidingWindowSmallCnnSwg0BoundsTheNetwork) {
  // small_cnn_w4a4 SWG0: padded 30x30, one channel, so SIMD is 1 and 7146 cycles (§3.4)
  auto n = swg(3, 30, 28, 1, 1, 1, "UINT4");
  EXPECT_EQ(hw_op_of(n)->exp_cycles(n), 90 + 28 * 252);
  EXPECT_EQ(hw_op_of(n)->exp_cycles(n), 7146);
}

TEST(ConvHwEstimates, SlidingWindowBramWidthsAndUram) {
  struct Row {
    int64_t k, ifm, c, simd, stride;
    const char* dt;
    int64_t bram, uram, lut_distributed;
  } rows[] = {
      // depth 41*50/2 = 1025 -> 9-bit wide: 4 * ceil(16/9) = 8; URAM 4 * 1 * 1;
      // LUT 300 + 4 * 2*8 * ceil(1025/64) = 300 + 64 * 17
      {3, 41, 50, 2, 1, "INT8", 8, 4, 300 + 64 * 17},
      // depth 64*256/4 = 4096 -> 4-bit wide: 7 * ceil(16/4) = 28; URAM 7; LUT 300 + 7*16*64
      {5, 64, 256, 4, 2, "UINT4", 28, 7, 7468},
      // depth 100*64 = 6400 -> 2-bit wide: 5 * 1 = 5; URAM 5 * 1 * ceil(6400/4096) = 10
      {3, 100, 64, 1, 2, "INT2", 5, 10, 1300},
      // depth 9000 -> 1-bit wide: 4 * ceil(3/1) = 12; URAM 4 * ceil(9000/4096) = 12
      {3, 90, 100, 1, 1, "INT3", 12, 12, 300 + 4 * 3 * 141},
  };
  for (const auto& r : rows) {
    auto n = swg(r.k, r.ifm, conv_out(r.ifm, r.k, r.stride), r.c, r.simd, r.stride, r.dt);
    const HwOp* op = hw_op_of(n);
    SCOPED_TRACE(r.ifm);
    EXPECT_EQ(op->lut_estimation(n), r.lut_distributed);
    set_attr(n, "ram_style", "block");
    EXPECT_EQ(op->bram_estimation(n), r.bram);
    set_attr(n, "ram_style", "auto");
    EXPECT_EQ(op->bram_estimation(n), r.bram);
    EXPECT_EQ(op->lut_estimation(n), 300);
    EXPECT_EQ(op->uram_estimation(n), 0);
    set_attr(n, "ram_style", "ultra");
    EXPECT_EQ(op->uram_estimation(n), r.uram);
    EXPECT_EQ(op->bram_estimation(n), 0);
    // no efficiencies: FINN's SWG leaves them at int 1
    EXPECT_FALSE(op->bram_efficiency(n).has_value());
  }
}

TEST(ConvHwEstimates, SlidingWindowCyclesUseTheOfmDimAttribute) {
  // D 10, k 3, s 2: floor gives OH 4; the estimate takes OFMDim as written (conv.md §8)
  auto n = swg(3, 10, 4, 2, 1, 2, "UINT2");
  EXPECT_EQ(hw_op_of(n)->normal_output_shape(n), (Shape{1, 4, 4, 18}));
  // 10*3*2 + 4 * max(4*9*2 = 72, 2*10*2 = 40)
  EXPECT_EQ(hw_op_of(n)->exp_cycles(n), 60 + 4 * 72);
  set_attr(n, "OFMDim", std::vector<int64_t>{5, 5});
  EXPECT_EQ(hw_op_of(n)->exp_cycles(n), 60 + 5 * 90);
  // reading dominates: 1x1 kernel, stride 2 -> max(4*1*2, 2*10*2 = 40)
  auto r = swg(1, 10, 5, 2, 1, 2, "UINT2");
  EXPECT_EQ(hw_op_of(r)->exp_cycles(r), 20 + 5 * 40);
}

TEST(ConvHwEstimates, SlidingWindowRejectsWhatFinnAsserts) {
  auto n = swg(3, 30, 28, 64, 8, 1, "BINARY", "SWG_bad");
  set_attr(n, "ConvKernelDim", std::vector<int64_t>{3, 1});
  expect_error_naming([&] { hw_op_of(n)->exp_cycles(n); }, "SWG_bad");
  expect_error_naming([&] { hw_op_of(n)->normal_output_shape(n); }, "ConvKernelDim");
  n = swg(3, 30, 28, 64, 8, 1, "BINARY", "SWG_dil");
  set_attr(n, "Dilation", std::vector<int64_t>{2, 2});
  expect_error_naming([&] { hw_op_of(n)->lut_estimation(n); }, "SWG_dil");
  n = swg(3, 30, 28, 64, 8, 1, "BINARY", "SWG_img");
  set_attr(n, "IFMDim", std::vector<int64_t>{30, 28});
  expect_error_naming([&] { hw_op_of(n)->folded_input_shape(n); }, "SWG_img");
  n = swg(3, 30, 28, 64, 6, 1, "BINARY", "SWG_simd");
  expect_error_naming([&] { hw_op_of(n)->folded_output_shape(n); }, "SWG_simd");
}

TEST(ConvHwEstimates, FMPadding) {
  // small_cnn PAD0: 28x28x1 padded by 1 on every side
  auto n = fmpad(28, 28, {1, 1, 1, 1}, 1, 1, "UINT4");
  const HwOp* op = hw_op_of(n);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->exp_cycles(n), 900);
  EXPECT_EQ(op->normal_input_shape(n), (Shape{1, 28, 28, 1}));
  EXPECT_EQ(op->normal_output_shape(n), (Shape{1, 30, 30, 1}));
  for (auto f : {&HwOp::lut_estimation, &HwOp::bram_estimation, &HwOp::uram_estimation,
                 &HwOp::dsp_estimation})
    EXPECT_EQ((op->*f)(n), 0);
  // asymmetric pads, 12 channels at SIMD 4, numInputVectors (an int) 2
  auto a = fmpad(5, 7, {1, 2, 0, 3}, 12, 4, "INT8");
  set_attr(a, "numInputVectors", int64_t{2});
  EXPECT_EQ(op->normal_output_shape(a), (Shape{1, 6, 12, 12}));
  EXPECT_EQ(op->folded_input_shape(a), (Shape{1, 5, 7, 3, 4}));
  EXPECT_EQ(op->folded_output_shape(a), (Shape{1, 6, 12, 3, 4}));
  EXPECT_EQ(op->instream_width(a), 32);
  EXPECT_EQ(op->outstream_width(a), 32);
  EXPECT_EQ(op->exp_cycles(a), 3 * 2 * 6 * 12);
  EXPECT_EQ(NodeAttrs(n).i("PaddingStyle"), 2);
  auto bad = fmpad(5, 5, {1, 1, 1, 1}, 12, 5, "INT8", "PAD_bad");
  expect_error_naming([&] { op->folded_input_shape(bad); }, "PAD_bad");
  auto bip = fmpad(5, 5, {1, 1, 1, 1}, 4, 1, "BIPOLAR", "PAD_bipolar");
  expect_error_naming([&] { op->outstream_width(bip); }, "PAD_bipolar");
}

TEST(ConvHwEstimates, StreamingMaxPool) {
  auto mp0 = maxpool(28, 2, 64, "BINARY");
  const HwOp* op = hw_op_of(mp0);
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->exp_cycles(mp0), 1176);
  auto mp1 = maxpool(10, 2, 128, "BINARY");
  EXPECT_EQ(op->exp_cycles(mp1), 150);
  EXPECT_EQ(op->normal_input_shape(mp0), (Shape{1, 28, 28, 64}));
  EXPECT_EQ(op->normal_output_shape(mp0), (Shape{1, 14, 14, 64}));
  EXPECT_EQ(op->folded_input_shape(mp0), (Shape{1, 28, 28, 1, 64}));
  EXPECT_EQ(op->folded_output_shape(mp0), (Shape{1, 14, 14, 1, 64}));
  EXPECT_EQ(op->instream_width(mp0), 64);
  auto wide = maxpool(12, 3, 5, "INT4");
  EXPECT_EQ(op->outstream_width(wide), 20);
  EXPECT_EQ(op->exp_cycles(wide), 12 * 16);
  EXPECT_EQ(op->lut_estimation(wide), 0);
  EXPECT_EQ(op->bram_estimation(wide), 0);
  auto bad = maxpool(9, 2, 4, "INT4", "MaxPool_odd");
  expect_error_naming([&] { op->normal_output_shape(bad); }, "MaxPool_odd");
  expect_error_naming([&] { op->exp_cycles(bad); }, "PoolDim");
}

TEST(ConvHwEstimates, MvauOnFeatureMaps) {
  // cnv FC1 at PE 16 / SIMD 36: MW 576, MH 64, 28x28 output pixels
  auto n = mvau(576, 64, 36, 16, {1, 28, 28}, "BINARY", "BINARY");
  const HwOp* op = hw_op_of(n);
  EXPECT_EQ(op->exp_cycles(n), 50176);
  EXPECT_EQ(op->normal_input_shape(n), (Shape{1, 28, 28, 576}));
  EXPECT_EQ(op->normal_output_shape(n), (Shape{1, 28, 28, 64}));
  EXPECT_EQ(op->folded_input_shape(n), (Shape{1, 28, 28, 16, 36}));
  EXPECT_EQ(op->folded_output_shape(n), (Shape{1, 28, 28, 4, 16}));
  EXPECT_EQ(op->instream_width(n), 36);
  // LUT and BRAM do not depend on numInputVectors
  auto flat = mvau(576, 64, 36, 16, {1}, "BINARY", "BINARY");
  EXPECT_EQ(op->lut_estimation(n), op->lut_estimation(flat));
  EXPECT_EQ(op->bram_estimation(n), op->bram_estimation(flat));
  EXPECT_EQ(op->exp_cycles(flat), 64);
  // the 28x28 conv stopped at SIMD 36 with PE = MH: 576/36 * 784 (conv.md §3.4)
  set_attr(n, "PE", int64_t{64});
  EXPECT_EQ(op->exp_cycles(n), 12544);
  // small_cnn's last FC after RemoveCNVtoFCFlatten: MW 1568, numInputVectors [1]
  auto last = mvau(1568, 10, 1, 1, {1}, "UINT4", "INT4");
  EXPECT_EQ(op->normal_input_shape(last), (Shape{1, 1568}));
  EXPECT_EQ(op->exp_cycles(last), 15680);
}

TEST(ConvHwEstimates, ThresholdingOnFeatureMaps) {
  // CNV input thresholding: 32x32x3 UINT8, 255 steps, PE 1
  auto cnv = thresholding(3, 1, {1, 32, 32}, 255, "UINT8", "INT8", -128);
  const HwOp* op = hw_op_of(cnv);
  EXPECT_EQ(op->exp_cycles(cnv), 3072);
  EXPECT_EQ(op->lut_estimation(cnv), 16);  // 8 + 8 * ceil(3/64)
  EXPECT_EQ(op->normal_input_shape(cnv), (Shape{1, 32, 32, 3}));
  EXPECT_EQ(op->folded_input_shape(cnv), (Shape{1, 32, 32, 3, 1}));
  // small_cnn: one channel, so no threshold memory
  auto small = thresholding(1, 1, {1, 28, 28}, 15, "UINT8", "INT4", -8);
  EXPECT_EQ(op->lut_estimation(small), 8);
  EXPECT_EQ(op->exp_cycles(small), 784);
}

// ---------------------------------------------------------------------------------------
// execution

namespace {

// out[b, oy, ox, j] by decoding j, with in[b, y, x, c] read through explicit strides; the
// other way round from the op's loop nest.
Tensor naive_windows(const Tensor& x, int64_t k, int64_t s, bool depthwise, int64_t simd) {
  int64_t n = x.shape()[0], d = x.shape()[1], c = x.shape()[3], oh = conv_out(d, k, s);
  Tensor y(ElemType::Float, {n, oh, oh, k * k * c});
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    int64_t j = flat % (k * k * c), pix = flat / (k * k * c);
    int64_t ox = pix % oh, oy = (pix / oh) % oh, b = pix / (oh * oh);
    int64_t ky, kx, ch;
    if (depthwise) {
      int64_t lane = j % simd, rest = j / simd;
      kx = rest % k;
      ky = (rest / k) % k;
      ch = (rest / (k * k)) * simd + lane;
    } else {
      ch = j % c;
      kx = (j / c) % k;
      ky = j / (c * k);
    }
    int64_t iy = oy * s + ky, ix = ox * s + kx;
    y.set(flat, x.get(((b * d + iy) * d + ix) * c + ch));
  }
  return y;
}

// NHWC -> NCHW -> Conv with one-hot weights (output channel (ky·k+kx)·C + c picks input
// channel c at tap (ky, kx)) -> NHWC: Im2Col through the standard ONNX op.
Tensor windows_by_onnx_conv(const Tensor& x, int64_t k, int64_t s, std::vector<int64_t> pads) {
  int64_t d = x.shape()[1], c = x.shape()[3];
  int64_t oh = conv_out(d + pads[0] + pads[2], k, s);
  Tensor w(ElemType::Float, {k * k * c, c, k, k});
  for (int64_t ky = 0; ky < k; ++ky)
    for (int64_t kx = 0; kx < k; ++kx)
      for (int64_t ch = 0; ch < c; ++ch)
        w.set((((ky * k + kx) * c + ch) * c + ch) * k * k + ky * k + kx, 1);
  GraphBuilder g("x", x.shape());
  g.init("w", w);
  set_attr(g.node("Transpose", {"x"}, {"xc"}), "perm", std::vector<int64_t>{0, 3, 1, 2});
  auto& conv = g.node("Conv", {"xc", "w"}, {"yc"});
  set_attr(conv, "strides", std::vector<int64_t>{s, s});
  set_attr(conv, "kernel_shape", std::vector<int64_t>{k, k});
  set_attr(conv, "pads", pads);
  set_attr(g.node("Transpose", {"yc"}, {"y"}), "perm", std::vector<int64_t>{0, 2, 3, 1});
  Model m = g.finish("y", {x.shape()[0], oh, oh, k * k * c});
  ExecOptions o;
  o.sanitize = false;
  return execute(m, {x}, o).at(0);
}

}  // namespace

TEST(ConvHwExecute, SlidingWindowMatchesIm2ColAndConv) {
  std::mt19937 rng(12);
  struct Case {
    int64_t d, c, k, s;
  } cases[] = {{7, 4, 1, 1},  {7, 4, 1, 2},  {8, 6, 3, 1},  {9, 6, 3, 2},
               {10, 3, 5, 1}, {11, 2, 5, 2}, {10, 4, 3, 2}, {6, 8, 3, 3}};
  for (const auto& cs : cases) {
    SCOPED_TRACE(fmt::format("D {} C {} k {} s {}", cs.d, cs.c, cs.k, cs.s));
    int64_t oh = conv_out(cs.d, cs.k, cs.s);
    Tensor x = random_ints(rng, {2, cs.d, cs.d, cs.c}, -8, 7);
    Tensor reference = naive_windows(x, cs.k, cs.s, false, 1);
    expect_close(windows_by_onnx_conv(x, cs.k, cs.s, {0, 0, 0, 0}), reference, 0);
    for (int64_t simd : divisors(cs.c)) {
      auto n = swg(cs.k, cs.d, oh, cs.c, simd, cs.s, "INT4");
      Shape out = {2, oh, oh, cs.k * cs.k * cs.c};
      expect_close(run_node(n, x, out), reference, 0);
      set_attr(n, "depthwise", int64_t{1});
      expect_close(run_node(n, x, out), naive_windows(x, cs.k, cs.s, true, simd), 0);
    }
  }
}

TEST(ConvHwExecute, DepthwiseOrderIsAPermutationOfTheStandardOne) {
  // C 4, SIMD 2, k 2: window element (ky, kx, c) sits at ((c/2)*4 + ky*2 + kx)*2 + c%2
  std::mt19937 rng(3);
  Tensor x = random_ints(rng, {1, 3, 3, 4}, 0, 100);
  auto n = swg(2, 3, 2, 4, 2, 1, "UINT8");
  Tensor plain = run_node(n, x, {1, 2, 2, 16});
  set_attr(n, "depthwise", int64_t{1});
  Tensor dws = run_node(n, x, {1, 2, 2, 16});
  for (int64_t p = 0; p < 4; ++p)
    for (int64_t ky = 0; ky < 2; ++ky)
      for (int64_t kx = 0; kx < 2; ++kx)
        for (int64_t c = 0; c < 4; ++c)
          EXPECT_EQ(dws.get(p * 16 + ((c / 2) * 4 + ky * 2 + kx) * 2 + c % 2),
                    plain.get(p * 16 + (ky * 2 + kx) * 4 + c));
}

TEST(ConvHwExecute, PaddingThenWindowsIsAPaddedConv) {
  // FMPadding_Batch -> ConvolutionInputGenerator equals Conv with the same (symmetric) pads
  std::mt19937 rng(5);
  for (int64_t k : {3, 5}) {
    int64_t d = 6, c = 3, p = k / 2;
    Tensor x = random_ints(rng, {1, d, d, c}, 1, 15);
    auto pad = fmpad(d, d, {p, p, p, p}, c, 1, "UINT4");
    Tensor padded = run_node(pad, x, {1, d + 2 * p, d + 2 * p, c});
    auto win = swg(k, d + 2 * p, d, c, c, 1, "UINT4");
    Tensor y = run_node(win, padded, {1, d, d, k * k * c});
    expect_close(y, windows_by_onnx_conv(x, k, 1, {p, p, p, p}), 0);
  }
}

TEST(ConvHwExecute, FMPaddingPlacesZerosAsThePadsSay) {
  std::mt19937 rng(7);
  std::vector<int64_t> pads[] = {{1, 1, 1, 1}, {0, 0, 1, 1}, {1, 2, 0, 3}, {2, 0, 0, 0}};
  for (const auto& pad : pads) {
    int64_t h = 4, w = 5, c = 3;
    Tensor x = random_ints(rng, {2, h, w, c}, 1, 9);  // never 0, so zeros are padding
    int64_t oh = h + pad[0] + pad[2], ow = w + pad[1] + pad[3];
    Tensor y = run_node(fmpad(h, w, pad, c, 3, "UINT4"), x, {2, oh, ow, c});
    ASSERT_EQ(y.shape(), (Shape{2, oh, ow, c}));
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t ch = 0; ch < c; ++ch) {
            int64_t iy = oy - pad[0], ix = ox - pad[1];
            bool inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            double want = inside ? x.get(((b * h + iy) * w + ix) * c + ch) : 0.0;
            ASSERT_EQ(y.get(((b * oh + oy) * ow + ox) * c + ch), want);
          }
  }
}

TEST(ConvHwExecute, MaxPoolMatchesDirectLoopAndOnnx) {
  std::mt19937 rng(9);
  struct Case {
    int64_t d, k, c;
    const char* dt;
    int lo, hi;
  } cases[] = {{8, 2, 3, "INT4", -8, 7},
               {9, 3, 2, "UINT4", 0, 15},
               {6, 2, 5, "BIPOLAR", 0, 1},
               {4, 4, 2, "BINARY", 0, 1}};
  for (const auto& cs : cases) {
    SCOPED_TRACE(cs.dt);
    Tensor x = random_ints(rng, {2, cs.d, cs.d, cs.c}, cs.lo, cs.hi);
    if (std::string(cs.dt) == "BIPOLAR")
      for (float& v : x.span<float>()) v = 2 * v - 1;
    int64_t od = cs.d / cs.k;
    Tensor y = run_node(maxpool(cs.d, cs.k, cs.c, cs.dt), x, {2, od, od, cs.c});
    ASSERT_EQ(y.shape(), (Shape{2, od, od, cs.c}));
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t oy = 0; oy < od; ++oy)
        for (int64_t ox = 0; ox < od; ++ox)
          for (int64_t ch = 0; ch < cs.c; ++ch) {
            double want = -1e9;
            for (int64_t ky = 0; ky < cs.k; ++ky)
              for (int64_t kx = 0; kx < cs.k; ++kx)
                want = std::max(
                    want, x.get(((b * cs.d + oy * cs.k + ky) * cs.d + ox * cs.k + kx) * cs.c + ch));
            ASSERT_EQ(y.get(((b * od + oy) * od + ox) * cs.c + ch), want);
          }
    // and the standard MaxPool on the NCHW view
    GraphBuilder g("x", x.shape());
    set_attr(g.node("Transpose", {"x"}, {"xc"}), "perm", std::vector<int64_t>{0, 3, 1, 2});
    auto& mp = g.node("MaxPool", {"xc"}, {"yc"});
    set_attr(mp, "kernel_shape", std::vector<int64_t>{cs.k, cs.k});
    set_attr(mp, "strides", std::vector<int64_t>{cs.k, cs.k});
    set_attr(g.node("Transpose", {"yc"}, {"y"}), "perm", std::vector<int64_t>{0, 2, 3, 1});
    Model m = g.finish("y", {2, od, od, cs.c});
    ExecOptions o;
    o.sanitize = false;
    expect_close(execute(m, {x}, o).at(0), y, 0);
  }
}

TEST(ConvHwExecute, MvauOnFeatureMapsIsAPerPixelMatMul) {
  std::mt19937 rng(11);
  Tensor x = random_ints(rng, {1, 3, 4, 12}, 0, 3);
  Tensor w = random_ints(rng, {12, 5}, -2, 1);
  auto n = mvau(12, 5, 4, 5, {1, 3, 4}, "UINT2", "INT2");
  Tensor y = run_node(n, x, {1, 3, 4, 5}, {{"w", w}});
  ASSERT_EQ(y.shape(), (Shape{1, 3, 4, 5}));
  for (int64_t p = 0; p < 12; ++p)
    for (int64_t o = 0; o < 5; ++o) {
      double acc = 0;
      for (int64_t i = 0; i < 12; ++i) acc += x.get(p * 12 + i) * w.get(i * 5 + o);
      ASSERT_EQ(y.get(p * 5 + o), acc);
    }
}

TEST(ConvHwExecute, MvauReadsAFlattenedMapInHwcOrder) {
  // RemoveCNVtoFCFlatten: FC weights W over the NCHW flatten (c, h, w) become
  // W.reshape(C,H,W,MH).transpose(1,2,0,3).reshape(MW,MH) and the FC reads the NHWC map
  // [1,H,W,C] directly; it must equal Transpose(0,3,1,2) -> Reshape -> MatMul(W).
  std::mt19937 rng(13);
  const int64_t H = 3, W = 2, C = 4, MH = 6, MW = H * W * C;
  Tensor x = random_ints(rng, {1, H, W, C}, 0, 15);
  Tensor wc = random_ints(rng, {MW, MH}, -8, 7);
  Tensor wp(ElemType::Float, {MW, MH});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t w = 0; w < W; ++w)
        for (int64_t o = 0; o < MH; ++o)
          wp.set(((h * W + w) * C + c) * MH + o, wc.get(((c * H + h) * W + w) * MH + o));
  auto n = mvau(MW, MH, 8, 3, {1}, "UINT4", "INT4");
  Tensor y = run_node(n, x, {1, MH}, {{"w", wp}});
  ASSERT_EQ(y.shape(), (Shape{1, MH}));

  GraphBuilder g("x", x.shape());
  g.init("w", wc);
  g.init("shape", Tensor::from<int64_t>({2}, {1, -1}));
  set_attr(g.node("Transpose", {"x"}, {"xc"}), "perm", std::vector<int64_t>{0, 3, 1, 2});
  g.node("Reshape", {"xc", "shape"}, {"xf"});
  g.node("MatMul", {"xf", "w"}, {"y"});
  Model m = g.finish("y", {1, MH});
  ExecOptions o;
  o.sanitize = false;
  expect_close(y, execute(m, {x}, o).at(0), 0);

  // small_cnn_w4a4's shape: [1,7,7,32] into MW 1568
  Tensor big = random_ints(rng, {1, 7, 7, 32}, 0, 15);
  Tensor wbig = random_ints(rng, {1568, 10}, -8, 7);
  Tensor ybig = run_node(mvau(1568, 10, 1, 1, {1}, "UINT4", "INT4"), big, {1, 10}, {{"w", wbig}});
  expect_close(ybig, matmul(big.reshaped({1, 1568}), wbig), 0);
  // a map whose size is not MW is an error naming the node
  Tensor wrong = random_ints(rng, {1, 7, 7, 31}, 0, 15);
  expect_error_naming(
      [&] {
        run_node(mvau(1568, 10, 1, 1, {1}, "UINT4", "INT4"), wrong, {1, 10}, {{"w", wbig}});
      },
      "StreamingFCLayer_Batch_0");
}

TEST(ConvHwExecute, ThresholdingOnFeatureMapsIsPerChannel) {
  std::mt19937 rng(17);
  const int64_t H = 4, W = 3, C = 3, steps = 3;
  Tensor x = random_ints(rng, {1, H, W, C}, 0, 255);
  Tensor t(ElemType::Float, {C, steps});
  for (int64_t c = 0; c < C; ++c)
    for (int64_t s = 0; s < steps; ++s) t.set(c * steps + s, 40 * (s + 1) + 10 * c);
  auto n = thresholding(C, 1, {1, H, W}, steps, "UINT8", "INT2", -2);
  Tensor y = run_node(n, x, {1, H, W, C}, {{"t", t}});
  ASSERT_EQ(y.shape(), (Shape{1, H, W, C}));
  for (int64_t i = 0; i < x.size(); ++i) {
    int64_t c = i % C, count = 0;
    for (int64_t s = 0; s < steps; ++s) count += x.get(i) >= t.get(c * steps + s);
    ASSERT_EQ(y.get(i), -2 + count);
  }
  EXPECT_EQ(hw_op_of(n)->exp_cycles(n), H * W * C);
}

// ---------------------------------------------------------------------------------------
// shape and datatype inference

TEST(ConvHwInference, ShapesAndDatatypesFollowThePadWindowPoolChain) {
  GraphBuilder g("x", {1, 6, 6, 2});
  g.m.set_datatype("x", DataType::from_name("UINT4"));
  auto pad = fmpad(6, 6, {1, 1, 1, 1}, 2, 2, "INT8");
  pad.set_output(0, "p");
  *g.m.graph().add_node() = pad;
  auto win = swg(3, 8, 6, 2, 2, 1, "INT8");
  win.set_input(0, "p");
  win.set_output(0, "s");
  *g.m.graph().add_node() = win;
  auto pool = maxpool(6, 3, 2, "INT8");
  pool.set_input(0, "s");
  pool.set_output(0, "y");
  // the pool reads the window stream as if it were a map: only shapes matter here
  set_attr(pool, "ImgDim", int64_t{6});
  set_attr(pool, "NumChannels", int64_t{18});
  *g.m.graph().add_node() = pool;
  Model m = g.finish("y", {1, 2, 2, 18});
  m.graph().mutable_output(0)->mutable_type()->Clear();
  infer_shapes(m);
  infer_datatypes(m);
  EXPECT_EQ(*m.tensor_shape("p"), (Shape{1, 8, 8, 2}));
  EXPECT_EQ(*m.tensor_shape("s"), (Shape{1, 6, 6, 18}));
  EXPECT_EQ(*m.tensor_shape("y"), (Shape{1, 2, 2, 18}));
  for (const char* t : {"p", "s", "y"}) EXPECT_EQ(m.datatype(t).name(), "UINT4") << t;
  EXPECT_EQ(NodeAttrs(m.node(0)).s("inputDataType"), "UINT4");
  EXPECT_EQ(NodeAttrs(m.node(1)).s("inputDataType"), "UINT4");
  EXPECT_EQ(NodeAttrs(m.node(1)).s("outputDataType"), "UINT4");
  EXPECT_EQ(NodeAttrs(m.node(2)).s("dataType"), "UINT4");
  // FINN's attribute names only: nothing undeclared was added to the pool
  EXPECT_FALSE(has_attr(m.node(2), "inputDataType"));
}

// ---------------------------------------------------------------------------------------
// folding

namespace {

// FMPadding (30 -> 32, C 3) -> SWG (3x3, C 3) -> MVAU (27 x 64 over 30x30) -> MaxPool (30/2)
Model conv_block() {
  GraphBuilder g("x", {1, 30, 30, 3});
  auto pad = fmpad(30, 30, {1, 1, 1, 1}, 3, 3, "UINT4", "pad");
  pad.set_output(0, "p");
  *g.m.graph().add_node() = pad;
  auto win = swg(3, 32, 30, 3, 3, 1, "UINT4", "win");
  win.set_input(0, "p");
  win.set_output(0, "s");
  *g.m.graph().add_node() = win;
  auto fc = mvau(27, 64, 1, 1, {1, 30, 30}, "UINT4", "BIPOLAR", "fc");
  fc.set_input(0, "s");
  fc.set_output(0, "f");
  *g.m.graph().add_node() = fc;
  auto pool = maxpool(30, 2, 64, "INT32", "pool");
  pool.set_input(0, "f");
  *g.m.graph().add_node() = pool;
  return g.finish("y", {1, 15, 15, 64});
}

int64_t attr_of(const Model& m, int node, const char* a) {
  return attr_int(m.node(node), a, -1);
}

}  // namespace

TEST(ConvHwFolding, SetFoldingFoldsEachNodeIndependentlyWithTwoPasses) {
  Model m = conv_block();
  SetFoldingOptions o;
  o.target_cycles = 1000;
  testing::internal::CaptureStderr();
  set_folding(m, o);
  std::string err = testing::internal::GetCapturedStderr();
  // GiveUniqueNodeNames
  EXPECT_EQ(m.node(0).name(), "FMPadding_Batch_0");
  EXPECT_EQ(m.node(1).name(), "ConvolutionInputGenerator_0");
  EXPECT_EQ(m.node(3).name(), "StreamingMaxPool_Batch_0");
  // First pass (target 1000): the SWG (C 3) cannot get below 96 + 30*270 = 8196 cycles at
  // SIMD 3, its maximum. The second pass targets 8196: the SWG keeps SIMD 3 (not strictly
  // below), the padding drops to SIMD 1 (3*32*32 = 3072), the MVAU keeps SIMD 27 and takes
  // PE 8 (8*900 = 7200; PE 4 gives 14400).
  EXPECT_EQ(attr_of(m, 1, "SIMD"), 3);
  EXPECT_EQ(attr_of(m, 1, "cycles_estimate"), 8196);
  EXPECT_EQ(attr_of(m, 0, "SIMD"), 1);
  EXPECT_EQ(attr_of(m, 0, "cycles_estimate"), 3072);
  EXPECT_EQ(attr_of(m, 2, "SIMD"), 27);
  EXPECT_EQ(attr_of(m, 2, "PE"), 8);
  EXPECT_EQ(attr_of(m, 2, "cycles_estimate"), 7200);
  EXPECT_EQ(attr_of(m, 3, "cycles_estimate"), 1350);  // 30 * (30 + 15)
  EXPECT_FALSE(has_attr(m.node(3), "SIMD"));
  // one warning line for the pool however many passes, plus the second-pass notice
  EXPECT_EQ(err,
            "shoal: warning: SetFolding doesn't know how to handle op_type "
            "StreamingMaxPool_Batch\n"
            "shoal: warning: Node ConvolutionInputGenerator_0 is bottleneck with 8196 cycles, "
            "running second pass\n");

  // without the second pass the first-pass result stays: padding at its maximum SIMD 3
  Model one = conv_block();
  o.two_pass_relaxation = false;
  testing::internal::CaptureStderr();
  set_folding(one, o);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(attr_of(one, 0, "SIMD"), 3);
  EXPECT_EQ(attr_of(one, 1, "SIMD"), 3);
  EXPECT_EQ(attr_of(one, 2, "SIMD"), 27);
  EXPECT_EQ(attr_of(one, 2, "PE"), 64);

  // C = 3 leaves the SWG only SIMD 1 (24588 cycles) or 3 (8196): a target of 20000 gets 3
  o.two_pass_relaxation = true;
  for (auto [target, simd, cycles] : {std::tuple{20000, 3, 8196}, std::tuple{100000, 1, 24588}}) {
    Model t = conv_block();
    o.target_cycles = target;
    testing::internal::CaptureStderr();
    set_folding(t, o);
    testing::internal::GetCapturedStderr();
    EXPECT_EQ(attr_of(t, 1, "SIMD"), simd) << target;
    EXPECT_EQ(attr_of(t, 1, "cycles_estimate"), cycles) << target;
    EXPECT_EQ(attr_of(t, 0, "SIMD"), 1) << target;
  }
}

TEST(ConvHwFolding, DepthwiseSlidingWindowIsLeftAlone) {
  Model m = conv_block();
  set_attr(m.node(1), "depthwise", int64_t{1});
  set_attr(m.node(1), "SIMD", int64_t{3});
  SetFoldingOptions o;
  o.target_cycles = 100000;
  testing::internal::CaptureStderr();
  set_folding(m, o);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(attr_of(m, 1, "SIMD"), 3);
  EXPECT_EQ(err.find("ConvolutionInputGenerator"), std::string::npos) << err;
}

TEST(ConvHwFolding, ApplyConfigAndFinalHwConfig) {
  Model m = conv_block();
  give_unique_node_names(m);
  auto cfg = nlohmann::ordered_json::parse(R"({
    "Defaults": {"SIMD": [1, ["FMPadding_Batch"]]},
    "ConvolutionInputGenerator_0": {"SIMD": 1, "ram_style": "block"},
    "StreamingFCLayer_Batch_0": {"SIMD": 9, "PE": 8}
  })");
  apply_folding_config(m, cfg);
  EXPECT_EQ(attr_of(m, 0, "SIMD"), 1);
  EXPECT_EQ(attr_of(m, 1, "SIMD"), 1);
  EXPECT_EQ(attr_string(m.node(1), "ram_style", ""), "block");
  nlohmann::ordered_json hw = extract_hw_config(m);
  // FINN's final_hw_config: the declared keys among PE, SIMD, ram_style, … in that order;
  // StreamingMaxPool_Batch declares none and gets no entry
  EXPECT_EQ(hw.dump(),
            R"({"Defaults":{},"FMPadding_Batch_0":{"SIMD":1},)"
            R"("ConvolutionInputGenerator_0":{"SIMD":1,"ram_style":"block"},)"
            R"("StreamingFCLayer_Batch_0":{"PE":8,"SIMD":9,"ram_style":"auto","resType":"lut",)"
            R"("mem_mode":"decoupled","runtime_writeable_weights":0}})");
  // and it reads back
  Model again = conv_block();
  give_unique_node_names(again);
  apply_folding_config(again, hw);
  EXPECT_EQ(extract_hw_config(again).dump(), hw.dump());

  auto bad_style = nlohmann::ordered_json::parse(
      R"({"Defaults": {}, "ConvolutionInputGenerator_0": {"ram_style": "lutram"}})");
  expect_error_naming([&] { apply_folding_config(m, bad_style); }, "ram_style");
  auto bad_simd = nlohmann::ordered_json::parse(
      R"({"Defaults": {}, "ConvolutionInputGenerator_0": {"SIMD": 2}})");
  expect_error_naming([&] { apply_folding_config(m, bad_simd); }, "ConvolutionInputGenerator_0");
  auto pool_simd =
      nlohmann::ordered_json::parse(R"({"Defaults": {}, "StreamingMaxPool_Batch_0": {"SIMD": 2}})");
  expect_error_naming([&] { apply_folding_config(m, pool_simd); }, "SIMD");
}

// DownSampler (conv.md §4.6): what a strided 1x1 conv reads, every Stride-th pixel.
TEST(ConvHwEstimates, DownSampler) {
  auto n = hw_node("DownSampler", "DS_0");
  set_attr(n, "ImgDim", int64_t{9});
  set_attr(n, "NumChannels", int64_t{12});
  set_attr(n, "SIMD", int64_t{4});
  set_attr(n, "Stride", int64_t{2});
  set_attr(n, "inputDataType", "INT4");
  const HwOp* op = hw_op_of(n);
  ASSERT_NE(op, nullptr);
  // output floor((9 - 1) / 2) + 1 = 5; cycles C/SIMD * numInputVectors * D * D
  EXPECT_EQ(op->normal_output_shape(n), (Shape{1, 5, 5, 12}));
  EXPECT_EQ(op->folded_input_shape(n), (Shape{1, 9, 9, 3, 4}));
  EXPECT_EQ(op->instream_width(n), 16);
  EXPECT_EQ(op->exp_cycles(n), 3 * 9 * 9);
  for (auto f : {&HwOp::lut_estimation, &HwOp::bram_estimation, &HwOp::dsp_estimation})
    EXPECT_EQ((op->*f)(n), 0);
  std::mt19937 rng(3);
  Tensor x = random_ints(rng, {1, 9, 9, 12}, -8, 7);
  Tensor y = run_node(n, x, {1, 5, 5, 12});
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 5; ++j)
      for (int64_t c = 0; c < 12; ++c)
        ASSERT_EQ(y.get((i * 5 + j) * 12 + c), x.get((2 * i * 9 + 2 * j) * 12 + c));
  set_attr(n, "SIMD", int64_t{5});
  expect_error_naming([&] { op->folded_input_shape(n); }, "DS_0");
}
