// MaxPoolNHWC (dialect.md §2): the standard MaxPool on channels-last data, made by
// MakeMaxPoolNHWC. Executed as FINN does: transposed to NCHW, the standard MaxPool, back.
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {

namespace {

class MaxPoolNhwcOp : public OpDef {
 public:
  std::string_view op_type() const override { return "MaxPoolNHWC"; }
  Domain domain() const override { return Domain::General; }
  std::vector<AttrSpec> attr_specs() const override {
    return {ints_attr("kernel_shape", {}, true), ints_attr("pads", {}, true),
            ints_attr("strides", {}, true), int_attr("ceil_mode", 0, false, {0, 1})};
  }

  void execute(ExecContext& c) const override {
    const Tensor& x = c.in(0);
    if (x.rank() != 4)
      fail("{}: needs an NHWC input, got {}", describe(c.node), format_shape(x.shape()));
    onnx::NodeProto pool = c.node;
    pool.set_op_type("MaxPool");
    pool.set_domain("");
    Tensor nchw = transpose_tensor(x.astype(ElemType::Float), {0, 3, 1, 2});
    ExecContext sub{c.model, pool, {&nchw}, std::vector<Tensor>(1), c.options};
    require_op(pool).execute(sub);
    c.outputs[0] = transpose_tensor(sub.outputs[0], {0, 2, 3, 1});
  }

  // out = floor((in + pad_begin + pad_end - k) / s) + 1 (ceil with ceil_mode). FINN v0.6
  // requires symmetric pads and then reads the W padding from pads[2]; shoal takes each
  // dimension's own pads, which is the same for every model v0.6 accepts.
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    const Shape& x = input_shape(n, in, 0);
    NodeAttrs a(n);
    auto k = a.ints("kernel_shape"), s = a.ints("strides"), p = a.ints("pads");
    if (x.size() != 4 || k.size() != 2 || s.size() != 2 || p.size() != 4)
      fail("{}: needs an NHWC input, a 2-D kernel and strides and 4 pads", describe(n));
    bool ceil_mode = a.i("ceil_mode") != 0;
    Shape out = x;
    for (int d = 0; d < 2; ++d) {
      double span = static_cast<double>(x[1 + d] + p[d] + p[d + 2] - k[d]) / s[d];
      out[1 + d] = static_cast<int64_t>(ceil_mode ? std::ceil(span) : std::floor(span)) + 1;
    }
    return {out};
  }

  // The datatype passes through.
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    m.set_datatype(n.output(0), m.datatype(n.input(0)));
  }
};

}  // namespace

void register_maxpool_nhwc_op() {
  register_op(std::make_unique<MaxPoolNhwcOp>());
}

}  // namespace shoal
