// Moving linear ops (Add, Mul) past MatMul, Conv, MaxPool and shape-only ops, and
// MakeMaxPoolNHWC (dialect.md §3.3, FINN reorder.py).
#include "shoal/core/attrs.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/kernels.hpp"
#include "shoal/transforms/streamline.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

namespace {

bool is(const onnx::NodeProto& n, const char* op) {
  return n.op_type() == op && n.domain().empty();
}

// P(x, p) -> mid -> Q(mid, ...) -> end   becomes   Q(x, ...) -> mid -> P(mid, p) -> end.
// Node names and parameters stay with their ops.
void swap_past(Model& m, int p, int q) {
  std::string x = m.node(p).input(0), mid = m.node(p).output(0), end = m.node(q).output(0);
  m.node(q).set_input(0, x);
  m.node(q).set_output(0, mid);
  m.node(p).set_input(0, mid);
  m.node(p).set_output(0, end);
  onnx::NodeProto moved = m.node(p);
  m.remove_node(p);
  int q_now = q > p ? q - 1 : q;
  m.insert_node(q_now + 1, moved);
  infer_shapes(m);
}

// A linear op with a constant parameter that neither forks nor joins, followed (through
// input[0]) by a node of type `next` that does not join.
int linear_then(const Model& m, int i, const char* op, const char* next) {
  if (!is(m.node(i), op) || !is_linear(m, i) || !param(m, i)) return -1;
  int c = consumer(m, i);
  if (c < 0 || !is(m.node(c), next) || m.is_join(c)) return -1;
  return c;
}

}  // namespace

// Add(x, B) -> Mul(., A)  becomes  Mul(x, A) -> Add(., B*A)
bool move_add_past_mul(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Add", "Mul");
    if (c < 0) continue;
    auto A = param(m, c), B = param(m, i);
    if (!A) continue;
    Tensor BA = broadcast_op(*B, *A, '*');
    set_param(m, i, 1, BA);
    swap_past(m, i, c);
    return true;
  }
  return false;
}

// Add(x, a) -> MatMul(., W) with scalar a  becomes  MatMul(x, W) -> Add(., a * colsum(W))
bool move_scalar_add_past_matmul(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Add", "MatMul");
    if (c < 0) continue;
    auto a = param(m, i), W = param(m, c);
    if (!W || !is_scalar(*a) || W->rank() != 2) continue;
    int64_t K = W->shape()[0];
    Tensor ones(ElemType::Float, {1, K});
    for (float& v : ones.span<float>()) v = a->span<float>()[0];
    Tensor anew = matmul(ones, *W).reshaped({W->shape()[1]});
    set_param(m, i, 1, anew);
    swap_past(m, i, c);
    return true;
  }
  return false;
}

// Mul(x, a) -> MatMul(., W) with scalar a  becomes  MatMul(x, W) -> Mul(., a)
bool move_scalar_mul_past_matmul(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Mul", "MatMul");
    if (c < 0) continue;
    if (!param(m, c) || !is_scalar(*param(m, i))) continue;
    swap_past(m, i, c);
    return true;
  }
  return false;
}

// Mul(x, a) -> Conv with scalar a  becomes  Conv -> Mul(., a)
bool move_scalar_mul_past_conv(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Mul", "Conv");
    if (c < 0) continue;
    if (!param(m, c) || !is_scalar(*param(m, i))) continue;
    swap_past(m, i, c);
    return true;
  }
  return false;
}

