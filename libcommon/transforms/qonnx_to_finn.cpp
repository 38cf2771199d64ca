// step_qonnx_to_finn (dialect.md §3.7): qonnx's cleanup_model, then ConvertQONNXtoFINN —
// weight quantizers folded into integer initializers plus a scale, activation quantizers
// turned into MultiThreshold (+ Add bias, Mul scale). Unlike FINN, models whose only
// quantizers are BipolarQuant are converted too (FINN looks for "BinaryQuant", §6 item 2).
#include <cmath>

#include <cctype>
#include <set>

#include "../ops/op_util.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/kernels.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {
namespace {

bool is_quantizer(const onnx::NodeProto& n) {
  return classify_domain(n.domain()) == Domain::General &&
         (n.op_type() == "Quant" || n.op_type() == "BipolarQuant");
}

Tensor run_node(const Model& m, const onnx::NodeProto& node) {
  Model one;
  *one.proto().mutable_opset_import() = m.proto().opset_import();
  *one.graph().add_node() = node;
  for (const auto& in : node.input())
    if (!in.empty() && !one.has_initializer(in))
      *one.graph().add_initializer() = *m.initializer_proto(in);
  one.graph().add_output()->set_name(node.output(0));
  ExecOptions opts;
  opts.sanitize = false;
  return Executor(one, opts).run({}).at(0);
}

// The integer type a quantizer produces, ignoring its scale (get_integer_datatype).
DataType integer_datatype(const Model& m, const onnx::NodeProto& q) {
  if (q.op_type() == "BipolarQuant") return DataType::bipolar();
  auto bits = m.initializer(q.input(3));
  if (!bits || bits->size() != 1) fail("{}: the bit width must be a constant scalar", describe(q));
  int bw = quantizer_bit_width(q, *bits);
  bool s = NodeAttrs(q).i("signed") != 0;
  return bw == 1 ? (s ? DataType::bipolar() : DataType::binary())
                 : (s ? DataType::sint(bw) : DataType::uint(bw));
}

bool normalize_domains(Model& m) {
  for (auto& n : *m.graph().mutable_node())
    if (classify_domain(n.domain()) == Domain::General) n.set_domain(kGeneralDomain);
  return false;
}

// The quantizer producing `tensor`, if it can fold into a constant: its inputs are all
// initializers and its output feeds one node only and is no graph output. -1 otherwise.
int constant_private_quantizer(const Model& m, const std::string& tensor) {
  int p = m.producer(tensor);
  if (p < 0 || !is_quantizer(m.node(p))) return -1;
  const auto& q = m.node(p);
  for (const auto& in : q.input())
    if (in.empty() || !m.has_initializer(in)) return -1;
  if (m.consumers(q.output(0)).size() != 1 || m.is_graph_output(q.output(0))) return -1;
  return p;
}

// The folds below each handle every match in one pass and infer shapes once at its end:
// where shoal's own rules cannot type a graph, inference runs ONNX's in a helper process,
// and one run per fold made a net's conversion cost grow with its layer count.
bool fold_transpose_into_quant_init(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& t = m.node(i);
    if (t.op_type() != "Transpose" || t.input_size() != 1) continue;
    int p = constant_private_quantizer(m, t.input(0));
    if (p < 0) continue;
    const auto& q = m.node(p);
    auto perm = attr_ints(t, "perm");
    for (const auto& in : q.input()) {
      Tensor v = *m.initializer(in);
      if (v.rank() == 0) continue;
      std::vector<int64_t> pm = perm;
      if (pm.empty())
        for (int64_t d = static_cast<int64_t>(v.rank()) - 1; d >= 0; --d) pm.push_back(d);
      if (pm.size() != v.rank()) continue;
      m.set_initializer(in, transpose_tensor(v, pm));
    }
    std::string out = t.output(0);
    m.node(p).set_output(0, out);
    m.remove_node(i--);
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

bool gemm_to_matmul(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    if (m.node(i).op_type() != "Gemm") continue;
    onnx::NodeProto g = m.node(i);
    m.remove_node(i);
    int pos = i;
    std::string a = g.input(0), b = g.input(1);
    auto transpose = [&](std::string& name) {
      std::string out = m.fresh_tensor_name(name + "_transposed");
      auto node = make_node("Transpose", {name}, {out});
      set_attr(node, "perm", std::vector<int64_t>{1, 0});
      DataType dt = m.datatype(name);
      if (!dt.is_float()) m.set_datatype(out, dt);
      m.insert_node(pos++, node);
      name = out;
    };
    if (attr_int(g, "transA", 0)) transpose(a);
    if (attr_int(g, "transB", 0)) transpose(b);
    float alpha = attr_float(g, "alpha", 1.0f), beta = attr_float(g, "beta", 1.0f);
    bool has_c = g.input_size() > 2 && !g.input(2).empty();
    std::string cur =
        (alpha != 1.0f || has_c) ? m.fresh_tensor_name(g.output(0) + "_matmul") : g.output(0);
    m.insert_node(pos++, make_node("MatMul", {a, b}, {cur}));
    if (alpha != 1.0f) {
      std::string scale = m.fresh_tensor_name("gemm_alpha");
      m.set_initializer(scale, Tensor::scalar(alpha));
      std::string next = has_c ? m.fresh_tensor_name(g.output(0) + "_scaled") : g.output(0);
      m.insert_node(pos++, make_node("Mul", {cur, scale}, {next}));
      cur = next;
    }
    if (has_c) {
      std::string bias = g.input(2);
      if (beta != 1.0f) {
        auto c = m.initializer(bias);
        if (!c) fail("{}: a non-constant C input with beta != 1 is not supported", describe(g));
        Tensor scaled = c->astype(ElemType::Float);
        for (float& v : scaled.span<float>()) v *= beta;
        bias = m.fresh_tensor_name("gemm_bias");
        m.set_initializer(bias, scaled);
      }
      m.insert_node(pos++, make_node("Add", {cur, bias}, {g.output(0)}));
    }
    i = pos - 1;
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

// A quantized conv bias becomes its dequantized value. Folding it like a weight (integers,
// the scale multiplied in behind the Conv) would scale the whole output by the bias' scale,
// and behind a folded weight scale the bias would be scaled by that too; as a float
// initializer it moves to an Add behind the Conv (extract_bias_from_conv) and stays exact.
bool dequantize_conv_bias(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (n.op_type() != "Conv" || n.input_size() < 3 || n.input(2).empty()) continue;
    int p = constant_private_quantizer(m, n.input(2));
    if (p < 0) continue;
    const onnx::NodeProto q = m.node(p);
    Tensor value = run_node(m, q);
    m.remove_node(p);
    m.set_initializer(q.output(0), value);
    if (p < i) --i;
    changed = true;
  }
  return changed;
}

// Conv with a bias input -> Conv + Add(bias reshaped to (1, C, 1, ...)).
bool extract_bias_from_conv(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    auto& n = m.node(i);
    if (n.op_type() != "Conv" || n.input_size() < 3 || n.input(2).empty()) continue;
    auto bias = m.initializer(n.input(2));
    if (!bias) continue;
    auto out_shape = m.tensor_shape(n.output(0));
    std::size_t rank = out_shape ? out_shape->size() : 4;
    Shape bshape(rank, 1);
    bshape[1] = bias->size();
    std::string bname = m.fresh_tensor_name(n.input(2));
    m.set_initializer(bname, bias->reshaped(bshape));
    std::string out = n.output(0);
    std::string conv_out = m.fresh_tensor_name(out + "_conv");
    n.mutable_input()->RemoveLast();
    n.set_output(0, conv_out);
    m.insert_node(i + 1, make_node("Add", {conv_out, bname}, {out}));
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

bool fold_quant_weights(Model& m) {
  static const std::set<std::string> mul_like = {"Mul",    "Div",    "Conv",
                                                 "MatMul", "Gather", "ConvTranspose"};
  static const std::set<std::string> add_like = {"Add", "Sub"};
  bool changed = false;
  // Outputs of consumers this pass rewired: their shapes are unknown until the pass ends,
  // so a second quantizer feeding the same node waits for the next pass.
  std::set<std::string> rewired;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto q = m.node(i);
    if (!is_quantizer(q)) continue;
    bool all_init = true;
    for (const auto& in : q.input()) all_init &= !in.empty() && m.has_initializer(in);
    if (!all_init) continue;
    if (q.op_type() == "Quant" && !ops::all_values_equal(m.initializer(q.input(2)), 0.0))
      fail("{}: only quantizers with zero point 0 are supported", describe(q));
    const std::string out = q.output(0);
    auto cons = m.consumers(out);
    if (cons.size() > 1) fail("{}: quantized weights are used by more than one node", describe(q));
    if (cons.empty()) fail("{}: quantized weights have no consumer", describe(q));
    Tensor scale = m.initializer(q.input(1))->astype(ElemType::Float);
    bool unit_scale = ops::all_values_equal(scale, 1.0);
    if (!unit_scale && rewired.count(m.node(cons[0]).output(0))) continue;
    Tensor value = run_node(m, q);
    if (unit_scale) {
      m.remove_node(i--);
      m.set_initializer(out, value);
      m.set_datatype(out, integer_datatype(m, q));
      changed = true;
      continue;
    }
    onnx::NodeProto target = m.node(cons[0]);
    bool is_add = add_like.count(target.op_type()) > 0;
    if (!is_add && !mul_like.count(target.op_type()))
      fail("{}: cannot fold scaled quantized weights into a {} node ({})", describe(q),
           target.op_type(), target.name());
    // Integer weights = round(Q(W) / scale); the scale moves behind the consumer.
    Tensor ints = value;
    {
      auto idx = ops::broadcast_index(scale.shape(), ints.shape());
      auto pv = ints.span<float>();
      auto ps = scale.span<float>();
      for (std::size_t k = 0; k < pv.size(); ++k) pv[k] = std::nearbyint(pv[k] / ps[idx[k]]);
    }
    m.remove_node(i);
    m.set_initializer(out, ints);
    m.set_datatype(out, integer_datatype(m, q));
    Tensor mul_scale = scale;
    if (target.op_type() == "Conv" && scale.rank() > 0) {
      auto tshape = m.tensor_shape(target.output(0));
      Shape s(tshape ? tshape->size() : 4, 1);
      s[1] = scale.size();
      mul_scale = scale.reshaped(s);
    } else if (scale.shape() == Shape{1}) {
      mul_scale = scale.reshaped({});
    }
    std::string scale_name = m.fresh_tensor_name("weight_scale");
    m.set_initializer(scale_name, mul_scale);
    int t = m.find_node(target.name());
    if (t < 0 || target.name().empty()) t = m.consumers(out).at(0);
    std::string succ_out = m.node(t).output(0);
    std::string act = m.fresh_tensor_name(succ_out + "_unscaled");
    m.node(t).set_output(0, act);
    m.insert_node(t + 1, make_node("Mul", {act, scale_name}, {succ_out}));
    if (is_add) {
      auto& tn = m.node(t);
      int other = tn.input(0) == out ? 1 : 0;
      std::string div_out = m.fresh_tensor_name(tn.input(other) + "_descaled");
      std::string div_scale = m.fresh_tensor_name("weight_scale");
      m.set_initializer(div_scale, mul_scale);
      auto div = make_node("Div", {tn.input(other), div_scale}, {div_out});
      tn.set_input(other, div_out);
      m.insert_node(t, div);
    }
    rewired.insert(act);
    // The next node now sits at i; a node inserted before i only brings an examined one
    // into view again.
    --i;
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

// Thresholds, bias and scale of an activation quantizer (generalises FINN's Relu and identity
// handlers: both are clamp(round(x/s), lo, hi), so thresholds sit at s*(lo + t + 0.5)).
bool convert_quant_act_to_multithreshold(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const onnx::NodeProto q = m.node(i);
    if (!is_quantizer(q)) continue;
    if (m.has_initializer(q.input(0)) || m.has_initializer(q.output(0))) continue;
    bool bipolar_quant = q.op_type() == "BipolarQuant";
    auto scale_t = m.initializer(q.input(1));
    if (!scale_t) fail("{}: the scale must be constant", describe(q));
    int bw = 1;
    bool is_signed = true, narrow = false;
    std::string rounding = "ROUND";
    if (!bipolar_quant) {
      if (!ops::all_values_equal(m.initializer(q.input(2)), 0.0))
        fail("{}: only quantizers with zero point 0 are supported", describe(q));
      auto bits = m.initializer(q.input(3));
      if (!bits || bits->size() != 1)
        fail("{}: the bit width must be a constant scalar", describe(q));
      bw = quantizer_bit_width(q, *bits);
      NodeAttrs a(q);
      is_signed = a.i("signed") != 0;
      narrow = a.i("narrow") != 0;
      rounding = a.s("rounding_mode");
      for (char& c : rounding) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (bw > 8) {
        warn(fmt::format(
            "{} ({} bits) is kept as a Quant node: MultiThreshold conversion stops at 8 bits",
            describe(q), bw));
        continue;
      }
    }
    if (rounding != "ROUND" && rounding != "HALF_EVEN" && rounding != "FLOOR")
      fail("{}: rounding mode {} cannot be expressed with thresholds", describe(q), rounding);
    Tensor scale = scale_t->astype(ElemType::Float);
    for (float s : scale.span<float>())
      if (!(s > 0)) fail("{}: quantizer scales must be positive", describe(q));
    bool scalar_scale = scale.size() == 1;

    // Channels: the layout's C axis, else axis 1.
    Shape out_shape = m.static_shape(q.output(0));
    std::size_t cdim = 1;
    if (auto layout = m.layout(q.output(0)))
      for (std::size_t k = 0; k < layout->size(); ++k)
        if ((*layout)[k] == "C") cdim = k;
    int64_t channels = out_shape.size() > cdim ? out_shape[cdim] : 1;
    if (!scalar_scale && scale.size() != channels)
      fail("{}: only per-tensor or per-channel scales can become thresholds", describe(q));

    bool one_bit_signed = bw == 1 && is_signed;
    double lo, hi;
    if (one_bit_signed) {
      lo = 0;
      hi = 1;
    } else if (is_signed) {
      lo = -std::ldexp(1.0, bw - 1) + (narrow ? 1 : 0);
      hi = std::ldexp(1.0, bw - 1) - 1;
    } else {
      lo = 0;
      hi = std::ldexp(1.0, bw) - (narrow ? 2 : 1);
    }
    int64_t steps = static_cast<int64_t>(hi - lo);
    Tensor thresholds(ElemType::Float, {channels, steps});
    auto pt = thresholds.span<float>();
    auto ps = scale.span<float>();
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t t = 0; t < steps; ++t) {
        double s = ps[scalar_scale ? 0 : c];
        double v = one_bit_signed ? 0.0 : s * (lo + t + (rounding == "FLOOR" ? 1.0 : 0.5));
        pt[c * steps + t] = static_cast<float>(v);
      }

    // A Relu in front is absorbed (its negative half is the clamp at 0).
    std::string mt_in = q.input(0);
    int pred = m.producer(mt_in);
    if (pred >= 0 && m.node(pred).op_type() == "Relu" && !is_signed &&
        m.consumers(mt_in).size() == 1 && !m.is_graph_output(mt_in)) {
      mt_in = m.node(pred).input(0);
      m.remove_node(pred);
      if (pred < i) --i;
    } else if (pred >= 0 && m.node(pred).op_type() == "Relu" && is_signed && !bipolar_quant) {
      fail("{}: a signed quantizer after a Relu is not supported", describe(q));
    }

    DataType odt = integer_datatype(m, q);
    std::string out = q.output(0);
    m.remove_node(i);
    int pos = i;
    std::string tname = m.fresh_tensor_name("thresholds");
    m.set_initializer(tname, thresholds);
    auto mt = make_node("MultiThreshold", {mt_in, tname}, {out}, kGeneralDomain);
    set_attr(mt, "out_dtype", odt.name());
    if (one_bit_signed && bipolar_quant && scalar_scale) {
      // y = s * (2 * count - 1)
      set_attr(mt, "out_scale", 2.0f * ps[0]);
      set_attr(mt, "out_bias", -1.0f * ps[0]);
      m.insert_node(pos, mt);
      i = pos;
      changed = true;
      continue;
    }
    double bias = one_bit_signed ? -0.5 : lo;
    Tensor mul = scale;
    if (one_bit_signed)
      for (float& v : mul.span<float>()) v *= 2;
    bool unit_scale = ops::all_values_equal(mul, 1.0);
    std::string cur = out;
    std::vector<onnx::NodeProto> tail;
    if (!unit_scale) {
      std::string sname = m.fresh_tensor_name("act_scale");
      m.set_initializer(sname, scalar_scale ? mul.reshaped({}) : mul.reshaped([&] {
        Shape s(out_shape.size(), 1);
        s[cdim] = channels;
        return s;
      }()));
      std::string before = m.fresh_tensor_name(out + "_unscaled");
      tail.insert(tail.begin(), make_node("Mul", {before, sname}, {cur}));
      cur = before;
    }
    if (bias != 0) {
      std::string bname = m.fresh_tensor_name("act_bias");
      m.set_initializer(bname, Tensor::scalar(static_cast<float>(bias)));
      std::string before = m.fresh_tensor_name(out + "_unbiased");
      tail.insert(tail.begin(), make_node("Add", {before, bname}, {cur}));
      cur = before;
    }
    mt.set_output(0, cur);
    m.insert_node(pos++, mt);
    for (auto& n : tail) m.insert_node(pos++, n);
    i = pos - 1;
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

}  // namespace

bool is_qonnx(const Model& m) {
  for (const auto& n : m.graph().node())
    if (classify_domain(n.domain()) == Domain::General &&
        (n.op_type() == "Quant" || n.op_type() == "BipolarQuant" || n.op_type() == "Trunc"))
      return true;
  return false;
}

void qonnx_to_finn(Model& m) {
  // qonnx.util.cleanup.cleanup_model
  normalize_domains(m);
  apply(m, infer_shapes_transform);
  apply(m, give_unique_parameter_tensors);
  apply(m, [](Model& x) { return fold_constants(x, {"Quant", "BipolarQuant"}); });
  apply(m, fold_transpose_into_quant_init);
  apply(m, remove_unused_tensors);
  apply(m, remove_static_graph_inputs);
  apply(m, [](Model& x) { return give_unique_node_names(x); });
  apply(m, give_readable_tensor_names);
  // ConvertQONNXtoFINN
  apply(m, dequantize_conv_bias);
  apply(m, extract_bias_from_conv);
  apply(m, gemm_to_matmul);
  apply(m, fold_transpose_into_quant_init);
  apply(m, infer_datatypes);
  apply(m, fold_quant_weights);
  apply(m, convert_quant_act_to_multithreshold);
  apply(m, infer_datatypes);
  apply(m, remove_identity_ops);
}

}  // namespace shoal
