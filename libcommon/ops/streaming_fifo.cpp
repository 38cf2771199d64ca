// StreamingFIFO (estimates.md §3.3, hardware.md §1.5): a FIFO of `depth` beats of the
// folded shape's last dimension; executes as the identity.
#include <cmath>

#include "shoal/attrs.hpp"
#include "shoal/error.hpp"
#include "shoal/hw_op.hpp"

namespace shoal {
namespace {

class StreamingFifo : public HwOp {
 public:
  std::string_view op_type() const override { return "StreamingFIFO"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("depth", 0, true), ints_attr("folded_shape", {}, true),
            string_attr("dataType", "", true),
            string_attr("impl_style", "rtl", false, {"rtl", "vivado"}),
            string_attr("ram_style", "auto", false, {"auto", "block", "distributed", "ultra"})};
  }
  static Shape folded(const onnx::NodeProto& n) {
    Shape s = NodeAttrs(n).ints("folded_shape");
    if (s.size() < 2) fail("{}: folded_shape needs at least two dimensions", describe(n));
    return s;
  }
  static Shape normal(const onnx::NodeProto& n) {
    Shape f = folded(n);
    Shape s(f.begin(), f.end() - 2);
    s.push_back(f[f.size() - 2] * f.back());
    return s;
  }
  Shape normal_input_shape(const onnx::NodeProto& n, int) const override { return normal(n); }
  Shape normal_output_shape(const onnx::NodeProto& n) const override { return normal(n); }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override { return folded(n); }
  Shape folded_output_shape(const onnx::NodeProto& n) const override { return folded(n); }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("dataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("dataType");
  }
  void infer_datatypes(Model& m, int idx) const override {
    auto& n = m.node(idx);
    m.set_datatype(n.output(0), output_datatype(n));
  }

  int64_t bram_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    if (a.s("impl_style") == "rtl" || a.s("ram_style") != "block") return 0;
    double W = static_cast<double>(instream_width(n)), d = static_cast<double>(a.i("depth"));
    double r;
    if (W == 1)
      r = std::ceil(d / 16384);
    else if (W == 2)
      r = std::ceil(d / 8192);
    else if (W <= 4)
      r = std::ceil(d / 4096) * std::ceil(W / 4);
    else if (W <= 9)
      r = std::ceil(d / 2048) * std::ceil(W / 9);
    else if (W <= 18 || d > 512)
      r = std::ceil(d / 1024) * std::ceil(W / 18);
    else
      r = std::ceil(d / 512) * std::ceil(W / 36);
    return static_cast<int64_t>(r);
  }
  std::optional<double> bram_efficiency(const onnx::NodeProto& n) const override {
    int64_t bram = bram_estimation(n);
    if (bram == 0) return std::nullopt;
    return static_cast<double>(instream_width(n) * NodeAttrs(n).i("depth")) /
           static_cast<double>(bram * 36 * 512);
  }
  int64_t uram_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    if (a.s("impl_style") != "vivado" || a.s("ram_style") != "ultra") return 0;
    return static_cast<int64_t>(std::ceil(static_cast<double>(a.i("depth")) / 4096) *
                                std::ceil(static_cast<double>(instream_width(n)) / 72));
  }
  int64_t lut_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    double d = static_cast<double>(a.i("depth")), W = static_cast<double>(instream_width(n));
    double ram = 0;
    if (a.s("impl_style") == "rtl" ||
        (a.s("impl_style") == "vivado" && a.s("ram_style") == "distributed"))
      ram = std::ceil(d / 32) * std::ceil(W / 2);
    return static_cast<int64_t>(2 * std::ceil(std::log(d) / std::log(2.0)) + ram);
  }

  void execute(ExecContext& c) const override { c.outputs[0] = c.in(0); }
};

}  // namespace

void register_streaming_fifo_op() {
  register_op(std::make_unique<StreamingFifo>());
}

}  // namespace shoal
