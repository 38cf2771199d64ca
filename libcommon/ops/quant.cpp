// Quant (QONNX, dialect.md §2): q = clamp(x/scale + zeropt) then round (clamp BEFORE rounding),
// y = (q - zeropt) * scale; a 1-bit signed Quant is a bipolar sign.
#include <cmath>

#include "op_util.hpp"
#include "rounding.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {

Tensor quant(const Tensor& x_in, const Tensor& scale_in, const Tensor& zeropt_in, double bitwidth,
             const QuantParams& p) {
  Tensor x = x_in.astype(ElemType::Float);
  Tensor scale = scale_in.astype(ElemType::Float), zeropt = zeropt_in.astype(ElemType::Float);
  Shape out_shape =
      ops::broadcast_shapes(ops::broadcast_shapes(x.shape(), scale.shape()), zeropt.shape());
  auto is = ops::broadcast_index(scale.shape(), out_shape);
  auto iz = ops::broadcast_index(zeropt.shape(), out_shape);
  auto ix = ops::broadcast_index(x.shape(), out_shape);
  auto mode = ops::parse_rounding_mode(p.rounding_mode);
  if (!(bitwidth >= 1 && bitwidth <= 64) || std::floor(bitwidth) != bitwidth)
    fail("Quant bit width {} is not an integer from 1 to 64", bitwidth);
  float lo, hi;
  if (p.is_signed) {
    lo = static_cast<float>(-std::ldexp(1.0, static_cast<int>(bitwidth) - 1) + (p.narrow ? 1 : 0));
    hi = static_cast<float>(std::ldexp(1.0, static_cast<int>(bitwidth) - 1) - 1);
  } else {
    lo = 0;
    hi = static_cast<float>(std::ldexp(1.0, static_cast<int>(bitwidth)) - (p.narrow ? 2 : 1));
  }
  bool bipolar = bitwidth == 1 && p.is_signed;
  Tensor out(ElemType::Float, out_shape);
  auto px = x.span<float>();
  auto ps = scale.span<float>();
  auto pz = zeropt.span<float>();
  auto po = out.span<float>();
  for (std::size_t i = 0; i < po.size(); ++i) {
    float s = ps[is[i]], z = pz[iz[i]];
    float q = px[ix[i]] / s + z;
    if (bipolar) {
      q = q >= 0 ? 1.0f : -1.0f;
    } else {
      q = std::min(hi, std::max(lo, q));
      q = ops::apply_rounding(mode, q);
    }
    po[i] = (q - z) * s;
  }
  return out;
}

int quantizer_bit_width(const onnx::NodeProto& node, const Tensor& bits, std::string_view which) {
  if (bits.size() != 1) fail("{}: the {} must be a scalar", describe(node), which);
  double v = bits.get(0);
  if (!(v >= 1 && v <= 64) || std::floor(v) != v)
    fail("{}: {} {} is not an integer from 1 to 64", describe(node), which, v);
  return static_cast<int>(v);
}

namespace {

class QuantOp : public OpDef {
 public:
  std::string_view op_type() const override { return "Quant"; }
  Domain domain() const override { return Domain::General; }
  int min_inputs() const override { return 4; }
  std::vector<AttrSpec> attr_specs() const override {
    return {int_attr("signed", 1, true, {0, 1}), int_attr("narrow", 1, true, {0, 1}),
            string_attr("rounding_mode", "ROUND")};
  }
  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    QuantParams p{a.i("signed") != 0, a.i("narrow") != 0, a.s("rounding_mode")};
    c.outputs[0] = quant(c.in(0), c.in(1), c.in(2), quantizer_bit_width(c.node, c.in(3)), p);
  }
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    return {input_shape(n, in, 0)};
  }
  // INTn/UINTn (BIPOLAR/BINARY for one bit) when scale is 1 and zeropt 0, else FLOAT32.
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    NodeAttrs a(n);
    auto scale = m.initializer(n.input(1));
    auto zeropt = m.initializer(n.input(2));
    auto bits = m.initializer(n.input(3));
    DataType dt = DataType::float32();
    if (ops::all_values_equal(scale, 1.0) && ops::all_values_equal(zeropt, 0.0) && bits &&
        bits->size() == 1) {
      int bw = quantizer_bit_width(n, *bits);
      bool s = a.i("signed") != 0;
      dt = bw == 1 ? (s ? DataType::bipolar() : DataType::binary())
                   : (s ? DataType::sint(bw) : DataType::uint(bw));
    }
    m.set_datatype(n.output(0), dt);
  }
};

}  // namespace

void register_quant_op() {
  register_op(std::make_unique<QuantOp>());
}

}  // namespace shoal
