// FINN's general transforms and the cleanup every transform ends with (dialect.md §1.5, §3.2).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/executor.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/shape_inference.hpp"
#include "shoal/core/tensor_proto.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

void cleanup(Model& m) {
  remove_unused_tensors(m);
  remove_static_graph_inputs(m);
  sort_graph(m);
}

void apply(Model& m, const Transform& t, bool do_cleanup) {
  double_to_single_float(m);
  for (int rounds = 0; t(m); ++rounds)
    if (rounds > 100000) fail("internal: a transform did not reach a fixpoint");
  if (do_cleanup) cleanup(m);
}

bool double_to_single_float(Model& m) {
  bool changed = false;
  for (auto& init : *m.graph().mutable_initializer()) {
    if (init.data_type() != onnx::TensorProto::DOUBLE) continue;
    Tensor t = tensor_from_proto(init).astype(ElemType::Float);
    init = tensor_to_proto(t, init.name());
    changed = true;
  }
  return changed;
}

bool remove_unused_tensors(Model& m) {
  std::set<std::string> used;
  for (const auto& n : m.graph().node()) {
    used.insert(n.input().begin(), n.input().end());
    used.insert(n.output().begin(), n.output().end());
  }
  auto& g = m.graph();
  bool changed = false;
  auto prune = [&](auto* list, auto name_of) {
    for (int i = list->size() - 1; i >= 0; --i)
      if (!used.count(name_of(list->Get(i)))) {
        list->erase(list->begin() + i);
        changed = true;
      }
  };
  prune(g.mutable_initializer(), [](const onnx::TensorProto& t) { return t.name(); });
  prune(g.mutable_value_info(), [](const onnx::ValueInfoProto& v) { return v.name(); });
  prune(g.mutable_quantization_annotation(),
        [](const onnx::TensorAnnotation& a) { return a.tensor_name(); });
  return false;  // FINN's RemoveUnusedTensors never reports a change
}

bool remove_static_graph_inputs(Model& m) {
  auto& g = m.graph();
  bool changed = false;
  for (int i = g.input_size() - 1; i >= 0; --i) {
    if (!m.has_initializer(g.input(i).name())) continue;
    onnx::ValueInfoProto vi = g.input(i);
    g.mutable_input()->erase(g.mutable_input()->begin() + i);
    bool present = false;
    for (const auto& v : g.value_info()) present |= v.name() == vi.name();
    if (!present) *g.add_value_info() = std::move(vi);
    changed = true;
  }
  return changed;
}

bool sort_graph(Model& m) {
  const int n = m.node_count();
  if (n <= 1) return false;
  std::map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const auto& o : m.node(i).output())
      if (!o.empty()) producer[o] = i;
  std::vector<std::vector<int>> preds(n);
  for (int i = 0; i < n; ++i)
    for (const auto& in : m.node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && it->second != i &&
          std::find(preds[i].begin(), preds[i].end(), it->second) == preds[i].end())
        preds[i].push_back(it->second);
    }
  // level = length of the longest chain of predecessors; sort by (level, index)
  std::vector<int> level(n, -1);
  std::vector<int> done_order;
  bool progress = true;
  int assigned = 0;
  for (int lvl = 0; assigned < n && progress; ++lvl) {
    progress = false;
    std::vector<int> this_level;
    for (int i = 0; i < n; ++i) {
      if (level[i] >= 0) continue;
      bool ready = std::all_of(preds[i].begin(), preds[i].end(),
                               [&](int p) { return level[p] >= 0 && level[p] < lvl; });
      if (ready) this_level.push_back(i);
    }
    for (int i : this_level) {
      level[i] = lvl;
      done_order.push_back(i);
      ++assigned;
      progress = true;
    }
  }
  if (assigned != n) fail("the graph has a cycle; it cannot be sorted");
  google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
  for (int i : done_order) *sorted.Add() = m.node(i);
  m.graph().mutable_node()->Swap(&sorted);
  return false;
}

bool give_unique_node_names(Model& m, const std::string& prefix) {
  std::map<std::string, int> count;
  for (auto& n : *m.graph().mutable_node())
    n.set_name(prefix + n.op_type() + "_" + std::to_string(count[n.op_type()]++));
  return false;
}

bool give_readable_tensor_names(Model& m) {
  // First give every tensor a temporary name, so the final names cannot collide with
  // existing ones. (FINN skips initializers without ValueInfo here; renaming them too gives
  // the same final names and avoids collisions.)
  std::vector<std::string> names;
  std::set<std::string> seen;
  auto note = [&](const std::string& s) {
    if (!s.empty() && seen.insert(s).second) names.push_back(s);
  };
  for (const auto& vi : m.graph().input()) note(vi.name());
  for (const auto& vi : m.graph().output()) note(vi.name());
  for (const auto& vi : m.graph().value_info()) note(vi.name());
  for (const auto& t : m.graph().initializer()) note(t.name());
  for (const auto& n : m.graph().node()) {
    for (const auto& i : n.input()) note(i);
    for (const auto& o : n.output()) note(o);
  }
  int k = 0;
  for (const auto& name : names) {
    std::string tmp;
    do tmp = "shoal_tmp_" + std::to_string(k++);
    while (seen.count(tmp));
    m.rename_tensor(name, tmp);
  }
  for (int i = 0; i < m.node_count(); ++i) {
    // copy: renaming rewrites the node's own i/o lists
    onnx::NodeProto n = m.node(i);
    for (int j = 0; j < n.output_size(); ++j)
      if (!n.output(j).empty()) m.rename_tensor(n.output(j), n.name() + "_out" + std::to_string(j));
    int param = 0;
    for (int j = 0; j < n.input_size(); ++j)
      if (m.has_initializer(n.input(j)))
        m.rename_tensor(n.input(j), n.name() + "_param" + std::to_string(param++));
  }
  if (m.graph().input_size() > 0) m.rename_tensor(m.graph().input(0).name(), "global_in");
  if (m.graph().output_size() > 0) m.rename_tensor(m.graph().output(0).name(), "global_out");
  return false;
}

