// FMPadding_Batch: zero padding of an NHWC feature map in front of a
// ConvolutionInputGenerator (conv.md §4.2, estimates.md §3.14).
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {
namespace {

class FMPaddingBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "FMPadding_Batch"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {ints_attr("ImgDim", {}, true), ints_attr("Padding", {1, 1, 1, 1}, true),
            int_attr("NumChannels", 0, true), int_attr("SIMD", 1),
            string_attr("inputDataType", "", true), int_attr("PaddingStyle", 2, false, {2, 1}),
            // an int here, unlike the list of MVAU and Thresholding (conv.md §8)
            int_attr("numInputVectors", 1)};
  }

  struct Geometry {
    int64_t h, w, top, left, bottom, right, channels;
    int64_t out_h() const { return h + top + bottom; }
    int64_t out_w() const { return w + left + right; }
  };
  static Geometry geometry(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    Shape img = a.ints("ImgDim"), pad = a.ints("Padding");
    if (img.size() != 2) fail("{}: ImgDim {} is not [H, W]", describe(n), format_shape(img));
    if (pad.size() != 4)
      fail("{}: Padding {} is not [top, left, bottom, right]", describe(n), format_shape(pad));
    for (int64_t p : pad)
      if (p < 0) fail("{}: Padding {} is negative", describe(n), format_shape(pad));
    Geometry g{img[0], img[1], pad[0], pad[1], pad[2], pad[3], a.i("NumChannels")};
    if (g.h < 1 || g.w < 1 || g.channels < 1)
      fail("{}: ImgDim {} and NumChannels {} must be positive", describe(n), format_shape(img),
           g.channels);
    return g;
  }
  static int64_t simd(const onnx::NodeProto& n, const Geometry&) {
    return folding_factor(n, "SIMD", "NumChannels");
  }

  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    return {1, g.h, g.w, g.channels};
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    return {1, g.out_h(), g.out_w(), g.channels};
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    return {1, g.h, g.w, g.channels / s, s};
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    return {1, g.out_h(), g.out_w(), g.channels / s, s};
  }
  // The padding value is 0, so the type must hold it (BIPOLAR cannot).
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    DataType dt = NodeAttrs(n).dt("inputDataType");
    if (!dt.allowed(0))
      fail("{}: inputDataType {} cannot hold the padding value 0", describe(n), dt.name());
    return dt;
  }
  DataType output_datatype(const onnx::NodeProto& n) const override { return input_datatype(n, 0); }

  // --- estimates (estimates.md §3.14): no resources, one beat per output word ---
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    double mf = static_cast<double>(g.channels) / static_cast<double>(simd(n, g));
    return static_cast<int64_t>(mf * static_cast<double>(NodeAttrs(n).i("numInputVectors")) *
                                static_cast<double>(g.out_h()) * static_cast<double>(g.out_w()));
  }

  // Zeros placed exactly where the ONNX pads put them, as FINN's Python execution does.
  // The hardware differs for asymmetric pads: FINN v0.6 hands the HLS FMPadding only the
  // total padding per axis (and asserts top+bottom == left+right), and hlslib puts
  // total/2 (+ total%2 with PaddingStyle 2) rows/columns before the image and the rest
  // after (conv.md §4.2). So a pad of [0, 0, 1, 1] (SAME_UPPER, stride 2) becomes 1 before,
  // 0 after in hardware; an RTL implementation must either split as the pads say or refuse
  // such nodes. Symmetric pads agree either way.
  void execute(ExecContext& c) const override {
    const onnx::NodeProto& n = c.node;
    Geometry g = geometry(n);
    const Tensor x = c.in(0).astype(ElemType::Float);
    const Shape& xs = x.shape();
    if (xs.size() != 4 || xs[1] != g.h || xs[2] != g.w || xs[3] != g.channels)
      fail("{}: input has shape {}, expected [N, {}, {}, {}]", describe(n), format_shape(xs), g.h,
           g.w, g.channels);
    int64_t batch = xs[0], oh = g.out_h(), ow = g.out_w(), C = g.channels;
    Tensor y(ElemType::Float, {batch, oh, ow, C});  // zero-initialised
    auto in = x.span<float>();
    auto out = y.span<float>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t iy = 0; iy < g.h; ++iy)
        for (int64_t ix = 0; ix < g.w; ++ix)
          for (int64_t ch = 0; ch < C; ++ch)
            out[((b * oh + iy + g.top) * ow + ix + g.left) * C + ch] =
                in[((b * g.h + iy) * g.w + ix) * C + ch];
    c.outputs[0] = std::move(y);
  }
};

}  // namespace

void register_fmpadding_batch_op() {
  register_op(std::make_unique<FMPaddingBatch>());
}

}  // namespace shoal
