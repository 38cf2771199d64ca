// Trunc v1 (QONNX, dialect.md §2).
#include <cmath>

#include "op_util.hpp"
#include "rounding.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {
namespace {

// Trunc v1 (all FINN versions): y = round(x/scale + zeropt) / 2^(in_bw - out_bw), then the
// rounding mode, then (y - zeropt) * scale.
class TruncOp : public OpDef {
 public:
  std::string_view op_type() const override { return "Trunc"; }
  Domain domain() const override { return Domain::General; }
  int min_inputs() const override { return 5; }
  std::vector<AttrSpec> attr_specs() const override {
    return {string_attr("rounding_mode", "FLOOR", true)};
  }
  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    auto mode = ops::parse_rounding_mode(a.s("rounding_mode"));
    Tensor x = c.in(0).astype(ElemType::Float);
    Tensor scale = c.in(1).astype(ElemType::Float), zeropt = c.in(2).astype(ElemType::Float);
    float in_bw = static_cast<float>(quantizer_bit_width(c.node, c.in(3), "input bit width"));
    float out_bw = static_cast<float>(quantizer_bit_width(c.node, c.in(4), "output bit width"));
    float trunc_scale = std::pow(2.0f, in_bw - out_bw);
    Shape out_shape =
        ops::broadcast_shapes(ops::broadcast_shapes(x.shape(), scale.shape()), zeropt.shape());
    auto ix = ops::broadcast_index(x.shape(), out_shape);
    auto is = ops::broadcast_index(scale.shape(), out_shape);
    auto iz = ops::broadcast_index(zeropt.shape(), out_shape);
    Tensor out(ElemType::Float, out_shape);
    auto px = x.span<float>();
    auto ps = scale.span<float>();
    auto pz = zeropt.span<float>();
    auto po = out.span<float>();
    for (std::size_t i = 0; i < po.size(); ++i) {
      float y = std::nearbyint(px[ix[i]] / ps[is[i]] + pz[iz[i]]);
      y = ops::apply_rounding(mode, y / trunc_scale);
      po[i] = (y - pz[iz[i]]) * ps[is[i]];
    }
    c.outputs[0] = std::move(out);
  }
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    return {input_shape(n, in, 0)};
  }
  void infer_datatypes(Model& m, int idx) const override {
    m.set_datatype(m.node(idx).output(0), DataType::float32());
  }
};

}  // namespace

void register_trunc_op() {
  register_op(std::make_unique<TruncOp>());
}

}  // namespace shoal