// Add(x, A) -> Conv (no padding) with A scalar or (1, C, 1, 1)  becomes  Conv -> Add(A'),
// A' = the conv of a constant image filled with A (FINN computes it by executing the conv).
bool move_add_past_conv(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Add", "Conv");
    if (c < 0) continue;
    const auto& conv = m.node(c);
    auto pads = attr_ints(conv, "pads");
    bool padded = false;
    for (auto p : pads) padded |= p != 0;
    std::string auto_pad = attr_string(conv, "auto_pad", "NOTSET");
    if (padded || (auto_pad != "NOTSET" && auto_pad != "VALID")) continue;
    auto in_shape = m.tensor_shape(conv.input(0));
    if (!in_shape || in_shape->size() < 3) continue;
    Tensor A = *param(m, i);
    int64_t channels = (*in_shape)[1];
    Shape per_channel(in_shape->size(), 1);
    per_channel[1] = channels;
    if (!is_scalar(A) && A.shape() != per_channel) continue;
    if (!param(m, c, 1)) continue;
    // Execute the conv alone on the constant image.
    Tensor image(ElemType::Float, *in_shape);
    auto v = image.span<float>();
    int64_t inner = image.size() / ((*in_shape)[0] * channels);
    for (int64_t k = 0; k < image.size(); ++k)
      v[k] = is_scalar(A) ? A.span<float>()[0] : A.span<float>()[(k / inner) % channels];
    Model one;
    *one.proto().mutable_opset_import() = m.proto().opset_import();
    *one.graph().add_node() = conv;
    one.graph().add_input()->set_name(conv.input(0));
    one.set_tensor_shape(conv.input(0), *in_shape);
    for (int k = 1; k < conv.input_size(); ++k)
      if (!conv.input(k).empty())
        *one.graph().add_initializer() = *m.initializer_proto(conv.input(k));
    one.graph().add_output()->set_name(conv.output(0));
    ExecOptions o;
    o.sanitize = false;
    Tensor out = execute(one, {image}, o).at(0);
    int64_t oc = out.shape()[1], oinner = out.size() / (out.shape()[0] * oc);
    Shape anew_shape(out.rank(), 1);
    anew_shape[1] = oc;
    Tensor anew(ElemType::Float, anew_shape);
    for (int64_t ch = 0; ch < oc; ++ch) anew.span<float>()[ch] = out.span<float>()[ch * oinner];
    set_param(m, i, 1, anew);
    swap_past(m, i, c);
    return true;
  }
  return false;
}

// Mul(x, A) -> MaxPool (2-D kernel) with A >= 0, scalar or (1, C, 1, 1)  becomes
// MaxPool -> Mul; the three tensors are re-annotated FLOAT32.
bool move_mul_past_maxpool(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    int c = linear_then(m, i, "Mul", "MaxPool");
    if (c < 0) continue;
    if (attr_ints(m.node(c), "kernel_shape").size() != 2) continue;
    Tensor A = *param(m, i);
    bool negative = false;
    for (float a : A.span<float>()) negative |= a < 0;
    if (negative) continue;
    auto in_shape = m.tensor_shape(m.node(c).input(0));
    bool per_channel =
        in_shape && in_shape->size() == 4 && A.shape() == Shape{1, (*in_shape)[1], 1, 1};
    if (!is_scalar(A) && !per_channel) continue;
    std::string x = m.node(i).input(0), mid = m.node(i).output(0), end = m.node(c).output(0);
    swap_past(m, i, c);
    for (const auto& t : {x, mid, end}) m.set_datatype(t, DataType::float32());
    return true;
  }
  return false;
}

// f(x op c) -> f(x) op c for a scalar Mul/Add/Div and f in {GlobalAveragePool, Reshape,
// Transpose, Flatten}. The moved op keeps its output datatype; f's output becomes FLOAT32.
bool move_scalar_linear_past_invariants(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& f = m.node(i);
    const std::string& op = f.op_type();
    if (!f.domain().empty() ||
        (op != "GlobalAveragePool" && op != "Reshape" && op != "Transpose" && op != "Flatten"))
      continue;
    int p = m.producer(f.input(0));
    if (p < 0) continue;
    const auto& lin = m.node(p);
    if (!lin.domain().empty() ||
        (lin.op_type() != "Mul" && lin.op_type() != "Add" && lin.op_type() != "Div"))
      continue;
    auto c = param(m, p);
    if (!c || c->size() != 1) continue;
    if (m.consumers(lin.output(0)).size() != 1 || m.is_graph_output(lin.output(0))) continue;
    DataType moved_dt = m.datatype(lin.output(0));
    std::string x = lin.input(0), mid = lin.output(0), end = f.output(0);
    // f(x) -> mid, lin(mid) -> end
    m.node(i).set_input(0, x);
    m.node(i).set_output(0, mid);
    m.node(p).set_input(0, mid);
    m.node(p).set_output(0, end);
    onnx::NodeProto moved = m.node(p);
    m.remove_node(p);
    m.insert_node(i, moved);  // i shifted down by one: the slot right after f
    infer_shapes(m);
    m.set_datatype(end, moved_dt);
    m.set_datatype(mid, DataType::float32());
    return true;
  }
  return false;
}

}  // namespace shoal

