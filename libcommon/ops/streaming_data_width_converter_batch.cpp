// StreamingDataWidthConverter_Batch (estimates.md §3.4, hardware.md §1.6): repacks a stream
// from inWidth to outWidth bits per beat, element order preserved; executes as the identity.
#include <cmath>
#include <numeric>

#include "shoal/attrs.hpp"
#include "shoal/error.hpp"
#include "shoal/hw_op.hpp"

namespace shoal {
namespace {

class StreamingDataWidthConverterBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "StreamingDataWidthConverter_Batch"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {ints_attr("shape", {}, true), int_attr("inWidth", 0, true),
            int_attr("outWidth", 0, true), string_attr("dataType", "", true),
            string_attr("impl_style", "hls", false, {"hls", "vivado"})};
  }
  // v0.6 has no LCM path: one width must divide the other (hardware.md §1.6).
  static Shape folded(const onnx::NodeProto& n, const char* width_attr) {
    NodeAttrs a(n);
    int64_t in = a.i("inWidth"), out = a.i("outWidth"), bits = a.dt("dataType").bitwidth();
    if (in < 1 || out < 1 || (std::max(in, out) % std::min(in, out)) != 0)
      fail("{}: inWidth {} and outWidth {} are not multiples of one another", describe(n), in, out);
    if (in % bits || out % bits)
      fail("{}: the widths are not multiples of the {}-bit elements", describe(n), bits);
    Shape s = a.ints("shape");
    int64_t per_beat = a.i(width_attr) / bits;
    if (s.empty() || s.back() % per_beat)
      fail("{}: {} elements per beat do not divide {}", describe(n), per_beat, format_shape(s));
    int64_t c = s.back();
    s.back() = c / per_beat;
    s.push_back(per_beat);
    return s;
  }
  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).ints("shape");
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).ints("shape");
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    return folded(n, "inWidth");
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    return folded(n, "outWidth");
  }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("dataType");
  }
  DataType output_datatype(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).dt("dataType");
  }
  int64_t instream_width(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).i("inWidth");
  }
  int64_t outstream_width(const onnx::NodeProto& n) const override {
    return NodeAttrs(n).i("outWidth");
  }
  void infer_datatypes(Model& m, int idx) const override {
    auto& n = m.node(idx);
    m.set_datatype(n.output(0), output_datatype(n));
  }

  int64_t lut_estimation(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    int64_t in = a.i("inWidth"), out = a.i("outWidth");
    int64_t minw = std::min(in, out), maxw = std::max(in, out);
    int64_t intw = std::lcm(maxw, minw);
    double cnt = 0, cset = 0;
    auto log2r = [](double x) { return std::log(x) / std::log(2.0); };
    if (in != intw) {
      cnt += std::fabs(std::ceil(log2r(static_cast<double>(in) / static_cast<double>(intw))));
      cset += static_cast<double>(intw);
    }
    if (intw != out) {
      cnt += std::fabs(std::ceil(log2r(static_cast<double>(intw) / static_cast<double>(out))));
      cset += static_cast<double>(out);
    }
    return static_cast<int64_t>(cnt + cset);
  }

  void execute(ExecContext& c) const override { c.outputs[0] = c.in(0); }
};

}  // namespace

void register_streaming_data_width_converter_batch_op() {
  register_op(std::make_unique<StreamingDataWidthConverterBatch>());
}

}  // namespace shoal
