// Absorbing linear ops into MultiThreshold, MatMul, Conv and TopK (FINN absorb.py),
// FactorOutMulSignMagnitude, and absorbing the Transposes of lowered convolutions.
#include <algorithm>
#include <cmath>

#include "../../ops/op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/streamline.hpp"
#include "shoal/transforms/transforms.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

namespace {
bool is(const onnx::NodeProto& n, const char* op) {
  return n.op_type() == op && n.domain().empty();
}
bool is_mt(const onnx::NodeProto& n) {
  return n.op_type() == "MultiThreshold" && classify_domain(n.domain()) == Domain::General;
}
}  // namespace

// MultiThreshold -> Add(scalar b)  becomes  MultiThreshold(out_bias += b) with out_dtype INTk
// (UINTk = the smallest type for the number of steps). FINN asserts that the new range fits;
// shoal leaves the Add alone when it does not, and when out_scale != 1 (FINN ignores the
// scale, which gives a wrong datatype).
bool absorb_sign_bias_into_multithreshold(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is_mt(m.node(i)) || !is_linear(m, i)) continue;
    int c = consumer(m, i);
    if (c < 0 || !is(m.node(c), "Add")) continue;
    auto T = param(m, i), A = param(m, c);
    if (!T || !A || !is_scalar(*A) || T->rank() != 2) continue;
    NodeAttrs attrs(m.node(i));
    if (attrs.f("out_scale") != 1.0f) continue;
    float bias = A->span<float>()[0] + attrs.f("out_bias");
    double steps = static_cast<double>(T->shape().back());
    DataType u = *DataType::smallest_possible(steps);
    DataType odt = u.kind() == DataType::Kind::UInt ? DataType::sint(u.bitwidth()) : u;
    if (!odt.allowed(bias) || !odt.allowed(steps + bias)) continue;
    std::string end = m.node(c).output(0);
    set_attr(m.node(i), "out_bias", bias);
    set_attr(m.node(i), "out_dtype", odt.name());
    m.node(i).set_output(0, end);
    m.remove_node(c);
    m.set_datatype(end, odt);
    return true;
  }
  return false;
}

// Add(x, A) -> MultiThreshold(., T), A scalar or 1-D  becomes  MultiThreshold(x, T - A).
bool absorb_add_into_multithreshold(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is(m.node(i), "Add") || !is_linear(m, i)) continue;
    int c = consumer(m, i);
    if (c < 0 || !is_mt(m.node(c))) continue;
    auto A = param(m, i), T = param(m, c);
    if (!A || !T || !(is_scalar(*A) || is_1d(*A)) || T->rank() != 2) continue;
    Tensor col = as_column(*A);
    if (col.shape()[0] != 1 && T->shape()[0] != 1 && col.shape()[0] != T->shape()[0]) continue;
    Tensor tnew = broadcast_op(*T, col, '-');
    set_param(m, c, 1, tnew);
    m.node(c).set_input(0, m.node(i).input(0));
    m.remove_node(i);
    return true;
  }
  return false;
}

// Mul(x, A) with negative entries, A scalar or 1-D and not BIPOLAR  becomes
// Mul(x, sign(A)) [BIPOLAR] -> Mul(., |A|).
bool factor_out_mul_sign_magnitude(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is(m.node(i), "Mul")) continue;
    auto A = param(m, i);
    if (!A || !(A->size() == 1 || is_1d(*A))) continue;
    if (m.datatype(m.node(i).input(1)) == DataType::bipolar()) continue;
    bool negative = false;
    for (float a : A->span<float>()) negative |= a < 0;
    if (!negative) continue;
    Tensor sign = *A, mag = *A;
    for (float& v : sign.span<float>()) v = v > 0 ? 1.0f : (v < 0 ? -1.0f : 0.0f);
    for (float& v : mag.span<float>()) v = std::fabs(v);
    std::string sname = m.fresh_tensor_name("mul_sign");
    m.set_initializer(sname, sign);
    m.set_datatype(sname, DataType::bipolar());
    set_param(m, i, 1, mag);
    std::string x = m.node(i).input(0);
    std::string mid = m.fresh_tensor_name(x + "_signed");
    m.node(i).set_input(0, mid);
    m.insert_node(i, make_node("Mul", {x, sname}, {mid}));
    if (auto s = m.tensor_shape(x)) m.set_tensor_shape(mid, *s);
    return true;
  }
  return false;
}