namespace shoal {

namespace {

bool is_transpose(const onnx::NodeProto& n, const std::vector<int64_t>& perm) {
  return n.op_type() == "Transpose" && n.domain().empty() && attr_ints(n, "perm") == perm;
}

// The only reader of `tensor` is node `c`, and `tensor` is not a graph output.
bool only_read_by(const Model& m, const std::string& tensor, int c) {
  auto readers = m.consumers(tensor);
  return readers.size() == 1 && readers[0] == c && !m.is_graph_output(tensor);
}

// A 2-D MaxPool with one output whose window MaxPoolNHWC can express (kernel_shape, pads,
// strides, ceil_mode): no SAME auto-padding, no dilation.
bool nhwc_expressible(const Model& m, const onnx::NodeProto& n) {
  if (n.output_size() != 1 || attr_ints(n, "kernel_shape").size() != 2) return false;
  auto shape = m.tensor_shape(n.input(0));
  if (!shape || shape->size() != 4) return false;
  std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return false;
  auto dil = attr_ints(n, "dilations", {1, 1});
  return dil == std::vector<int64_t>{1, 1};
}

// The op renamed in place (FINN keeps the node and its attributes), with the pads and
// strides MaxPoolNHWC requires written out when the MaxPool left them to their defaults.
void make_nhwc(onnx::NodeProto& n) {
  if (attr_string(n, "auto_pad", "NOTSET") == "VALID") {
    remove_attr(n, "auto_pad");
    set_attr(n, "pads", std::vector<int64_t>{0, 0, 0, 0});
  }
  if (!has_attr(n, "pads")) set_attr(n, "pads", std::vector<int64_t>{0, 0, 0, 0});
  if (!has_attr(n, "strides")) set_attr(n, "strides", std::vector<int64_t>{1, 1});
  n.set_op_type("MaxPoolNHWC");
  n.set_domain(kGeneralDomain);
}

}  // namespace

// MaxPool -> Transpose(0,2,3,1)  becomes  Transpose(0,2,3,1) -> MaxPoolNHWC, and
// Transpose(0,3,1,2) -> MaxPool  becomes  MaxPoolNHWC -> Transpose(0,3,1,2) (f6 reorder.py).
// Unlike FINN, only where the tensor between the two has no other reader.
bool make_maxpool_nhwc(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& pool = m.node(i);
    if (!is(pool, "MaxPool") || !nhwc_expressible(m, pool)) continue;
    int c = consumer(m, i);
    if (c >= 0 && is_transpose(m.node(c), {0, 2, 3, 1}) && only_read_by(m, pool.output(0), c)) {
      std::string start = pool.input(0), mid = pool.output(0), end = m.node(c).output(0);
      m.node(c).set_input(0, start);
      m.node(c).set_output(0, mid);
      m.node(i).set_input(0, mid);
      m.node(i).set_output(0, end);
      make_nhwc(m.node(i));
      onnx::NodeProto t = m.node(c);
      m.remove_node(c);
      m.insert_node(i, t);
      infer_shapes(m);
      return true;
    }
    int p = m.producer(pool.input(0));
    if (p >= 0 && is_transpose(m.node(p), {0, 3, 1, 2}) && only_read_by(m, pool.input(0), i)) {
      std::string start = m.node(p).input(0), mid = pool.input(0), end = pool.output(0);
      m.node(i).set_input(0, start);
      m.node(i).set_output(0, mid);
      m.node(p).set_input(0, mid);
      m.node(p).set_output(0, end);
      make_nhwc(m.node(i));
      onnx::NodeProto t = m.node(p);
      m.remove_node(p);
      m.insert_node(i, t);  // i moved up by one: right after the pool
      infer_shapes(m);
      return true;
    }
  }
  return false;
}

}  // namespace shoal
