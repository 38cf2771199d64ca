// ConvertSubToAdd, ConvertDivToMul, ConvertSignToThres, BatchNormToAffine (dialect.md §3.3).
#include <algorithm>
#include <cmath>

#include "shoal/core/attrs.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/streamline.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

// Sub(x, C) -> Add(x, -C)
bool convert_sub_to_add(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (m.node(i).op_type() != "Sub" || !m.node(i).domain().empty()) continue;
    auto c = param(m, i);
    if (!c) continue;
    for (float& v : c->span<float>()) v = -v;
    m.node(i).set_op_type("Add");
    set_param(m, i, 1, *c);
    return true;
  }
  return false;
}

// Div(x, C) -> Mul(x, 1/C)
bool convert_div_to_mul(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (m.node(i).op_type() != "Div" || !m.node(i).domain().empty()) continue;
    auto c = param(m, i);
    if (!c) continue;
    for (float& v : c->span<float>()) v = 1.0f / v;
    m.node(i).set_op_type("Mul");
    set_param(m, i, 1, *c);
    return true;
  }
  return false;
}

// Sign(x) -> MultiThreshold(x, [[0]], out_scale 2, out_bias -1): note Sign(0) = 0 but the
// threshold gives +1 at 0, as in FINN.
bool convert_sign_to_thres(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (m.node(i).op_type() != "Sign" || !m.node(i).domain().empty()) continue;
    std::string in = m.node(i).input(0), out = m.node(i).output(0);
    std::string t = m.fresh_tensor_name("sign_thresholds");
    m.set_initializer(t, Tensor::from<float>({1, 1}, {0.0f}));
    auto mt = make_node("MultiThreshold", {in, t}, {out}, kGeneralDomain);
    set_attr(mt, "out_scale", 2.0f);
    set_attr(mt, "out_bias", -1.0f);
    set_attr(mt, "out_dtype", "BIPOLAR");
    m.remove_node(i);
    m.insert_node(i, mt);
    m.set_datatype(out, DataType::bipolar());
    return true;
  }
  return false;
}

// BatchNormalization -> Mul(A) + Add(B), A = gamma / sqrt(var + eps), B = beta - A * mean;
// an Unsqueeze in front and a Squeeze behind are removed with it.
bool batchnorm_to_affine(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto bn = m.node(i);
    if (bn.op_type() != "BatchNormalization" || !bn.domain().empty() || bn.input_size() < 5)
      continue;
    std::optional<Tensor> p[4];
    bool constant = true;
    for (int k = 0; k < 4; ++k) {
      p[k] = param(m, i, k + 1);
      constant &= p[k].has_value();
    }
    if (!constant) continue;
    float eps = attr_float(bn, "epsilon", 1e-5f);
    int64_t C = p[0]->size();
    Tensor A(ElemType::Float, {C}), B(ElemType::Float, {C});
    for (int64_t c = 0; c < C; ++c) {
      float a = p[0]->span<float>()[c] / std::sqrt(eps + p[3]->span<float>()[c]);
      A.span<float>()[c] = a;
      B.span<float>()[c] = p[1]->span<float>()[c] - a * p[2]->span<float>()[c];
    }
    std::string in = bn.input(0), out = bn.output(0);
    int unsqueeze = m.producer(in);
    bool drop_unsqueeze = unsqueeze >= 0 && m.node(unsqueeze).op_type() == "Unsqueeze" &&
                          m.consumers(in).size() == 1 && !m.is_graph_output(in);
    int squeeze = m.find_consumer(out);
    bool drop_squeeze = squeeze >= 0 && m.node(squeeze).op_type() == "Squeeze" &&
                        m.consumers(out).size() == 1 && !m.is_graph_output(out);
    if (drop_unsqueeze) in = m.node(unsqueeze).input(0);
    if (drop_squeeze) out = m.node(squeeze).output(0);
    auto shape = m.tensor_shape(in);
    std::size_t rank = shape ? shape->size() : 2;
    Shape target(std::max<std::size_t>(rank, 2), 1);
    target[1] = C;
    std::string a_name = m.fresh_tensor_name("bn_mul"), b_name = m.fresh_tensor_name("bn_add");
    m.set_initializer(a_name, A.reshaped(target));
    m.set_initializer(b_name, B.reshaped(target));
    std::string mid = m.fresh_tensor_name(out + "_scaled");
    // Remove from the back so indices stay valid.
    std::vector<int> dead = {i};
    if (drop_squeeze) dead.push_back(squeeze);
    if (drop_unsqueeze) dead.push_back(unsqueeze);
    std::sort(dead.rbegin(), dead.rend());
    int pos = i;
    for (int d : dead) {
      m.remove_node(d);
      if (d < i) --pos;
    }
    m.insert_node(pos, make_node("Mul", {in, a_name}, {mid}));
    m.insert_node(pos + 1, make_node("Add", {mid, b_name}, {out}));
    infer_shapes(m);
    return true;
  }
  return false;
}

}  // namespace shoal