// Mul(x, A) -> MultiThreshold(., T), A >= 0 scalar or 1-D  becomes  MultiThreshold(x, T / A).
// A zero factor is left alone (FINN would divide by zero).
bool absorb_mul_into_multithreshold(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is(m.node(i), "Mul") || !is_linear(m, i)) continue;
    auto A = param(m, i);
    if (!A || !(is_scalar(*A) || is_1d(*A))) continue;
    bool ok = true;
    for (float a : A->span<float>()) ok &= a > 0;
    if (!ok) continue;
    int c = consumer(m, i);
    if (c < 0 || !is_mt(m.node(c))) continue;
    auto T = param(m, c);
    if (!T || T->rank() != 2) continue;
    Tensor col = as_column(*A);
    if (col.shape()[0] != 1 && T->shape()[0] != 1 && col.shape()[0] != T->shape()[0]) continue;
    set_param(m, c, 1, broadcast_op(*T, col, '/'));
    m.node(c).set_input(0, m.node(i).input(0));
    m.remove_node(i);
    return true;
  }
  return false;
}

namespace {
// Shared by the MatMul and Conv variants: W' = reshape(A) * W when W's datatype allows it.
bool absorb_1bit_mul(Model& m, const char* op, bool conv) {
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is(m.node(i), op)) continue;
    auto W = param(m, i);
    if (!W) continue;
    int c = consumer(m, i);
    if (c < 0 || !is(m.node(c), "Mul")) continue;
    auto A = param(m, c);
    if (!A || m.datatype(m.node(c).input(1)).bitwidth() != 1) continue;
    Tensor a = *A;
    if (conv) {
      if (!(is_scalar(a) || is_1d(a))) continue;
      a = a.reshaped({a.size(), 1, 1, 1});
    }
    Tensor wnew = broadcast_op(a, *W, '*');
    if (wnew.shape() != W->shape()) continue;
    DataType wdt = m.datatype(m.node(i).input(1));
    bool allowed = true;
    for (float v : wnew.span<float>()) allowed &= wdt.allowed(v);
    if (!allowed) continue;
    std::string wname = set_param(m, i, 1, wnew);
    m.set_datatype(wname, wdt);
    m.node(i).set_output(0, m.node(c).output(0));
    m.remove_node(c);
    return true;
  }
  return false;
}
}  // namespace

// MatMul(x, W) -> Mul(., A) with a 1-bit-annotated A  becomes  MatMul(x, A*W).
bool absorb_1bit_mul_into_matmul(Model& m) {
  return absorb_1bit_mul(m, "MatMul", false);
}
// Conv(x, W) -> Mul(., A) with a 1-bit scalar or 1-D A  becomes  Conv(x, A*W).
bool absorb_1bit_mul_into_conv(Model& m) {
  return absorb_1bit_mul(m, "Conv", true);
}

// A scalar positive Mul or a scalar Add in front of TopK does not change the indices:
// remove it; the TopK input is annotated FLOAT32. Only when the TopK values are unused.
bool absorb_scalar_mul_add_into_topk(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& t = m.node(i);
    if (!is(t, "TopK")) continue;
    if (t.output_size() > 0 &&
        (!m.consumers(t.output(0)).empty() || m.is_graph_output(t.output(0))))
      continue;
    int p = m.producer(t.input(0));
    if (p < 0) continue;
    const auto& prod = m.node(p);
    bool mul = is(prod, "Mul"), add = is(prod, "Add");
    if (!mul && !add) continue;
    auto A = param(m, p);
    if (!A || A->size() != 1) continue;
    if (mul && !(A->span<float>()[0] > 0)) continue;
    if (m.consumers(prod.output(0)).size() != 1 || m.is_graph_output(prod.output(0))) continue;
    std::string in = prod.input(0);
    m.node(i).set_input(0, in);
    m.remove_node(p);
    m.set_datatype(in, DataType::float32());
    return true;
  }
  return false;
}

