#include "conv_net.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "../model-gen/model_gen.hpp"
#include "shoal/core/attrs.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

using namespace gen;

namespace {

// Reads the digits at `pos` (at least one) and advances past them.
int64_t read_int(const std::string& s, std::size_t& pos, const std::string& entry) {
  std::size_t start = pos;
  while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
  if (pos == start || pos - start > 9)
    throw UsageError("--layers: expected a number in '" + entry + "'");
  return std::stoll(s.substr(start, pos - start));
}

ConvNetLayer parse_entry(const std::string& e) {
  if (e.empty()) throw UsageError("--layers: empty entry");
  ConvNetLayer l;
  std::size_t pos = 1;
  bool stride_set = false;
  switch (e[0]) {
    case 'c':
      l.kind = ConvNetLayer::Kind::Conv;
      break;
    case 'm':
      l.kind = ConvNetLayer::Kind::MaxPool;
      break;
    case 'f':
      l.kind = ConvNetLayer::Kind::Fc;
      break;
    default:
      throw UsageError("--layers: '" + e +
                       "' starts with neither c (conv), m (max-pool) nor f (fc)");
  }
  int64_t first = read_int(e, pos, e);
  if (l.kind == ConvNetLayer::Kind::MaxPool)
    l.kh = l.kw = first;
  else
    l.out = first;
  while (pos < e.size()) {
    char key = e[pos++];
    bool conv = l.kind == ConvNetLayer::Kind::Conv;
    if (key == 'k' && conv) {
      l.kh = l.kw = read_int(e, pos, e);
      if (pos < e.size() && e[pos] == 'x') {
        ++pos;
        l.kw = read_int(e, pos, e);
      }
    } else if (key == 's' && l.kind != ConvNetLayer::Kind::Fc) {
      l.stride = read_int(e, pos, e);
      stride_set = true;
    } else if (key == 'p' && conv) {
      int64_t p = read_int(e, pos, e);
      l.pads = {p, p, p, p};
      if (pos < e.size() && e[pos] == '.') {
        for (int i = 1; i < 4; ++i) {
          if (pos >= e.size() || e[pos] != '.')
            throw UsageError("--layers: padding in '" + e + "' needs 1 or 4 values");
          ++pos;
          l.pads[i] = read_int(e, pos, e);
        }
      }
    } else if (key == 'd' && conv) {
      l.dilation = read_int(e, pos, e);
    } else if (key == 'g' && conv) {
      l.group = read_int(e, pos, e);
    } else {
      throw UsageError(fmt::format("--layers: unexpected '{}' in '{}'", key, e));
    }
  }
  if (l.kind == ConvNetLayer::Kind::MaxPool && !stride_set) l.stride = l.kh;
  if (l.out < 0 || l.kh < 1 || l.kw < 1 || l.stride < 1 || l.dilation < 1 || l.group < 1 ||
      (l.kind != ConvNetLayer::Kind::MaxPool && l.out < 1))
    throw UsageError("--layers: sizes in '" + e + "' must be positive");
  return l;
}

}  // namespace

