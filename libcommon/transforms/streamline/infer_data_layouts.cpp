// InferDataLayouts (finn-base infer_data_layouts.py, dialect.md §3.3).
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"
#include "shoal/transforms/streamline.hpp"

namespace shoal {

namespace {

using Layout = std::vector<std::string>;
const Layout kNC = {"N", "C"}, kNCHW = {"N", "C", "H", "W"}, kNHWC = {"N", "H", "W", "C"},
             kUnknown = {};

std::optional<Layout> dims_to_layout(const Model& m, const onnx::NodeProto& n, std::size_t ndims) {
  if (ndims == 2) return kNC;
  if (n.domain() == kGeneralDomain || n.domain() == "qonnx.custom_op.general") {
    if (n.op_type() == "MultiThreshold" || n.op_type() == "QuantAvgPool2d") {
      std::string l = attr_string(n, "data_layout", "NCHW");
      if (ndims == 4 && l == "NHWC") return kNHWC;
      if (ndims == 4 && l == "NCHW") return kNCHW;
      return kUnknown;
    }
    return ndims == 4 ? kNHWC : kUnknown;
  }
  if (classify_domain(n.domain()) == Domain::Dataflow) return ndims == 4 ? kNHWC : kUnknown;
  return m.layout(n.input(0));
}

bool infer_node(Model& m, int i) {
  const auto& n = m.node(i);
  std::vector<std::optional<Layout>> before;
  for (const auto& o : n.output()) before.push_back(m.layout(o));
  auto set = [&](const std::string& t, const std::optional<Layout>& l) {
    if (l && !t.empty()) m.set_layout(t, *l);
  };
  bool finn_op =
      n.domain().rfind("finn", 0) == 0 || classify_domain(n.domain()) != Domain::Standard;
  if (!finn_op && n.op_type() == "Transpose") {
    auto in = m.layout(n.input(0));
    auto perm = attr_ints(n, "perm");
    if (in && perm.size() == in->size()) {
      Layout out;
      for (auto p : perm) out.push_back((*in)[p]);
      set(n.output(0), out);
    }
  } else if (!finn_op && n.op_type() == "Unsqueeze") {
    if (auto in = m.layout(n.input(0))) {
      Layout out = *in;
      out.push_back("x");
      set(n.output(0), out);
    }
  } else if (!finn_op && n.op_type() == "Squeeze") {
    auto in = m.layout(n.input(0));
    if (in && !in->empty() && in->back() == "x")
      set(n.output(0), Layout(in->begin(), in->end() - 1));
  } else {
    for (const auto& o : n.output()) {
      if (o.empty()) continue;
      auto shape = m.tensor_shape(o);
      if (!shape) continue;
      set(o, dims_to_layout(m, n, shape->size()));
    }
  }
  const auto& after = m.node(i);
  for (int k = 0; k < after.output_size(); ++k)
    if (m.layout(after.output(k)) != before[k]) return true;
  return false;
}

}  // namespace

bool infer_data_layouts(Model& m) {
  bool changed = false;
  if (m.graph().input_size() > 0) {
    const std::string& in = m.graph().input(0).name();
    if (!m.layout(in)) {
      auto shape = m.tensor_shape(in);
      if (shape && shape->size() == 4) {
        m.set_layout(in, kNCHW);
        changed = true;
      } else if (shape && shape->size() == 2) {
        m.set_layout(in, kNC);
        changed = true;
      }
    }
  }
  for (int i = 0; i < m.node_count(); ++i) changed |= infer_node(m, i);
  return changed;
}

}  // namespace shoal
