#include "mlp.hpp"

#include "../model-gen/model_gen.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/ops/kernels.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

using namespace gen;

namespace {

void check_spec(const MlpSpec& s) {
  if (s.layers.size() < 2) fail("--layers needs at least two sizes (input and one layer)");
  for (auto l : s.layers)
    if (l < 1) fail("layer sizes must be positive");
  for (const DataType* dt : {&s.weight_type, &s.act_type, &s.input_type})
    if (!dt->is_integer()) fail("datatype {} is not an integer type", dt->name());
  if (s.output_type && !s.output_type->is_integer())
    fail("datatype {} is not an integer type", s.output_type->name());
  if (s.weight_type == DataType::ternary() || s.act_type == DataType::ternary())
    fail("TERNARY layers are not generated");
  if (s.samples < 1) fail("--samples must be at least 1");
  if (s.input_scale && !(*s.input_scale > 0)) fail("--input-scale must be positive");
}

Tensor run_mt(const Tensor& acc, const Tensor& t, const Activation& a) {
  return multithreshold(acc, t, a.out_scale, a.out_bias, "NC");
}

// InsertTopK's annotations (dialect.md §4.1): the k initializer and the values output get
// the scores' datatype (FINN leaves k's type as a note to itself), the indices UINT32, as FINN
// has no INT64.
void annotate_as_insert_topk(Model& m) {
  const onnx::NodeProto t = m.node(m.node_count() - 1);
  DataType scores = m.datatype(t.input(0));
  m.set_datatype(t.input(1), scores);
  m.set_datatype(t.output(0), scores);
  m.set_datatype(t.output(1), DataType::uint(32));
}

// FINN-ONNX: MatMul + MultiThreshold per layer, integer weights and thresholds.
Model finn_form(const MlpSpec& s, Rng& rng, const Tensor& calib) {
  Model m;
  m.proto().set_producer_name("shoal onnx-mlp");
  Builder b(m);
  auto* in = m.graph().add_input();
  in->set_name("global_in");
  m.set_tensor_shape("global_in", {1, s.layers[0]});
  std::string x = "global_in";
  Tensor act = calib;  // calibration activations, (rows, L)
  if (s.input_scale) {
    // Host-side input quantizer: thresholds halfway between the scaled integer levels.
    Activation a = activation_for(s.input_type);
    float S = *s.input_scale;
    Tensor t(ElemType::Float, {1, a.steps});
    for (int64_t k = 0; k < a.steps; ++k)
      t.span<float>()[k] = s.input_type == DataType::bipolar()
                               ? 0.0f
                               : static_cast<float>((s.input_type.min() + k + 0.5) * S);
    x = b.multithreshold(x, t, s.input_type);
    act = run_mt(act, t, a);
  } else {
    m.set_datatype("global_in", s.input_type);
  }
  std::size_t n_layers = s.layers.size() - 1;
  for (std::size_t l = 0; l < n_layers; ++l) {
    Tensor w = random_tensor(rng, s.weight_type, {s.layers[l], s.layers[l + 1]});
    std::string wname = b.init(w);
    m.set_datatype(wname, s.weight_type);
    x = b.add("MatMul", {x, wname});
    Tensor acc = matmul(act, w);
    if (l + 1 == n_layers && s.last_linear) {
      act = acc;
      break;
    }
    Activation a = activation_for(s.act_type);
    Tensor t = spread_thresholds(channel_ranges(acc), a.steps);
    x = b.multithreshold(x, t, s.act_type);
    act = run_mt(acc, t, a);
  }
  if (s.output_type) {
    Activation a = activation_for(*s.output_type);
    Tensor t = spread_thresholds(channel_ranges(act), a.steps);
    x = b.multithreshold(x, t, *s.output_type);
  }
  if (s.topk) {
    // FINN's InsertTopK(k=1): k an int64 initializer [1], the attributes it writes.
    std::string k = b.init(Tensor::from<int64_t>({1}, {1}));
    auto node = make_node("TopK", {x, k}, {"topk_values", "global_out"});
    set_attr(node, "axis", int64_t{-1});
    set_attr(node, "largest", int64_t{1});
    set_attr(node, "sorted", int64_t{1});
    *m.graph().add_node() = node;
    x = "global_out";
  }
  auto* out = m.graph().add_output();
  out->set_name(x);
  m.rename_tensor(x, "global_out");
  infer_shapes(m);
  m.set_tensor_shape("global_out", *m.tensor_shape("global_out"),
                     s.topk ? ElemType::Int64 : ElemType::Float);
  tidy_up(m);
  if (s.topk) annotate_as_insert_topk(m);
  return m;
}

// QONNX: float weights behind Quant nodes, Relu+Quant (unsigned) or Quant (signed) or
// BipolarQuant activations, as Brevitas exports them.
Model qonnx_form(const MlpSpec& s, Rng& rng, const Tensor& calib) {
  Model m;
  m.proto().set_producer_name("shoal onnx-mlp");
  Builder b(m);
  auto* in = m.graph().add_input();
  in->set_name("input");
  m.set_tensor_shape("input", {1, s.layers[0]});
  std::string x = "input";
  Tensor act = calib;  // float activations as the QONNX graph carries them
  if (s.input_scale) {
    x = b.quant(x, *s.input_scale, s.input_type);  // inputs are already k * S
  } else {
    m.set_datatype("input", s.input_type);
  }
  std::size_t n_layers = s.layers.size() - 1;
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  for (std::size_t l = 0; l < n_layers; ++l) {
    Tensor wint = random_tensor(rng, s.weight_type, {s.layers[l], s.layers[l + 1]});
    float ws = static_cast<float>(0.25 * jitter(rng));
    Tensor wf = wint;
    for (float& v : wf.span<float>()) v *= ws;
    std::string wq = b.quant(b.init(wf), ws, s.weight_type);
    x = b.add("MatMul", {x, wq});
    Tensor wdeq = wf;
    Tensor acc = matmul(act, wdeq);
    if (l + 1 == n_layers && s.last_linear) {
      act = acc;
      break;
    }
    double hi = largest_magnitude(channel_ranges(acc));
    const DataType& adt = s.act_type;
    float as = 1.0f;
    if (adt != DataType::bipolar()) {
      double levels = adt.is_signed() ? std::ldexp(1.0, adt.bitwidth() - 1)
                                      : std::ldexp(1.0, adt.bitwidth()) - 1;
      as = static_cast<float>(hi / levels * jitter(rng) * 0.8);
    }
    if (!adt.is_signed()) x = b.add("Relu", {x});
    x = b.quant(x, as, adt);
    // Calibration: apply the same quantizer in software.
    QuantParams qp{adt.is_signed(), false, "ROUND"};
    if (adt == DataType::bipolar()) {
      for (float& v : acc.span<float>()) v = v >= 0 ? 1.0f : -1.0f;
      act = acc;
    } else {
      if (!adt.is_signed())
        for (float& v : acc.span<float>()) v = std::max(v, 0.0f);
      act = quant(acc, Tensor::scalar(as), Tensor::scalar(0.0f), adt.bitwidth(), qp);
    }
  }
  if (s.output_type) {
    double hi = largest_magnitude(channel_ranges(act));
    const DataType& odt = *s.output_type;
    double levels =
        odt.is_signed() ? std::ldexp(1.0, odt.bitwidth() - 1) : std::ldexp(1.0, odt.bitwidth()) - 1;
    float os = odt == DataType::bipolar() ? 1.0f : static_cast<float>(hi / levels * 0.9);
    x = b.quant(x, os, odt);
  }
  if (s.topk) {
    std::string k = b.init(Tensor::from<int64_t>({1}, {1}));
    auto node = make_node("TopK", {x, k}, {"topk_values", "output"});
    set_attr(node, "axis", int64_t{-1});
    *m.graph().add_node() = node;
    x = "output";
  }
  m.rename_tensor(x, "output");
  auto* out = m.graph().add_output();
  out->set_name("output");
  infer_shapes(m);
  m.graph().clear_value_info();
  Shape oshape =
      s.topk ? Shape{1, 1}
             : Shape{1, s.output_type || !s.last_linear ? s.layers.back() : s.layers.back()};
  m.set_tensor_shape("output", oshape, s.topk ? ElemType::Int64 : ElemType::Float);
  return m;
}

}  // namespace

MlpBundle make_mlp(const MlpSpec& s) {
  check_spec(s);
  Rng rng(s.seed);
  // Test inputs plus extra calibration rows for spreading the thresholds.
  const int64_t calib_rows = std::max<int64_t>(s.samples, 256);
  Tensor calib(ElemType::Float, {calib_rows, s.layers[0]});
  for (float& v : calib.span<float>()) {
    v = draw(rng, s.input_type);
    if (s.input_scale && s.input_type != DataType::bipolar()) v *= *s.input_scale;
  }
  Tensor input(ElemType::Float, {s.samples, s.layers[0]});
  std::copy_n(calib.span<float>().begin(), input.size(), input.span<float>().begin());

  MlpBundle out{s.qonnx ? qonnx_form(s, rng, calib) : finn_form(s, rng, calib), input, Tensor()};
  out.expected_output = run_rows(out.model, input, {1, s.layers[0]});
  return out;
}

}  // namespace shoal
