// MultiThreshold (dialect.md §2): y = out_scale * #{j : x >= T[c, j]} + out_bias, channel c
// on axis 1 (NCHW) or the last axis (NHWC and any layout ending in C).
#include <algorithm>
#include <cmath>

#include "op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/ops/kernels.hpp"

namespace shoal {

Tensor multithreshold(const Tensor& x_in, const Tensor& thresholds, float out_scale, float out_bias,
                      const std::string& layout) {
  Tensor x = x_in.astype(ElemType::Float);
  if (thresholds.rank() != 2)
    fail("thresholds must be 2-D (channels, steps), got {}", format_shape(thresholds.shape()));
  int64_t r = static_cast<int64_t>(x.rank());
  if (r < 1) fail("MultiThreshold needs an input of rank 1 or more");
  bool channels_last = layout != "NCHW" || r <= 2;
  int64_t axis = channels_last ? r - 1 : 1;
  auto v = ops::axis_view(x.shape(), axis);
  int64_t rows = thresholds.shape()[0], steps = thresholds.shape()[1];
  if (rows != 1 && rows != v.dim)
    fail("thresholds have {} rows but the input has {} channels", rows, v.dim);
  auto t = thresholds.floats();
  // NaN thresholds sort last and are never reached (x >= NaN is false, as in numpy); plain `<`
  // is no strict weak order once NaN is in, and std::sort may then run off the vector.
  auto before = [](float a, float b) { return a < b || (!std::isnan(a) && std::isnan(b)); };
  std::vector<std::vector<float>> sorted(rows);
  for (int64_t c = 0; c < rows; ++c) {
    sorted[c].assign(t.begin() + c * steps, t.begin() + (c + 1) * steps);
    std::sort(sorted[c].begin(), sorted[c].end(), before);
  }
  auto p = x.span<float>();
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t c = 0; c < v.dim; ++c) {
      const auto& th = sorted[rows == 1 ? 0 : c];
      float* base = p.data() + (o * v.dim + c) * v.inner;
      for (int64_t i = 0; i < v.inner; ++i) {
        float xv = base[i];
        // count of thresholds with x >= T
        int64_t count =
            std::isnan(xv) ? 0 : std::upper_bound(th.begin(), th.end(), xv, before) - th.begin();
        base[i] = out_scale * static_cast<float>(count) + out_bias;
      }
    }
  return x;
}

namespace {

bool is_integral(float v) {
  return std::floor(v) == v;
}

class MultiThresholdOp : public OpDef {
 public:
  std::string_view op_type() const override { return "MultiThreshold"; }
  Domain domain() const override { return Domain::General; }
  int min_inputs() const override { return 2; }
  std::vector<AttrSpec> attr_specs() const override {
    return {string_attr("out_dtype", "", true), float_attr("out_scale", 1.0f),
            float_attr("out_bias", 0.0f), string_attr("data_layout", "NCHW")};
  }
  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    c.outputs[0] =
        multithreshold(c.in(0), c.in(1), a.f("out_scale"), a.f("out_bias"), a.s("data_layout"));
  }
  std::vector<Shape> infer_shapes(const onnx::NodeProto& n,
                                  const std::vector<std::optional<Shape>>& in) const override {
    return {input_shape(n, in, 0)};
  }
  // qonnx rule (a superset of v0.6's): out_dtype, or FLOAT32 when scale or bias is fractional.
  void infer_datatypes(Model& m, int idx) const override {
    const auto& n = m.node(idx);
    NodeAttrs a(n);
    DataType dt = a.dt("out_dtype");
    if (!is_integral(a.f("out_scale")) || !is_integral(a.f("out_bias"))) dt = DataType::float32();
    m.set_datatype(n.output(0), dt);
  }
};

}  // namespace

void register_multithreshold_op() {
  register_op(std::make_unique<MultiThresholdOp>());
}

}  // namespace shoal
