// Shape rules for the standard ops the flow's models use, so that tools working on tidy
// models do not need ONNX's schema registry (building it costs ~17 ms per process, the
// largest fixed cost of a tool run). Anything not covered here goes to ONNX's shape
// inference (shape_inference.cpp), which stays the reference.
#include <algorithm>
#include <unordered_map>

#include "shoal/core/attrs.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_rules.hpp"
#include "shoal/core/window.hpp"

namespace shoal {
namespace {

struct Info {
  Shape shape;
  ElemType type;
  // The value of a small int64 tensor when known (initializers, and what Shape, Gather,
  // Unsqueeze, Squeeze and Concat compute from them): the shape arithmetic exporters emit
  // before a Reshape, which ONNX resolves by its data propagation.
  std::optional<std::vector<int64_t>> value = std::nullopt;
};

constexpr int64_t kMaxPropagatedValues = 64;

bool is_static(const Shape& s) {
  return std::all_of(s.begin(), s.end(), [](int64_t d) { return d >= 0; });
}

using Rule = std::function<std::optional<std::vector<Info>>(const Model&, const onnx::NodeProto&,
                                                            const std::vector<const Info*>&)>;

std::optional<std::vector<int64_t>> const_ints(const std::vector<const Info*>& in, std::size_t i) {
  if (in.size() <= i || !in[i]) return std::nullopt;
  return in[i]->value;
}

// Unsqueeze/Squeeze take their axes from an attribute before opset 13, from input 1 after.
std::optional<std::vector<int64_t>> axes_of(const onnx::NodeProto& n,
                                            const std::vector<const Info*>& in) {
  if (in.size() > 1) return const_ints(in, 1);
  if (has_attr(n, "axes")) return attr_ints(n, "axes");
  return std::vector<int64_t>{};
}

std::optional<std::vector<Info>> same(const std::vector<const Info*>& in) {
  return std::vector<Info>{*in[0]};
}

const std::unordered_map<std::string, Rule>& rules() {
  static const std::unordered_map<std::string, Rule> table = [] {
    std::unordered_map<std::string, Rule> t;
    auto unary = [](const Model&, const onnx::NodeProto&, const std::vector<const Info*>& in) {
      return same(in);
    };
    for (const char* op :
         {"Relu",      "Sign",        "Neg",     "Abs",        "Sqrt",
          "Exp",       "Log",         "Floor",   "Ceil",       "Round",
          "Sigmoid",   "Tanh",        "Erf",     "Reciprocal", "Identity",
          "LeakyRelu", "HardSigmoid", "Softmax", "Clip",       "BatchNormalization",
          "Dropout"})
      t[op] = unary;
    auto broadcast = [](const Model&, const onnx::NodeProto&,
                        const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      Shape s = in[0]->shape;
      for (std::size_t i = 1; i < in.size(); ++i) {
        if (!in[i]) return std::nullopt;
        s = broadcast_shapes(s, in[i]->shape);
      }
      return std::vector<Info>{{s, in[0]->type}};
    };
    for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"}) t[op] = broadcast;
    t["MatMul"] = [](const Model&, const onnx::NodeProto&,
                     const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      // A node with too few inputs is left to ONNX's inference, which names the fault.
      if (in.size() < 2 || !in[1]) return std::nullopt;
      Shape a = in[0]->shape, b = in[1]->shape;
      if (a.size() < 2 || b.size() < 2) return std::nullopt;
      Shape batch = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
      batch.push_back(a[a.size() - 2]);
      batch.push_back(b.back());
      return std::vector<Info>{{batch, ElemType::Float}};
    };
    t["Gemm"] = [](const Model&, const onnx::NodeProto& n,
                   const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      if (in.size() < 2 || !in[1] || in[0]->shape.size() != 2 || in[1]->shape.size() != 2)
        return std::nullopt;
      int64_t m = attr_int(n, "transA", 0) ? in[0]->shape[1] : in[0]->shape[0];
      int64_t k = attr_int(n, "transB", 0) ? in[1]->shape[0] : in[1]->shape[1];
      return std::vector<Info>{{{m, k}, ElemType::Float}};
    };
    t["Conv"] = [](const Model&, const onnx::NodeProto& n,
                   const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      if (in.size() < 2 || !in[1] || in[0]->shape.size() < 3 ||
          in[1]->shape.size() != in[0]->shape.size())
        return std::nullopt;
      const Shape& w = in[1]->shape;
      auto kernel = attr_ints(n, "kernel_shape", std::vector<int64_t>(w.begin() + 2, w.end()));
      Shape o{in[0]->shape[0], w[0]};
      for (auto d : window_of(n, in[0]->shape, kernel).out) o.push_back(d);
      return std::vector<Info>{{o, in[0]->type}};
    };
    auto pool = [](const Model&, const onnx::NodeProto& n,
                   const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      if (in[0]->shape.size() < 3) return std::nullopt;
      Shape o{in[0]->shape[0], in[0]->shape[1]};
      for (auto d : window_of(n, in[0]->shape, attr_ints(n, "kernel_shape")).out) o.push_back(d);
      std::vector<Info> r{{o, in[0]->type}};
      if (n.output_size() > 1) r.push_back({o, ElemType::Int64});  // MaxPool's Indices
      return r;
    };
    t["MaxPool"] = pool;
    t["AveragePool"] = pool;
    t["Transpose"] = [](const Model&, const onnx::NodeProto& n,
                        const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      auto perm = attr_ints(n, "perm");
      const Shape& s = in[0]->shape;
      if (perm.empty())
        for (int64_t i = static_cast<int64_t>(s.size()) - 1; i >= 0; --i) perm.push_back(i);
      if (perm.size() != s.size()) return std::nullopt;
      Shape o;
      for (auto p : perm) o.push_back(s[normalize_axis(p, static_cast<int64_t>(s.size()))]);
      return std::vector<Info>{{o, in[0]->type}};
    };
    t["Reshape"] = [](const Model& m, const onnx::NodeProto& n,
                      const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      auto target = const_ints(in, 1);
      if (!target) return std::nullopt;
      int64_t total = element_count(in[0]->shape), known = 1, infer = -1;
      for (std::size_t i = 0; i < target->size(); ++i) {
        int64_t& d = (*target)[i];
        if (d == 0 && !attr_int(n, "allowzero", 0))
          d = i < in[0]->shape.size() ? in[0]->shape[i] : 0;
        if (d == -1)
          infer = static_cast<int64_t>(i);
        else
          known = checked_mul(known, d, describe(n));
      }
      if (infer >= 0) {
        if (known == 0) return std::nullopt;
        (*target)[infer] = total / known;
      }
      return std::vector<Info>{{*target, in[0]->type}};
    };
    // Conv and the pools: [N, C, spatial...] -> [N, C', out...], out per ONNX's rules for
    // pads, auto_pad, strides, dilations and (pools) ceil_mode.
    t["Flatten"] = [](const Model&, const onnx::NodeProto& n,
                      const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      const Shape& s = in[0]->shape;
      int64_t axis = attr_int(n, "axis", 1);
      // Flatten's axis may also be the rank itself (everything in the outer dimension).
      if (axis != static_cast<int64_t>(s.size()))
        axis = normalize_axis(axis, static_cast<int64_t>(s.size()));
      int64_t outer = element_count(Shape(s.begin(), s.begin() + axis));
      return std::vector<Info>{{{outer, outer ? element_count(s) / outer : 0}, in[0]->type}};
    };
    t["TopK"] = [](const Model& m, const onnx::NodeProto& n,
                   const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      std::optional<int64_t> k;
      if (auto v = const_ints(in, 1); v && v->size() == 1)
        k = (*v)[0];
      else if (n.input_size() < 2)
        k = attr_int(n, "k", 1);
      if (!k) return std::nullopt;
      Shape s = in[0]->shape;
      s[normalize_axis(attr_int(n, "axis", -1), static_cast<int64_t>(s.size()))] = *k;
      return std::vector<Info>{{s, in[0]->type}, {s, ElemType::Int64}};
    };
    t["Shape"] = [](const Model&, const onnx::NodeProto& n,
                    const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      auto rank = static_cast<int64_t>(in[0]->shape.size());
      auto clamp = [&](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
      int64_t start = clamp(attr_int(n, "start", 0)), end = clamp(attr_int(n, "end", rank));
      std::vector<int64_t> v(in[0]->shape.begin() + start,
                             in[0]->shape.begin() + std::max(start, end));
      return std::vector<Info>{{{static_cast<int64_t>(v.size())}, ElemType::Int64, v}};
    };
    t["Gather"] = [](const Model&, const onnx::NodeProto& n,
                     const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      if (in.size() < 2 || !in[1]) return std::nullopt;
      const Shape& data = in[0]->shape;
      int64_t axis = normalize_axis(attr_int(n, "axis", 0), static_cast<int64_t>(data.size()));
      Shape s(data.begin(), data.begin() + axis);
      s.insert(s.end(), in[1]->shape.begin(), in[1]->shape.end());
      s.insert(s.end(), data.begin() + axis + 1, data.end());
      Info out{s, in[0]->type};
      if (in[0]->value && in[1]->value && data.size() == 1) {
        out.value.emplace();
        for (int64_t i : *in[1]->value) {
          if (i < 0) i += data[0];
          if (i < 0 || i >= data[0]) return std::nullopt;
          out.value->push_back((*in[0]->value)[static_cast<std::size_t>(i)]);
        }
      }
      return std::vector<Info>{out};
    };
    t["Unsqueeze"] = [](const Model&, const onnx::NodeProto& n,
                        const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      auto axes = axes_of(n, in);
      if (!axes) return std::nullopt;
      auto rank = static_cast<int64_t>(in[0]->shape.size() + axes->size());
      std::vector<bool> inserted(static_cast<std::size_t>(rank), false);
      for (int64_t a : *axes) {
        a = a < 0 ? a + rank : a;
        if (a < 0 || a >= rank || inserted[a]) return std::nullopt;
        inserted[a] = true;
      }
      Shape s;
      auto src = in[0]->shape.begin();
      for (int64_t i = 0; i < rank; ++i) s.push_back(inserted[i] ? 1 : *src++);
      return std::vector<Info>{{s, in[0]->type, in[0]->value}};
    };
    t["Squeeze"] = [](const Model&, const onnx::NodeProto& n,
                      const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      auto axes = axes_of(n, in);
      if (!axes) return std::nullopt;
      const Shape& src = in[0]->shape;
      auto rank = static_cast<int64_t>(src.size());
      std::vector<bool> drop(src.size(), false);
      for (int64_t a : *axes) {
        a = a < 0 ? a + rank : a;
        if (a < 0 || a >= rank || src[a] != 1) return std::nullopt;
        drop[a] = true;
      }
      Shape s;
      for (int64_t i = 0; i < rank; ++i)
        if (axes->empty() ? src[i] != 1 : !drop[i]) s.push_back(src[i]);
      return std::vector<Info>{{s, in[0]->type, in[0]->value}};
    };
    t["Concat"] = [](const Model&, const onnx::NodeProto& n,
                     const std::vector<const Info*>& in) -> std::optional<std::vector<Info>> {
      Shape s = in[0]->shape;
      int64_t axis = normalize_axis(attr_int(n, "axis", 0), static_cast<int64_t>(s.size()));
      bool values = s.size() == 1;
      std::vector<int64_t> v;
      for (std::size_t i = 0; i < in.size(); ++i) {
        if (!in[i] || in[i]->shape.size() != s.size()) return std::nullopt;
        if (i > 0) s[axis] += in[i]->shape[axis];
        values = values && in[i]->value;
        if (values) v.insert(v.end(), in[i]->value->begin(), in[i]->value->end());
      }
      Info out{s, in[0]->type};
      if (values) out.value = std::move(v);
      return std::vector<Info>{out};
    };
    return t;
  }();
  return table;
}

}  // namespace

bool infer_shapes_fast(Model& m) {
  std::unordered_map<std::string, Info> known;
  for (const auto& init : m.graph().initializer()) {
    if (!is_supported_elem_type(init.data_type())) continue;
    Info info{Shape(init.dims().begin(), init.dims().end()),
              static_cast<ElemType>(init.data_type())};
    if (info.type == ElemType::Int64 && element_count(info.shape) <= kMaxPropagatedValues)
      info.value = m.initializer(init.name())->ints();
    known[init.name()] = std::move(info);
  }
  for (const auto& vi : m.graph().input()) {
    if (known.count(vi.name())) continue;
    auto s = m.tensor_shape(vi.name());
    auto t = m.tensor_elem_type(vi.name());
    if (!s || !t || !is_static(*s)) return false;
    known[vi.name()] = {*s, *t};
  }
  std::vector<std::pair<std::string, Info>> produced;
  for (const auto& n : m.graph().node()) {
    std::vector<const Info*> in;
    for (const auto& name : n.input()) {
      if (name.empty()) {
        in.push_back(nullptr);
        continue;
      }
      auto it = known.find(name);
      if (it == known.end()) return false;
      in.push_back(&it->second);
    }
    if (in.empty() || !in[0]) return false;
    std::optional<std::vector<Info>> out;
    Domain d = classify_domain(n.domain());
    if (d == Domain::Standard) {
      auto r = rules().find(n.op_type());
      if (r == rules().end()) return false;
      out = r->second(m, n, in);
    } else {
      const OpDef* op = find_op(n);
      if (!op || n.op_type() == "StreamingDataflowPartition") return false;
      std::vector<std::optional<Shape>> shapes;
      for (const Info* i : in)
        shapes.emplace_back(i ? std::optional<Shape>(i->shape) : std::nullopt);
      std::vector<Shape> s = op->infer_shapes(n, shapes);
      out.emplace();
      for (std::size_t o = 0; o < s.size(); ++o)
        out->push_back({s[o], op->output_elem_type(n, static_cast<int>(o))});
    }
    if (!out || out->size() < static_cast<std::size_t>(n.output_size())) return false;
    for (int o = 0; o < n.output_size(); ++o) {
      if (n.output(o).empty()) continue;
      if (!is_static((*out)[o].shape)) return false;
      checked_element_count((*out)[o].shape, (*out)[o].type,
                            fmt::format("{}: output '{}'", describe(n), n.output(o)));
      known[n.output(o)] = (*out)[o];
      produced.emplace_back(n.output(o), (*out)[o]);
    }
  }
  // Rewrite value_info as the ONNX path does: node outputs in graph order, then initializers.
  auto& g = m.graph();
  std::unordered_map<std::string, bool> io;
  for (const auto& vi : g.input()) io[vi.name()] = true;
  for (const auto& vi : g.output()) io[vi.name()] = true;
  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> fresh;
  auto add = [&](const std::string& name, const Info& info) {
    auto* vi = fresh.Add();
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int32_t>(info.type));
    auto* sh = tt->mutable_shape();
    for (auto dim : info.shape) sh->add_dim()->set_dim_value(dim);
  };
  std::unordered_map<std::string, bool> done;
  for (const auto& [name, info] : produced)
    if (!io.count(name) && !done[name]) {
      done[name] = true;
      add(name, info);
    }
  for (const auto& init : g.initializer())
    if (!io.count(init.name()) && !done[init.name()]) {
      done[init.name()] = true;
      add(init.name(), known[init.name()]);
    }
  for (auto& vi : *g.mutable_output()) {
    auto it = known.find(vi.name());
    if (it == known.end()) return false;
    m.set_tensor_shape(vi.name(), it->second.shape, it->second.type);
  }
  g.mutable_value_info()->Swap(&fresh);
  return true;
}

}  // namespace shoal