bool give_unique_parameter_tensors(Model& m) {
  std::set<std::string> seen;
  for (int i = 0; i < m.node_count(); ++i) {
    for (int j = 0; j < m.node(i).input_size(); ++j) {
      std::string in = m.node(i).input(j);
      if (!m.has_initializer(in)) continue;
      if (seen.insert(in).second) continue;
      std::string fresh = m.fresh_tensor_name(in);
      m.set_initializer(fresh, *m.initializer(in));
      if (m.has_datatype_annotation(in)) m.set_datatype(fresh, m.datatype(in));
      m.node(i).set_input(j, fresh);
    }
  }
  return false;
}

bool infer_shapes_transform(Model& m) {
  infer_shapes(m);
  return false;
}

bool fold_constants(Model& m, const std::set<std::string>& exclude) {
  bool changed = false;
  for (int i = 0; i < m.node_count();) {
    const onnx::NodeProto node = m.node(i);
    bool all_const = true;
    for (const auto& in : node.input()) all_const &= !in.empty() && m.has_initializer(in);
    std::optional<Shape> shape_input;
    if (node.op_type() == "Shape" && node.input_size() > 0) {
      auto s = m.tensor_shape(node.input(0));
      if (s && std::all_of(s->begin(), s->end(), [](int64_t d) { return d >= 0; })) shape_input = s;
    }
    if (exclude.count(node.op_type()) || (!all_const && !shape_input) || node.output_size() == 0 ||
        classify_domain(node.domain()) == Domain::Dataflow) {
      ++i;
      continue;
    }
    // Execute the node alone: a one-node model over the same initializers.
    Model one;
    *one.proto().mutable_opset_import() = m.proto().opset_import();
    *one.graph().add_node() = node;
    std::vector<Tensor> inputs;
    if (shape_input) {
      auto* vi = one.graph().add_input();
      vi->set_name(node.input(0));
      one.set_tensor_shape(node.input(0), *shape_input);
      inputs.emplace_back(ElemType::Float, *shape_input);
    } else {
      for (const auto& in : node.input())
        if (!one.has_initializer(in)) *one.graph().add_initializer() = *m.initializer_proto(in);
    }
    for (const auto& o : node.output()) one.graph().add_output()->set_name(o);
    ExecOptions opts;
    opts.sanitize = false;
    std::vector<Tensor> outs = Executor(one, opts).run(inputs);
    m.remove_node(i);
    for (int o = 0; o < node.output_size(); ++o)
      if (!node.output(o).empty()) m.set_initializer(node.output(o), outs[o]);
    changed = true;
  }
  if (changed) infer_shapes(m);
  return changed;
}

bool infer_datatypes(Model& m) {
  bool changed = false;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    std::vector<std::string> before;
    for (const auto& o : n.output())
      before.push_back(m.annotation(o, "finn_datatype").value_or(""));
    Domain d = classify_domain(n.domain());
    if (d == Domain::Standard) {
      if (const OpDef* op = find_op(n))
        op->infer_datatypes(m, i);
      else
        infer_standard_datatypes(m, i);
    } else {
      require_op(n).infer_datatypes(m, i);
    }
    const auto& after = m.node(i);
    for (int o = 0; o < after.output_size(); ++o)
      if (m.annotation(after.output(o), "finn_datatype").value_or("") != before[o]) changed = true;
  }
  return changed;
}

bool remove_identity_ops(Model& m) {
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    const std::string& op = n.op_type();
    bool additive = op == "Add" || op == "Sub";
    bool multiplicative = op == "Mul" || op == "Div";
    if (!(additive || multiplicative) || n.input_size() != 2) continue;
    auto param = m.initializer(n.input(1));
    if (!param) continue;
    double target = additive ? 0.0 : 1.0;
    bool identity = param->size() > 0;
    for (int64_t k = 0; k < param->size() && identity; ++k)
      identity = std::fabs(param->get(k) - target) <= 1e-5 + 1e-5 * std::fabs(target);
    if (!identity || m.is_fork(i) || m.is_join(i)) continue;
    // The identity must not broadcast its input to a larger shape.
    auto in_shape = m.tensor_shape(n.input(0)), out_shape = m.tensor_shape(n.output(0));
    if (in_shape && out_shape && *in_shape != *out_shape) continue;
    std::string in = n.input(0), out = n.output(0);
    int prod = m.producer(in);
    if (prod >= 0 && m.consumers(in).size() == 1 && !m.is_graph_output(in)) {
      // The producer now writes the identity's output; `out` keeps its own annotation.
      m.remove_node(i);
      prod = m.producer(in);
      for (auto& o : *m.node(prod).mutable_output())
        if (o == in) o = out;
    } else if (!m.is_graph_output(out)) {
      m.remove_node(i);
      for (int c : m.consumers(out))
        for (auto& ci : *m.node(c).mutable_input())
          if (ci == out) ci = in;
    } else {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace shoal
