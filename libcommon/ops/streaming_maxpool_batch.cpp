// StreamingMaxPool_Batch: max over non-overlapping k×k windows of a square NHWC map
// (conv.md §4.3, estimates.md §3.7). One beat carries a whole pixel; it is never folded.
#include <algorithm>
#include <limits>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {
namespace {

class StreamingMaxPoolBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "StreamingMaxPool_Batch"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("ImgDim", 0, true), int_attr("PoolDim", 0, true),
            int_attr("NumChannels", 0, true), string_attr("dataType", "", true)};
  }

  struct Geometry {
    int64_t dim, pool, channels;
    int64_t out() const { return dim / pool; }
  };
  // FINN asserts ImgDim % PoolDim == 0: the window stride is the window size and nothing
  // is left over (InferStreamingMaxPool only converts such pools, conv.md §1).
  static Geometry geometry(const onnx::NodeProto& n) {
    NodeAttrs a(n);
    Geometry g{a.i("ImgDim"), a.i("PoolDim"), a.i("NumChannels")};
    if (g.dim < 1 || g.pool < 1 || g.channels < 1)
      fail("{}: ImgDim {}, PoolDim {} and NumChannels {} must be positive", describe(n), g.dim,
           g.pool, g.channels);
    if (g.dim % g.pool != 0)
      fail("{}: ImgDim {} is not a multiple of PoolDim {}", describe(n), g.dim, g.pool);
    return g;
  }

  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    return {1, g.dim, g.dim, g.channels};
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    return {1, g.out(), g.out(), g.channels};
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    Geometry g = geometry(n);
    return {1, g.dim, g.dim, 1, g.channels};
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    return {1, g.out(), g.out(), 1, g.channels};
  }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("dataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("dataType");
  }

  // The datatype stays the same; dataType follows the input tensor.
  void infer_datatypes(Model& m, int idx) const override {
    auto& n = m.node(idx);
    DataType dt = m.datatype(n.input(0));
    set_attr(n, "dataType", dt.name());
    m.set_datatype(n.output(0), dt);
  }

  // estimates.md §3.7: over-counts the hlslib loop nest (conv.md §4.3), reproduced as is.
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    Geometry g = geometry(n);
    double d = static_cast<double>(g.dim);
    return static_cast<int64_t>(d * (d + d / static_cast<double>(g.pool)));
  }

  // Plain max on the values: for BINARY {0,1} that is the OR hlslib computes on 1-bit data,
  // and for BIPOLAR {-1,+1} (bit 1 = +1) as well.
  void execute(ExecContext& c) const override {
    const onnx::NodeProto& n = c.node;
    Geometry g = geometry(n);
    const Tensor x = c.in(0).astype(ElemType::Float);
    const Shape& xs = x.shape();
    if (xs.size() != 4 || xs[1] != g.dim || xs[2] != g.dim || xs[3] != g.channels)
      fail("{}: input has shape {}, expected [N, {}, {}, {}]", describe(n), format_shape(xs), g.dim,
           g.dim, g.channels);
    int64_t batch = xs[0], od = g.out(), C = g.channels, k = g.pool;
    Tensor y(ElemType::Float, {batch, od, od, C});
    auto in = x.span<float>();
    auto out = y.span<float>();
    std::fill(out.begin(), out.end(), -std::numeric_limits<float>::infinity());
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t iy = 0; iy < g.dim; ++iy)
        for (int64_t ix = 0; ix < g.dim; ++ix)
          for (int64_t ch = 0; ch < C; ++ch) {
            float& o = out[((b * od + iy / k) * od + ix / k) * C + ch];
            o = std::max(o, in[((b * g.dim + iy) * g.dim + ix) * C + ch]);
          }
    c.outputs[0] = std::move(y);
  }
};

}  // namespace

void register_streaming_maxpool_batch_op() {
  register_op(std::make_unique<StreamingMaxPoolBatch>());
}

}  // namespace shoal
