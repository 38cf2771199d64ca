// BipolarQuant (QONNX, dialect.md §2): y = (x >= 0 ? +1 : -1) * scale.
#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"

namespace shoal {
namespace {

class BipolarQuantOp : public OpDef {
 public:
  std::string_view op_type() const override { return "BipolarQuant"; }
  Domain domain() const override { return Domain::General; }
  int min_inputs() const override { return 2; }
  void execute(ExecContext& c) const override {
    Tensor x = c.in(0).astype(ElemType::Float);
    Tensor scale = c.in(1).astype(ElemType::Float);
    Shape out_shape = ops::broadcast_shapes(x.shape(), scale.shape());
    auto ix = ops::broadcast_index(x.shape(), out_shape);
    auto is = ops::broadcast_index(scale.shape(), out_shape);
    Tensor out(ElemType::Float, out_shape);
    auto px = x.span<float>();
    auto ps = scale.span<float>();
    auto po = out.span<float>();
    for (std::size_t i = 0; i < po.size(); ++i) po[i] = (px[ix[i]] >= 0 ? 1.0f : -1.0f) * ps[is[i]];
    c.outputs[0] = std::move(out);
  }
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    return {input_shape(n, in, 0)};
  }
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    bool unit = ops::all_values_equal(m.initializer(n.input(1)), 1.0);
    m.set_datatype(n.output(0), unit ? DataType::bipolar() : DataType::float32());
  }
};

}  // namespace

void register_bipolar_quant_op() {
  register_op(std::make_unique<BipolarQuantOp>());
}

}  // namespace shoal