std::vector<ConvNetLayer> parse_conv_layers(const std::string& text) {
  std::vector<ConvNetLayer> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(parse_entry(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

namespace {

void check_spec(const ConvNetSpec& s) {
  if (s.layers.empty()) fail("--layers names no layer");
  if (s.image < 1 || s.channels < 1) fail("--image and --channels must be positive");
  for (const DataType* dt : {&s.weight_type, &s.act_type, &s.input_type})
    if (!dt->is_integer()) fail("datatype {} is not an integer type", dt->name());
  if (s.weight_type == DataType::ternary() || s.act_type == DataType::ternary())
    fail("TERNARY layers are not generated");
  if (s.samples < 1) fail("--samples must be at least 1");
  // Shapes: every layer must leave a non-empty feature map.
  int64_t d = s.image, c = s.channels;
  bool flat = false;
  for (const auto& l : s.layers) {
    switch (l.kind) {
      case ConvNetLayer::Kind::Conv: {
        if (flat) fail("a convolution cannot follow a fully connected layer");
        if (c % l.group != 0 || l.out % l.group != 0)
          fail("groups {} do not divide {} input and {} output channels", l.group, c, l.out);
        int64_t eh = l.dilation * (l.kh - 1) + 1, ew = l.dilation * (l.kw - 1) + 1;
        int64_t oh = (d + l.pads[0] + l.pads[2] - eh) / l.stride + 1;
        int64_t ow = (d + l.pads[1] + l.pads[3] - ew) / l.stride + 1;
        if (d + l.pads[0] + l.pads[2] < eh || d + l.pads[1] + l.pads[3] < ew)
          fail("a {}x{} kernel does not fit a {}x{} feature map", l.kh, l.kw, d, d);
        if (oh != ow) fail("the layers must keep the feature map square (got {}x{})", oh, ow);
        d = oh;
        c = l.out;
        break;
      }
      case ConvNetLayer::Kind::MaxPool:
        if (flat) fail("a max-pool cannot follow a fully connected layer");
        if (d < l.kh) fail("a {}x{} pool does not fit a {}x{} feature map", l.kh, l.kh, d, d);
        d = (d - l.kh) / l.stride + 1;
        break;
      case ConvNetLayer::Kind::Fc:
        flat = true;
        c = l.out;
        break;
    }
  }
}

// Everything the two forms share while the graph grows: the builder, the calibration batch
// and the shape of one sample.
struct Growth {
  Model& m;
  Builder b;
  const Tensor& calib;
  Shape sample;
  Growth(Model& model, const Tensor& c, Shape s) : m(model), b(model), calib(c), sample(s) {}
  // The calibration values of tensor x, (rows, ...).
  Tensor probe(const std::string& x) const { return probe_rows(m, x, calib, sample); }
};

std::string add_conv(Growth& g, const std::string& x, const ConvNetLayer& l,
                     const std::string& weights) {
  std::string y = g.b.add("Conv", {x, weights});
  set_attr(g.b.last(), "kernel_shape", std::vector<int64_t>{l.kh, l.kw});
  set_attr(g.b.last(), "strides", std::vector<int64_t>{l.stride, l.stride});
  set_attr(g.b.last(), "pads", l.pads);
  set_attr(g.b.last(), "dilations", std::vector<int64_t>{l.dilation, l.dilation});
  set_attr(g.b.last(), "group", l.group);
  return y;
}

std::string add_pool(Growth& g, const std::string& x, const ConvNetLayer& l) {
  std::string y = g.b.add("MaxPool", {x});
  set_attr(g.b.last(), "kernel_shape", std::vector<int64_t>{l.kh, l.kw});
  set_attr(g.b.last(), "strides", std::vector<int64_t>{l.stride, l.stride});
  return y;
}

std::string add_flatten(Growth& g, const std::string& x) {
  return g.b.add("Reshape", {x, g.b.init(Tensor::from<int64_t>({2}, {1, -1}))});
}

std::string add_topk(Growth& g, const std::string& x, const std::string& out) {
  std::string k = g.b.init(Tensor::from<int64_t>({1}, {1}));
  auto node = make_node("TopK", {x, k}, {"topk_values", out});
  set_attr(node, "axis", int64_t{-1});
  *g.m.graph().add_node() = node;
  return out;
}

// The weight shape of a layer on an input of `in` channels (conv) or features (fc).
Shape weight_shape(const ConvNetLayer& l, int64_t in) {
  if (l.kind == ConvNetLayer::Kind::Fc) return {in, l.out};
  return {l.out, in / l.group, l.kh, l.kw};
}

// Starts a model whose input `name` is one NCHW sample annotated with the input type.
Growth start(Model& m, const ConvNetSpec& s, const Tensor& calib, const std::string& name) {
  m.proto().set_producer_name("shoal onnx-conv");
  Shape sample{1, s.channels, s.image, s.image};
  auto* in = m.graph().add_input();
  in->set_name(name);
  m.set_tensor_shape(name, sample);
  m.set_datatype(name, s.input_type);
  return Growth(m, calib, sample);
}

// Walks the layers from x: pools and the flatten before the first fc are the same in both
// forms; `weighted(layer, inputs, x)` adds one conv or fc layer (`inputs` channels or
// features) and returns its output, activation included unless it is the last layer of a
// --last-linear net.
template <typename F>
std::string add_layers(const ConvNetSpec& s, Growth& g, std::string x, F weighted) {
  int64_t width = s.channels;
  bool flat = false;
  for (const ConvNetLayer& l : s.layers) {
    if (l.kind == ConvNetLayer::Kind::MaxPool) {
      x = add_pool(g, x, l);
      continue;
    }
    if (l.kind == ConvNetLayer::Kind::Fc && !flat) {
      x = add_flatten(g, x);
      flat = true;
      width = g.probe(x).shape().at(1);
    }
    x = weighted(l, width, x, &l == &s.layers.back() && s.last_linear);
    width = l.out;
  }
  return x;
}

std::string add_weighted(Growth& g, const ConvNetLayer& l, const std::string& x,
                         const std::string& weights) {
  return l.kind == ConvNetLayer::Kind::Conv ? add_conv(g, x, l, weights)
                                            : g.b.add("MatMul", {x, weights});
}

// FINN-ONNX: integer weights, MultiThreshold activations spread over observed accumulators.
Model finn_form(const ConvNetSpec& s, Rng& rng, const Tensor& calib) {
  Model m;
  Growth g = start(m, s, calib, "global_in");
  auto layer = [&](const ConvNetLayer& l, int64_t inputs, const std::string& in, bool linear) {
    std::string wname = g.b.init(random_tensor(rng, s.weight_type, weight_shape(l, inputs)));
    m.set_datatype(wname, s.weight_type);
    std::string x = add_weighted(g, l, in, wname);
    if (linear) return x;
    Tensor acc = g.probe(x);
    Tensor t = spread_thresholds(channel_ranges(acc, 1), activation_for(s.act_type).steps);
    return g.b.multithreshold(x, t, s.act_type);
  };
  std::string x = add_layers(s, g, "global_in", layer);
  if (s.topk) x = add_topk(g, x, "global_out");
  m.rename_tensor(x, "global_out");
  auto* out = m.graph().add_output();
  out->set_name("global_out");
  infer_shapes(m);
  m.set_tensor_shape("global_out", *m.tensor_shape("global_out"),
                     s.topk ? ElemType::Int64 : ElemType::Float);
  tidy_up(m);
  return m;
}

// QONNX: float weights behind Quant nodes, Relu+Quant (unsigned), Quant (signed) or
// BipolarQuant activations, as Brevitas exports them.
Model qonnx_form(const ConvNetSpec& s, Rng& rng, const Tensor& calib) {
  Model m;
  Growth g = start(m, s, calib, "input");
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  auto layer = [&](const ConvNetLayer& l, int64_t inputs, const std::string& in, bool linear) {
    Tensor wf = random_tensor(rng, s.weight_type, weight_shape(l, inputs));
    float ws = s.weight_type == DataType::bipolar() ? 1.0f : static_cast<float>(0.25 * jitter(rng));
    for (float& v : wf.span<float>()) v *= ws;
    std::string x = add_weighted(g, l, in, g.b.quant(g.b.init(wf), ws, s.weight_type));
    if (linear) return x;
    const DataType& adt = s.act_type;
    float as = 1.0f;
    if (adt != DataType::bipolar()) {
      double hi = largest_magnitude(channel_ranges(g.probe(x), 1));
      double levels = adt.is_signed() ? std::ldexp(1.0, adt.bitwidth() - 1)
                                      : std::ldexp(1.0, adt.bitwidth()) - 1;
      as = static_cast<float>(hi / levels * jitter(rng) * 0.8);
    }
    if (!adt.is_signed()) x = g.b.add("Relu", {x});
    return g.b.quant(x, as, adt);
  };
  std::string x = add_layers(s, g, "input", layer);
  if (s.topk) x = add_topk(g, x, "output");
  m.rename_tensor(x, "output");
  auto* out = m.graph().add_output();
  out->set_name("output");
  infer_shapes(m);
  Shape oshape = *m.tensor_shape("output");
  m.graph().clear_value_info();
  m.set_tensor_shape("output", oshape, s.topk ? ElemType::Int64 : ElemType::Float);
  return m;
}

}  // namespace

ConvNetBundle make_conv_net(const ConvNetSpec& s) {
  check_spec(s);
  Rng rng(s.seed);
  // Test inputs first, then extra calibration rows for placing thresholds and scales.
  const int64_t calib_rows = std::max<int64_t>(s.samples, 32);
  Tensor calib = random_tensor(rng, s.input_type, {calib_rows, s.channels, s.image, s.image});
  Tensor input(ElemType::Float, {s.samples, s.channels, s.image, s.image});
  std::copy_n(calib.span<float>().begin(), input.size(), input.span<float>().begin());
  ConvNetBundle out{s.qonnx ? qonnx_form(s, rng, calib) : finn_form(s, rng, calib), input,
                    Tensor()};
  out.expected_output = run_rows(out.model, input, {1, s.channels, s.image, s.image});
  return out;
}

}  // namespace shoal
