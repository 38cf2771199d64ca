// ConvolutionInputGenerator: the sliding-window unit in front of a convolution's MVAU
// (conv.md §4.1, §5; estimates.md §3.5). It streams, for every output pixel, the k×k window
// of input pixels: Im2Col without padding (padding is a separate FMPadding_Batch).
#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {
namespace {

class ConvolutionInputGenerator : public HwOp {
 public:
  std::string_view op_type() const override { return "ConvolutionInputGenerator"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {
        ints_attr("ConvKernelDim", {}, true),
        int_attr("IFMChannels", 0, true),
        ints_attr("IFMDim", {}, true),
        ints_attr("OFMDim", {}, true),
        int_attr("SIMD", 0, true),
        ints_attr("Stride", {1, 1}, true),
        ints_attr("Dilation", {1, 1}, true),
        string_attr("inputDataType", "", true),
        string_attr("outputDataType", "", true),
        int_attr("depthwise", 0, false, {0, 1}),
        string_attr("ram_style", "distributed", false, {"auto", "block", "distributed", "ultra"})};
  }

  // The node's geometry. FINN v0.6 asserts square kernel, image, output, stride and
  // dilation, and dilation 1, on every read of these attributes (conv.md §4.1); so does
  // every method here.
  struct Geometry {
    int64_t k, ifm, ofm, stride, dilation, channels;
    int64_t window = 0;  // k·k·channels: the elements of one output pixel
  };
  static int64_t square(const onnx::NodeProto& n, const char* attr) {
    Shape v = NodeAttrs(n).ints(attr);
    if (v.size() != 2 || v[0] != v[1])
      fail(
          "{}: {} {} is not square; FINN v0.6's ConvolutionInputGenerator handles square "
          "[d, d] only",
          describe(n), attr, format_shape(v));
    return v[0];
  }
  static Geometry geometry(const onnx::NodeProto& n) {
    Geometry g;
    g.k = square(n, "ConvKernelDim");
    g.ifm = square(n, "IFMDim");
    g.ofm = square(n, "OFMDim");
    g.stride = square(n, "Stride");
    g.dilation = square(n, "Dilation");
    g.channels = NodeAttrs(n).i("IFMChannels");
    if (g.dilation != 1)
      fail("{}: Dilation {} is not supported (FINN v0.6's ConvolutionInputGenerator needs 1)",
           describe(n), g.dilation);
    if (g.k < 1 || g.stride < 1 || g.channels < 1 || g.ifm < 1)
      fail("{}: kernel {}, stride {}, IFMDim {} and IFMChannels {} must all be positive",
           describe(n), g.k, g.stride, g.ifm, g.channels);
    // A 1-pixel input is FINN's dummy dimension: its kernel is 1 too.
    if (g.ifm < g.k)
      fail("{}: the {}x{} kernel does not fit the {}x{} input (no padding here)", describe(n), g.k,
           g.k, g.ifm, g.ifm);
    g.window = checked_mul(checked_mul(g.k, g.k, describe(n)), g.channels, describe(n));
    return g;
  }
  // finn-base compute_conv_output_dim with pad 0: 1 for a 1-pixel input, else floored.
  static int64_t output_dim(const Geometry& g) {
    if (g.ifm == 1) return 1;
    return (g.ifm - g.dilation * (g.k - 1) - 1) / g.stride + 1;
  }
  static int64_t simd(const onnx::NodeProto& n, const Geometry&) {
    return folding_factor(n, "SIMD", "IFMChannels");
  }

  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    return {1, g.ifm, g.ifm, g.channels};
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    int64_t oh = output_dim(g);
    return {1, oh, oh, g.window};
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    return {1, g.ifm, g.ifm, g.channels / s, s};
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    int64_t s = simd(n, g), oh = output_dim(g);
    return {1, oh, oh, g.window / s, s};
  }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("inputDataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("outputDataType");
  }

  // The window generator moves data only: both attributes follow the input tensor.
  void infer_datatypes(Model& m, int idx) const override {
    auto& n = m.node(idx);
    DataType idt = m.datatype(n.input(0));
    set_attr(n, "inputDataType", idt.name());
    set_attr(n, "outputDataType", idt.name());
    m.set_datatype(n.output(0), idt);
  }

