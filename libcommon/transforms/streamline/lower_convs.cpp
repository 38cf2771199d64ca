// LowerConvsToMatMul (finn-base lower_convs_to_matmul.py; conv.md §3.2, dialect.md §3.3):
// Conv(x NCHW, W[O, I, kh, kw]) becomes Transpose(0,2,3,1) -> Im2Col -> MatMul(W') ->
// Transpose(0,3,1,2), W' = W.transpose(0,2,3,1).reshape(O, kh*kw*I).T, rows in (ky, kx, c)
// order, written back under the weight's name. Only convolutions FINN v0.6 can map to
// hardware are lowered; any other is an Error naming the node and the reason.
#include <algorithm>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/kernels.hpp"
#include "shoal/transforms/streamline.hpp"
#include "util.hpp"

namespace shoal {
using namespace streamline;

namespace {

// What one Conv becomes: its geometry, checked.
struct ConvPlan {
  int64_t n, c, h, w, o, k, stride;
  std::vector<int64_t> pads;  // top, left, bottom, right
  bool depthwise;
};

std::string ints_text(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Checks that FINN v0.6 can map the Conv at `i` (conv.md §1) and works out its geometry;
// otherwise an Error "NODE: why".
ConvPlan plan_conv(const Model& m, int i) {
  const auto& n = m.node(i);
  std::string who = n.name().empty() ? describe(n) : n.name();
  auto x_shape = m.tensor_shape(n.input(0));
  if (!x_shape || std::any_of(x_shape->begin(), x_shape->end(), [](int64_t d) { return d < 0; }))
    fail("{}: the shape of its input '{}' is unknown", who, n.input(0));
  if (x_shape->size() != 4)
    fail("{}: only 2-D convolutions are lowered (input shape {})", who, format_shape(*x_shape));
  if (n.input_size() < 2 || !m.has_initializer(n.input(1)))
    fail("{}: its weights are not a constant initializer", who);
  Shape w_shape = m.static_shape(n.input(1));
  if (w_shape.size() != 4) fail("{}: weights of shape {} are not 4-D", who, format_shape(w_shape));
  if (n.input_size() > 2 && !n.input(2).empty() && !m.has_initializer(n.input(2)))
    fail("{}: its bias is not a constant initializer", who);
  ConvPlan p{
      (*x_shape)[0], (*x_shape)[1], (*x_shape)[2], (*x_shape)[3], w_shape[0], w_shape[2], 1, {},
      false};
  int64_t kh = w_shape[2], kw = w_shape[3];
  auto kernel = attr_ints(n, "kernel_shape", {kh, kw});
  if (kernel != std::vector<int64_t>{kh, kw})
    fail("{}: kernel_shape {} does not match weights of shape {}", who, ints_text(kernel),
         format_shape(w_shape));
  if (kh != kw)
    fail("{}: kernel {}x{} is not square (FINN v0.6 maps only square kernels)", who, kh, kw);
  auto dil = attr_ints(n, "dilations", {1, 1});
  if (dil != std::vector<int64_t>{1, 1})
    fail("{}: dilations {} are not supported (FINN v0.6 maps only dilation 1)", who,
         ints_text(dil));
  auto strides = attr_ints(n, "strides", {1, 1});
  if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1)
    fail("{}: strides {} are not equal (FINN v0.6 maps only equal strides)", who,
         ints_text(strides));
  p.stride = strides[0];
  int64_t group = attr_int(n, "group", 1);
  // As FINN: group == C_in == C_out is depthwise (so is a 1-channel conv with group 1).
  p.depthwise = group == p.c && p.o == p.c;
  if (group != 1 && !p.depthwise)
    fail(
        "{}: group {} is not supported (FINN v0.6 maps group 1 and depthwise convolutions, "
        "group == input channels == output channels)",
        who, group);
  if (w_shape[1] * group != p.c)
    fail("{}: weights of shape {} do not fit {} input channels in {} groups", who,
         format_shape(w_shape), p.c, group);
  std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    p.pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (p.pads.size() != 4 ||
        std::any_of(p.pads.begin(), p.pads.end(), [](int64_t v) { return v < 0; }))
      fail("{}: pads {} are not supported (FINN v0.6 maps zero padding given as 4 amounts >= 0)",
           who, ints_text(p.pads));
  } else if (auto_pad == "VALID") {
    p.pads = {0, 0, 0, 0};
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    // The padding that keeps ceil(in / stride) outputs; SAME_UPPER puts the smaller half first.
    p.pads.assign(4, 0);
    int64_t dims[2] = {p.h, p.w};
    for (int d = 0; d < 2; ++d) {
      int64_t out = (dims[d] + p.stride - 1) / p.stride;
      int64_t total = std::max<int64_t>(0, (out - 1) * p.stride + p.k - dims[d]);
      int64_t small = total / 2;
      p.pads[d] = auto_pad == "SAME_UPPER" ? small : total - small;
      p.pads[d + 2] = total - p.pads[d];
    }
  } else {
    fail("{}: auto_pad '{}' is not supported", who, auto_pad);
  }
  if (p.h + p.pads[0] + p.pads[2] < p.k || p.w + p.pads[1] + p.pads[3] < p.k)
    fail("{}: the {}x{} kernel does not fit the padded {}x{} image", who, p.k, p.k, p.h, p.w);
  return p;
}

bool is_conv(const onnx::NodeProto& n) {
  return n.op_type() == "Conv" && n.domain().empty();
}

// W[O, I, kh, kw] (I = 1 when depthwise) -> the (kh*kw*C, O) MatMul weights.
Tensor matmul_weights(const Tensor& w, const ConvPlan& p) {
  Tensor dense = w.astype(ElemType::Float);
  if (p.depthwise) {
    // Block-diagonal: channel ch only sees input channel ch.
    int64_t kk = p.k * p.k;
    Tensor sparse(ElemType::Float, {p.o, p.c, p.k, p.k});
    auto src = dense.span<float>();
    auto dst = sparse.span<float>();
    for (int64_t ch = 0; ch < p.c; ++ch)
      std::copy_n(src.data() + ch * kk, kk, dst.data() + (ch * p.c + ch) * kk);
    dense = sparse;
  }
  Tensor ohwi = transpose_tensor(dense, {0, 2, 3, 1});
  return transpose_tensor(ohwi.reshaped({p.o, p.k * p.k * p.c}), {1, 0});
}

void lower(Model& m, int i, const ConvPlan& p) {
  onnx::NodeProto conv = m.node(i);
  std::string x = conv.input(0), out = conv.output(0);
  DataType idt = m.datatype(x), odt = m.datatype(out);
  int64_t oh = (p.h + p.pads[0] + p.pads[2] - p.k) / p.stride + 1;
  int64_t ow = (p.w + p.pads[1] + p.pads[3] - p.k) / p.stride + 1;
  int64_t rows = p.k * p.k * p.c;

  // The weights, rewritten in place (or under a fresh name if another node shares them),
  // keeping their datatype annotation.
  std::string wname = conv.input(1);
  bool annotated = m.has_datatype_annotation(wname);
  DataType wdt = m.datatype(wname);
  Tensor wnew = matmul_weights(*m.initializer(wname), p);
  wname = set_param(m, i, 1, wnew);
  if (annotated) m.set_datatype(wname, wdt);
  if (p.depthwise)
    m.set_annotation(wname, "tensor_sparsity",
                     fmt::format("{{'dw': {{'kernel_shape': [{}, {}]}}}}", p.k, p.k));
  m.remove_node(i);

  std::vector<onnx::NodeProto> nodes;
  std::string nhwc = m.fresh_tensor_name(x + "_nhwc");
  auto to_nhwc = make_node("Transpose", {x}, {nhwc});
  set_attr(to_nhwc, "perm", std::vector<int64_t>{0, 2, 3, 1});
  nodes.push_back(to_nhwc);
  m.set_tensor_shape(nhwc, {p.n, p.h, p.w, p.c});
  m.set_datatype(nhwc, idt);

  // An unpadded stride-1 1x1 conv is a MatMul on the NHWC pixels. (FINN v0.6 raises a
  // NameError on a padded 1x1 conv; shoal gives it an Im2Col.)
  bool padded = std::any_of(p.pads.begin(), p.pads.end(), [](int64_t v) { return v != 0; });
  std::string rows_in = nhwc;
  std::string im2col_out;
  if (p.k != 1 || p.stride != 1 || padded) {
    im2col_out = m.fresh_tensor_name(x + "_im2col");
    // Attributes in the order onnx.helper.make_node writes FINN's keyword arguments (sorted).
    auto im2col = make_node("Im2Col", {nhwc}, {im2col_out}, kGeneralDomain);
    set_attr(im2col, "depthwise", static_cast<int64_t>(p.depthwise));
    set_attr(im2col, "dilations", std::vector<int64_t>{1, 1});
    set_attr(im2col, "input_shape", fmt::format("({},{},{},{})", p.n, p.h, p.w, p.c));
    set_attr(im2col, "kernel_size", std::vector<int64_t>{p.k, p.k});
    set_attr(im2col, "pad_amount", p.pads);
    set_attr(im2col, "stride", std::vector<int64_t>{p.stride, p.stride});
    nodes.push_back(im2col);
    m.set_tensor_shape(im2col_out, {p.n, oh, ow, rows});
    rows_in = im2col_out;
  }

  std::string mm_out = m.fresh_tensor_name(out + "_nhwc");
  nodes.push_back(make_node("MatMul", {rows_in, wname}, {mm_out}));
  m.set_tensor_shape(mm_out, {p.n, oh, ow, p.o});
  m.set_datatype(mm_out, odt);
  std::string last = mm_out;
  // FINN v0.6 drops a Conv bias; shoal adds it per output channel (the last axis here).
  if (conv.input_size() > 2 && !conv.input(2).empty()) {
    std::string biased = m.fresh_tensor_name(out + "_biased");
    nodes.push_back(make_node("Add", {mm_out, conv.input(2)}, {biased}));
    m.set_tensor_shape(biased, {p.n, oh, ow, p.o});
    m.set_datatype(biased, odt);
    last = biased;
  }
  auto to_nchw = make_node("Transpose", {last}, {out});
  set_attr(to_nchw, "perm", std::vector<int64_t>{0, 3, 1, 2});
  nodes.push_back(to_nchw);

  for (std::size_t k = 0; k < nodes.size(); ++k) m.insert_node(i + static_cast<int>(k), nodes[k]);
  if (!im2col_out.empty()) require_op(m.node(i + 1)).infer_datatypes(m, i + 1);
}

}  // namespace

bool lower_convs_to_matmul(Model& m) {
  // Every Conv is checked before any is changed, so a refused model is left as it was.
  std::vector<std::pair<int, ConvPlan>> plans;
  // A model that did not go through onnx-tidy may lack the shapes between convolutions.
  bool unknown = false;
  for (const auto& n : m.graph().node()) unknown |= is_conv(n) && !m.tensor_shape(n.input(0));
  if (unknown) infer_shapes(m);
  for (int i = 0; i < m.node_count(); ++i)
    if (is_conv(m.node(i))) plans.emplace_back(i, plan_conv(m, i));
  if (plans.empty()) return false;
  // From the last, so that the indices of the others stay valid.
  for (auto it = plans.rbegin(); it != plans.rend(); ++it) lower(m, it->first, it->second);
  infer_shapes(m);
  return true;
}

}  // namespace shoal
