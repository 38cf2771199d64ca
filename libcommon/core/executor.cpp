#include "shoal/core/executor.hpp"

#include <cmath>
#include <queue>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"

namespace shoal {
namespace {

// A valid execution order: graph order when it is topological, else Kahn's algorithm.
std::vector<int> execution_order(const Model& m) {
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < m.node_count(); ++i)
    for (const auto& o : m.node(i).output())
      if (!o.empty()) producer[o] = i;
  std::vector<std::vector<int>> succ(m.node_count());
  std::vector<int> indeg(m.node_count(), 0);
  for (int i = 0; i < m.node_count(); ++i) {
    std::set<int> preds;
    for (const auto& in : m.node(i).input()) {
      auto it = producer.find(in);
      if (it != producer.end() && it->second != i) preds.insert(it->second);
    }
    for (int p : preds) {
      succ[p].push_back(i);
      ++indeg[i];
    }
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < m.node_count(); ++i)
    if (indeg[i] == 0) ready.push(i);
  std::vector<int> order;
  while (!ready.empty()) {
    int n = ready.top();
    ready.pop();
    order.push_back(n);
    for (int s : succ[n])
      if (--indeg[s] == 0) ready.push(s);
  }
  if (static_cast<int>(order.size()) != m.node_count())
    fail("the graph has a cycle; it cannot be executed");
  return order;
}

double round_half_even(double v) {
  return std::nearbyint(v);
}

void sanitize(const Model& m, const std::string& name, Tensor& t) {
  if (name.empty() || t.type() != ElemType::Float) return;
  DataType dt = m.datatype(name);
  if (dt.is_float()) return;
  auto data = t.span<float>();
  bool all_allowed = true;
  for (float v : data)
    if (!dt.allowed(v)) {
      all_allowed = false;
      break;
    }
  if (all_allowed) return;
  double max_change = 0;
  for (float& v : data) {
    double r = round_half_even(v);
    max_change = std::max(max_change, std::fabs(r - v));
    v = static_cast<float>(r);
  }
  if (max_change > 1e-2)
    fail("tensor '{}' is annotated {} but holds values up to {} away from it", name, dt.name(),
         max_change);
}

}  // namespace

Executor::Executor(const Model& model, ExecOptions options)
    : model_(model), options_(std::move(options)) {
  for (const auto& vi : model.graph().input())
    if (!model.has_initializer(vi.name())) inputs_.push_back(vi.name());
  for (const auto& init : model.graph().initializer())
    initializers_.emplace(init.name(), *model.initializer(init.name()));
  order_ = execution_order(model);
}

std::vector<std::string> Executor::output_names() const {
  return model_.graph_output_names();
}

std::unordered_map<std::string, Tensor> Executor::run_context(
    const std::vector<Tensor>& inputs) const {
  if (inputs.size() != inputs_.size())
    fail("the model takes {} input(s), {} given", inputs_.size(), inputs.size());
  std::unordered_map<std::string, Tensor> ctx;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string& name = inputs_[i];
    Tensor t = inputs[i];
    if (auto declared = model_.tensor_shape(name)) {
      bool fits = declared->size() == t.shape().size();
      for (std::size_t d = 0; fits && d < declared->size(); ++d)
        fits = (*declared)[d] < 0 || (*declared)[d] == t.shape()[d];
      if (!fits)
        fail("input '{}' expects shape {}, got {}", name, format_shape(*declared),
             format_shape(t.shape()));
    }
    if (auto et = model_.tensor_elem_type(name); et && *et != t.type()) t = t.astype(*et);
    ctx.emplace(name, std::move(t));
  }
  ExecOptions opts = options_;
  for (int idx : order_) {
    const auto& node = model_.node(idx);
    const OpDef& op = require_op(node);
    std::vector<const Tensor*> ins;
    for (const auto& in : node.input()) {
      if (in.empty()) {
        ins.push_back(nullptr);
        continue;
      }
      auto it = ctx.find(in);
      if (it != ctx.end()) {
        ins.push_back(&it->second);
        continue;
      }
      auto init = initializers_.find(in);
      if (init == initializers_.end())
        fail("{}: input tensor '{}' has no value (no producer, initializer or graph input)",
             describe(node), in);
      ins.push_back(&init->second);
    }
    if (opts.sanitize) {
      for (std::size_t i = 0; i < ins.size(); ++i)
        if (ins[i] && ctx.count(node.input(i))) sanitize(model_, node.input(i), ctx[node.input(i)]);
    }
    ExecContext ec{model_, node, ins, std::vector<Tensor>(node.output_size()), opts};
    try {
      op.execute(ec);
    } catch (const Error& e) {
      std::string msg = e.what();
      if (msg.rfind("node ", 0) == 0 || msg.rfind("an unnamed", 0) == 0) throw;
      fail("{}: {}", describe(node), msg);
    }
    for (int o = 0; o < node.output_size(); ++o) {
      if (node.output(o).empty()) continue;
      Tensor& t = ec.outputs[o];
      if (opts.sanitize) sanitize(model_, node.output(o), t);
      ctx[node.output(o)] = std::move(t);
    }
  }
  return ctx;
}

std::vector<Tensor> Executor::run(const std::vector<Tensor>& inputs) const {
  auto ctx = run_context(inputs);
  std::vector<Tensor> out;
  for (const auto& name : model_.graph_output_names()) {
    auto it = ctx.find(name);
    if (it != ctx.end()) {
      out.push_back(it->second);
      continue;
    }
    auto init = initializers_.find(name);
    if (init == initializers_.end()) fail("graph output '{}' was not computed", name);
    out.push_back(init->second);
  }
  return out;
}

std::vector<Tensor> execute(const Model& model, const std::vector<Tensor>& inputs,
                            ExecOptions options) {
  return Executor(model, std::move(options)).run(inputs);
}

}  // namespace shoal
