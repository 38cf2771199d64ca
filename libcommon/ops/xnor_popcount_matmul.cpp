// XnorPopcountMatMul (dialect.md §2): both inputs BINARY, y = (matmul(2A-1, 2W-1) + K) / 2,
// the number of positions where A and W agree. Output UINT32.
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {

Tensor xnor_popcount_matmul(const Tensor& a, const Tensor& w) {
  Tensor ab = a.astype(ElemType::Float), wb = w.astype(ElemType::Float);
  for (float& v : ab.span<float>()) v = 2 * v - 1;
  for (float& v : wb.span<float>()) v = 2 * v - 1;
  Tensor y = matmul(ab, wb);
  float K = static_cast<float>(w.shape().at(0));
  for (float& v : y.span<float>()) v = (v + K) / 2;
  return y;
}

namespace {

class XnorPopcountMatMulOp : public OpDef {
 public:
  std::string_view op_type() const override { return "XnorPopcountMatMul"; }
  Domain domain() const override { return Domain::General; }
  int min_inputs() const override { return 2; }
  void execute(ExecContext& c) const override {
    c.outputs[0] = xnor_popcount_matmul(c.in(0), c.in(1));
  }
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    Shape s = input_shape(n, in, 0);
    const Shape& w = input_shape(n, in, 1);
    if (s.empty() || w.size() != 2) fail("{}: expects (..., K) x (K, N)", describe(n));
    s.back() = w[1];
    return {s};
  }
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    for (int i = 0; i < 2; ++i)
      if (m.datatype(n.input(i)) != DataType::binary())
        fail("{}: input '{}' must be annotated BINARY, is {}", describe(n), n.input(i),
             m.datatype(n.input(i)).name());
    m.set_datatype(n.output(0), DataType::uint(32));
  }
};

}  // namespace

void register_xnor_popcount_matmul_op() {
  register_op(std::make_unique<XnorPopcountMatMulOp>());
}

}  // namespace shoal