// For each MultiThreshold with an integer input: thresholds rounded up, clipped at 0 for an
// unsigned input, clipped into [min - 1, max + 1] of the input type; whenever they change
// they are annotated with the input's datatype (f6 round_thresholds.py).
bool round_and_clip_thresholds(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    if (!is_mt(m.node(i))) continue;
    DataType idt = m.datatype(m.node(i).input(0));
    auto T = param(m, i);
    if (!T || !idt.is_integer()) continue;
    Tensor t = *T;
    bool modified = false;
    for (float& v : t.span<float>()) {
      float r = std::ceil(v);
      if (!idt.is_signed() && r < 0) r = 0;
      r = static_cast<float>(std::min<double>(std::max<double>(r, idt.min() - 1), idt.max() + 1));
      modified |= r != v;
      v = r;
    }
    if (!modified) continue;
    std::string name = set_param(m, i, 1, t);
    m.set_datatype(name, idt);
    changed = true;
  }
  return changed;
}

}  // namespace shoal

namespace shoal {

namespace {

std::vector<int64_t> perm_of(const onnx::NodeProto& n) {
  return attr_ints(n, "perm");
}

bool is_transpose(const onnx::NodeProto& n) {
  return n.op_type() == "Transpose" && n.domain().empty();
}

}  // namespace

// Transpose(0,3,1,2) -> MultiThreshold (NCHW) -> Transpose(0,2,3,1)  becomes  one NHWC
// MultiThreshold; with anything else after the MultiThreshold the first Transpose moves
// behind it and the MultiThreshold becomes NHWC (f6 absorb.py:310). The thresholds stay as
// they are: their rows are the channels in either layout.
bool absorb_transpose_into_multithreshold(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& t = m.node(i);
    if (!is_transpose(t) || perm_of(t) != std::vector<int64_t>{0, 3, 1, 2}) continue;
    auto readers = m.consumers(t.output(0));
    if (readers.size() != 1 || m.is_graph_output(t.output(0))) continue;
    int mt = readers[0];
    const auto& th = m.node(mt);
    if (!is_mt(th) || th.input(0) != t.output(0) || m.is_fork(mt)) continue;
    if (attr_string(th, "data_layout", "NCHW") != "NCHW") continue;
    auto shape = m.tensor_shape(th.input(0));
    if (!shape || shape->size() != 4) continue;
    std::string start = t.input(0), mt_out = th.output(0);
    auto after = m.consumers(mt_out);
    int t2 = after.size() == 1 && !m.is_graph_output(mt_out) ? after[0] : -1;
    if (t2 >= 0 && is_transpose(m.node(t2)) &&
        perm_of(m.node(t2)) == std::vector<int64_t>{0, 2, 3, 1}) {
      std::string end = m.node(t2).output(0);
      m.node(mt).set_input(0, start);
      m.node(mt).set_output(0, end);
      set_attr(m.node(mt), "data_layout", "NHWC");
      m.remove_node(std::max(i, t2));
      m.remove_node(std::min(i, t2));
    } else {
      // MultiThreshold(start) -> mid -> Transpose -> mt_out
      std::string mid = m.fresh_tensor_name(mt_out + "_nhwc");
      m.node(mt).set_input(0, start);
      m.node(mt).set_output(0, mid);
      set_attr(m.node(mt), "data_layout", "NHWC");
      m.node(i).set_input(0, mid);
      m.node(i).set_output(0, mt_out);
      m.set_datatype(mid, m.datatype(mt_out));
      onnx::NodeProto moved = m.node(i);
      m.remove_node(i);
      m.insert_node(mt > i ? mt : mt + 1, moved);  // right after the MultiThreshold
    }
    infer_shapes(m);
    infer_datatypes(m);
    return true;
  }
  return false;
}

}  // namespace shoal