  // --- estimates (conv.md §4.1, estimates.md §3.5), in double as Python evaluates them ---
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    double mf = static_cast<double>(g.channels) / static_cast<double>(simd(n, g));
    // the OFMDim attribute, not a recomputed output size (conv.md §8)
    double ofm = static_cast<double>(g.ofm), ifm = static_cast<double>(g.ifm);
    double write_block = ofm * g.k * g.k * mf;
    double read_block = g.stride * ifm * mf;
    return static_cast<int64_t>(ifm * g.k * g.dilation * mf +
                                ofm * std::max(write_block, read_block));
  }
  // Buffer words: the (k+s) row blocks of IFMDim·C/SIMD words each that hlslib keeps
  // (conv.md §5); one "depth" is one block.
  int64_t bram_estimation(const onnx::NodeProto& n) const override {
    std::string style = NodeAttrs(n).s("ram_style");
    if (style != "block" && style != "auto") return 0;
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    int64_t bits = input_datatype(n, 0).bitwidth();
    double depth = static_cast<double>(g.ifm * g.channels) / static_cast<double>(s);
    int width = depth <= 512    ? 36
                : depth <= 1024 ? 18
                : depth <= 2048 ? 9
                : depth <= 4096 ? 4
                : depth <= 8192 ? 2
                                : 1;
    double words = static_cast<double>(g.ifm * g.channels) / static_cast<double>(s);
    return static_cast<int64_t>(
        static_cast<double>(g.k + g.stride) *
        std::ceil(static_cast<double>(s * bits) / static_cast<double>(width)) *
        std::ceil(words / depth));
  }
  int64_t lut_estimation(const onnx::NodeProto& n) const override {
    if (NodeAttrs(n).s("ram_style") != "distributed") return 300;
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    int64_t bits = input_datatype(n, 0).bitwidth();
    double words = static_cast<double>(g.ifm * g.channels) / static_cast<double>(s);
    // one LUT per bit per 64 words of LUTRAM
    return 300 + static_cast<int64_t>((g.k + g.stride) * (s * bits * std::ceil(words / 64)));
  }
  int64_t uram_estimation(const onnx::NodeProto& n) const override {
    if (NodeAttrs(n).s("ram_style") != "ultra") return 0;
    Geometry g = geometry(n);
    int64_t s = simd(n, g);
    int64_t bits = input_datatype(n, 0).bitwidth();
    double words = static_cast<double>(g.ifm * g.channels) / static_cast<double>(s);
    return static_cast<int64_t>(static_cast<double>(g.k + g.stride) *
                                std::ceil(static_cast<double>(s * bits) / 64) *
                                std::ceil(words / 4096));
  }

  // hls/shoal_swg.sv: FINN's window order (oy, ox, ky, kx, cf), the (k+s)-row buffer of
  // hlslib with ram_style as its memory attribute.
  RtlModule generate_rtl(const Model&, const onnx::NodeProto& n,
                         const std::filesystem::path& dir) const override {
    const std::string name = n.name();
    Geometry g = geometry(n);
    if (NodeAttrs(n).i("depthwise") != 0)
      fail("{}: shoal has no RTL for the depthwise window order yet", describe(n));
    if (g.ifm < g.k)
      fail("{}: the {}x{} kernel does not fit the {}x{} input", describe(n), g.k, g.k, g.ifm,
           g.ifm);
    int64_t oh = (g.ifm - g.k) / g.stride + 1;
    if (g.ofm != oh)
      fail(
          "{}: OFMDim {} differs from the {} windows a {}x{} input gives with kernel {} and "
          "stride {}",
          describe(n), g.ofm, oh, g.ifm, g.ifm, g.k, g.stride);
    int64_t s = simd(n, g);
    DataType dt = input_datatype(n, 0);
    if (!dt.is_integer())
      fail("{}: {} is not an integer type, no hardware", describe(n), dt.name());
    int bits = dt.bitwidth();
    std::string style = NodeAttrs(n).s("ram_style");
    int style_code = style == "block" ? 1 : style == "distributed" ? 2 : style == "ultra" ? 3 : 0;
    std::string v = wrapper_header(
        name,
        {fmt::format("{}: ConvolutionInputGenerator, generated by shoal ipgen.", name),
         fmt::format("{}x{}x{} {}, SIMD {}, kernel {}, stride {} -> {}x{} windows, ram_style {}",
                     g.ifm, g.ifm, g.channels, dt.name(), s, g.k, g.stride, oh, oh, style)},
        instream_width_padded(n), outstream_width_padded(n));
    v += stream_instance(
        "shoal_swg",
        fmt::format(".IFM_DIM({}), .IFM_CHANNELS({}), .SIMD({}), .KERNEL({}), .STRIDE({}),\n"
                    "    .IN_BITS({}), .RAM_STYLE({})",
                    g.ifm, g.channels, s, g.k, g.stride, bits, style_code),
        "swg", s, bits, outstream_width_padded(n));
    v += wrapper_footer();
    write_file_atomic((dir / (name + ".v")).string(), v);
    return {name, {name + ".v"}, {}, {"shoal_swg.sv", "shoal_outbuf2.sv"}};
  }

  // out[b, oy, ox, j] = in[b, oy·s + ky, ox·s + kx, c] with j = (ky·k + kx)·C + c, or with
  // depthwise 1 the hlslib _dws order j = ((c / SIMD)·k·k + ky·k + kx)·SIMD + c % SIMD.
  void execute(ExecContext& c) const override {
    const onnx::NodeProto& n = c.node;
    Geometry g = geometry(n);
    bool depthwise = NodeAttrs(n).i("depthwise") != 0;
    int64_t s = depthwise ? simd(n, g) : 1;
    const Tensor x = c.in(0).astype(ElemType::Float);
    const Shape& xs = x.shape();
    if (xs.size() != 4 || xs[1] != g.ifm || xs[2] != g.ifm || xs[3] != g.channels)
      fail("{}: input has shape {}, expected [N, {}, {}, {}]", describe(n), format_shape(xs), g.ifm,
           g.ifm, g.channels);
    int64_t batch = xs[0], oh = output_dim(g), C = g.channels, k = g.k;
    int64_t window = g.window;
    Tensor y(ElemType::Float, {batch, oh, oh, window});
    auto in = x.span<float>();
    auto out = y.span<float>();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < oh; ++ox) {
          float* dst = &out[((b * oh + oy) * oh + ox) * window];
          for (int64_t ky = 0; ky < k; ++ky)
            for (int64_t kx = 0; kx < k; ++kx) {
              int64_t iy = oy * g.stride + ky, ix = ox * g.stride + kx;
              const float* src = &in[((b * g.ifm + iy) * g.ifm + ix) * C];
              for (int64_t ch = 0; ch < C; ++ch) {
                int64_t j = depthwise ? ((ch / s) * k * k + ky * k + kx) * s + ch % s
                                      : (ky * k + kx) * C + ch;
                dst[j] = src[ch];
              }
            }
        }
    c.outputs[0] = std::move(y);
  }
};

}  // namespace

void register_convolution_input_generator_op() {
  register_op(std::make_unique<ConvolutionInputGenerator>());
}

}  // namespace shoal
