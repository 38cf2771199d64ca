// LabelSelect_Batch: the indices of the K largest inputs, largest first, earlier index first
// among equals (estimates.md §3.8, hardware.md §1.7).
#include <algorithm>
#include <numeric>

#include "shoal/attrs.hpp"
#include "shoal/error.hpp"
#include "shoal/hw_op.hpp"

namespace shoal {
namespace {

class LabelSelectBatch : public HwOp {
 public:
  std::string_view op_type() const override { return "LabelSelect_Batch"; }
  std::vector<AttrSpec> own_attr_specs() const override {
    return {int_attr("Labels", 0, true),
            int_attr("PE", 0, true),
            int_attr("K", 0, true),
            string_attr("inputDataType", "", true),
            string_attr("outputDataType", ""),
            ints_attr("numInputVectors", {1})};
  }
  static Shape vecs(const onnx::NodeProto& n) { return NodeAttrs(n).ints("numInputVectors"); }
  Shape normal_input_shape(const onnx::NodeProto& n, int) const override {
    Shape s = vecs(n);
    s.push_back(NodeAttrs(n).i("Labels"));
    return s;
  }
  Shape normal_output_shape(const onnx::NodeProto& n) const override {
    Shape s = vecs(n);
    s.push_back(NodeAttrs(n).i("K"));
    return s;
  }
  Shape folded_input_shape(const onnx::NodeProto& n, int) const override {
    NodeAttrs a(n);
    int64_t labels = a.i("Labels"), pe = a.i("PE");
    if (pe < 1 || labels % pe != 0)
      fail("{}: PE={} does not divide Labels={} (allowed: {})", describe(n), pe, labels,
           divisor_list(labels));
    Shape s = vecs(n);
    s.push_back(labels / pe);
    s.push_back(pe);
    return s;
  }
  Shape folded_output_shape(const onnx::NodeProto& n) const override {
    Shape s = vecs(n);
    s.push_back(NodeAttrs(n).i("K"));
    s.push_back(1);
    return s;
  }
  DataType input_datatype(const onnx::NodeProto& n, int) const override {
    return NodeAttrs(n).dt("inputDataType");
  }
  // Unset: the smallest type holding Labels-1, widened to a multiple of 8 bits.
  DataType output_datatype(const onnx::NodeProto& n) const override {
    std::string odt = NodeAttrs(n).s("outputDataType");
    if (!odt.empty()) return DataType::from_name(odt);
    return default_output_datatype(NodeAttrs(n).i("Labels"));
  }
  static DataType default_output_datatype(int64_t labels) {
    DataType dt = *DataType::smallest_possible(static_cast<double>(labels - 1));
    int bits = static_cast<int>(roundup_to_multiple(dt.bitwidth(), 8));
    return DataType::uint(bits);
  }
  int64_t outstream_width(const onnx::NodeProto& n) const override {
    return output_datatype(n).bitwidth();
  }
  ElemType output_elem_type(const onnx::NodeProto&, int) const override { return ElemType::Int64; }

  // estimates.md §3.8: Labels / PE, ignoring numInputVectors; no resources.
  int64_t exp_cycles(const onnx::NodeProto& n) const override {
    NodeAttrs a(n);
    return static_cast<int64_t>(static_cast<double>(a.i("Labels")) /
                                static_cast<double>(a.i("PE")));
  }

  void execute(ExecContext& c) const override {
    NodeAttrs a(c.node);
    const Tensor& x = c.in(0);
    int64_t labels = a.i("Labels"), k = a.i("K");
    if (x.shape().empty() || x.shape().back() != labels)
      fail("input has shape {}, expected {} labels on the last axis", format_shape(x.shape()),
           labels);
    int64_t rows = x.size() / labels;
    Shape out_shape = x.shape();
    out_shape.back() = k;
    Tensor out(ElemType::Int64, out_shape);
    std::vector<int64_t> order(labels);
    for (int64_t r = 0; r < rows; ++r) {
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
        return x.get(r * labels + i) > x.get(r * labels + j);
      });
      for (int64_t j = 0; j < k; ++j) out.span<int64_t>()[r * k + j] = order[j];
    }
    c.outputs[0] = std::move(out);
  }
};

}  // namespace

void register_label_select_batch_op() {
  register_op(std::make_unique<LabelSelectBatch>());
}

}  // namespace shoal
