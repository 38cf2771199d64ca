// DownSampler (conv.md §4.6): what a pointwise (1x1) convolution with a stride > 1 needs
// before its MVAU: every Stride-th pixel of every Stride-th row, all channels.
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {
namespace {

class DownSampler : public HwOp {
 public:
  std::string_view op_type() const override { return "DownSampler"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("ImgDim", 0, true),
            int_attr("NumChannels", 0, true),
            int_attr("SIMD", 0, true),
            int_attr("Stride", 2, true),
            string_attr("inputDataType", "", true),
            int_attr("numInputVectors", 1)};
  }
  // floor((D - 1) / s) + 1: the pixels 0, s, 2s, ... that exist.
  static int64_t out_dim(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    return (a.i("ImgDim") - 1) / a.i("Stride") + 1;
  }
  static int64_t simd(const onnx::NodeProto& n) { return folding_factor(n, "SIMD", "NumChannels"); }
  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    NodeAttrs a(n);
    int64_t D = a.i("ImgDim");
    return {a.i("numInputVectors"), D, D, a.i("NumChannels")};
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    return {a.i("numInputVectors"), out_dim(n), out_dim(n), a.i("NumChannels")};
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    Shape s = normal_input_shape(n, 0);
    int64_t pe = simd(n);
    s.back() /= pe;
    s.push_back(pe);
    return s;
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    Shape s = normal_output_shape(n);
    int64_t pe = simd(n);
    s.back() /= pe;
    s.push_back(pe);
    return s;
  }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("inputDataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("inputDataType");
  }
  // FINN v0.6: C/SIMD * numInputVectors * D * D (the whole input is read once).
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    double D = static_cast<double>(a.i("ImgDim"));
    return static_cast<int64_t>(static_cast<double>(a.i("NumChannels")) /
                                static_cast<double>(simd(n)) *
                                static_cast<double>(a.i("numInputVectors")) * D * D);
  }

  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    const Tensor& x = c.in(0);
    Shape want = normal_input_shape(c.node, 0);
    if (x.shape() != want)
      fail("input has shape {}, expected {}", format_shape(x.shape()), format_shape(want));
    const int64_t N = want[0], D = want[1], C = want[3], s = a.i("Stride"), OD = out_dim(c.node);
    Tensor xf = x.astype(ElemType::Float);
    Tensor of(ElemType::Float, {N, OD, OD, C});
    auto pi = xf.span<float>();
    auto po = of.span<float>();
    for (int64_t b = 0; b < N; ++b)
      for (int64_t i = 0; i < OD; ++i)
        for (int64_t j = 0; j < OD; ++j)
          for (int64_t ch = 0; ch < C; ++ch)
            po[((b * OD + i) * OD + j) * C + ch] = pi[((b * D + i * s) * D + j * s) * C + ch];
    c.outputs[0] = of.astype(x.type());
  }
};

}  // namespace

void register_down_sampler_op() {
  register_op(std::make_unique<DownSampler>());
}

}  // namespace shoal
