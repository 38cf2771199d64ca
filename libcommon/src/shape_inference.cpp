#include "shoal/shape_inference.hpp"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <mutex>
#include <set>

#include "shoal/attrs.hpp"
#include "shoal/error.hpp"
#include "shoal/op.hpp"
#include "shoal/shape_rules.hpp"

namespace shoal {
namespace {

const std::vector<std::string>& domains_of(Domain d) {
  static const std::vector<std::string> general = {"finn.custom_op.general",
                                                   "qonnx.custom_op.general", "onnx.brevitas"};
  static const std::vector<std::string> dataflow = {"finn.custom_op.fpgadataflow"};
  static const std::vector<std::string> none;
  return d == Domain::General ? general : d == Domain::Dataflow ? dataflow : none;
}

// Rebuilds the node attributes an op declares from the inference context.
onnx::NodeProto node_from_context(const OpDef& op, onnx::InferenceContext& ctx) {
  onnx::NodeProto n;
  n.set_op_type(std::string(op.op_type()));
  for (const auto& spec : op.attr_specs())
    if (const auto* a = ctx.getAttribute(spec.name)) *n.add_attribute() = *a;
  for (std::size_t i = 0; i < ctx.getNumInputs(); ++i) n.add_input("in" + std::to_string(i));
  for (std::size_t i = 0; i < ctx.getNumOutputs(); ++i) n.add_output("out" + std::to_string(i));
  return n;
}

void infer_custom(const OpDef* op, onnx::InferenceContext& ctx) {
  std::vector<std::optional<Shape>> ins;
  for (std::size_t i = 0; i < ctx.getNumInputs(); ++i) {
    const onnx::TypeProto* t = ctx.getInputType(i);
    if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape()) {
      ins.emplace_back(std::nullopt);
      continue;
    }
    Shape s;
    for (const auto& d : t->tensor_type().shape().dim())
      s.push_back(d.has_dim_value() ? d.dim_value() : -1);
    ins.emplace_back(s);
  }
  onnx::NodeProto node = node_from_context(*op, ctx);
  std::vector<Shape> outs;
  try {
    outs = op->infer_shapes(node, ins);
  } catch (const Error& e) {
    fail_shape_inference(e.what());
  }
  for (std::size_t o = 0; o < outs.size() && o < ctx.getNumOutputs(); ++o) {
    auto* tt = ctx.getOutputType(o)->mutable_tensor_type();
    tt->set_elem_type(static_cast<int32_t>(op->output_elem_type(node, static_cast<int>(o))));
    auto* sh = tt->mutable_shape();
    sh->clear_dim();
    for (auto d : outs[o]) {
      auto* dim = sh->add_dim();
      if (d >= 0) dim->set_dim_value(d);
    }
  }
}

}  // namespace

void register_onnx_schemas() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (Domain d : {Domain::General, Domain::Dataflow})
      for (const auto& dom : domains_of(d))
        onnx::OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(dom, 1, 1);
    for (const OpDef* op : all_ops()) {
      if (op->domain() == Domain::Standard) continue;
      for (const auto& dom : domains_of(op->domain())) {
        onnx::OpSchema schema;
        schema.SetName(std::string(op->op_type()))
            .SetDomain(dom)
            .SinceVersion(1)
            .AllowUncheckedAttributes()
            .Input(0, "inputs", "", "T", onnx::OpSchema::Variadic, false, 0)
            .Output(0, "outputs", "", "U", onnx::OpSchema::Variadic, false, 1)
            .TypeConstraint("T", onnx::OpSchema::all_tensor_types(), "")
            .TypeConstraint("U", onnx::OpSchema::all_tensor_types(), "")
            .TypeAndShapeInferenceFunction(
                [op](onnx::InferenceContext& ctx) { infer_custom(op, ctx); })
            .SetLocation(__FILE__, __LINE__);
        onnx::OpSchemaRegistry::OpSchemaRegisterOnce reg(schema);
      }
    }
  });
}

void infer_shapes(Model& model) {
  if (infer_shapes_fast(model)) return;
  infer_shapes_onnx(model);
}

void infer_shapes_onnx(Model& model) {
  register_onnx_schemas();
  onnx::ModelProto work = model.proto();
  {
    Model tmp(std::move(work));
    tmp.declare_custom_domains();
    work = std::move(tmp.proto());
  }
  auto* g = work.mutable_graph();
  g->clear_value_info();
  // Graph outputs are inferred afresh (a wrongly declared type or shape would only clash).
  for (auto& out : *g->mutable_output()) out.clear_type();
  onnx::ShapeInferenceOptions options(false, 0, true);
  try {
    onnx::shape_inference::InferShapes(work, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    fail("shape inference failed: {}", e.what());
  }

  std::map<std::string, const onnx::ValueInfoProto*> inferred;
  for (const auto& vi : work.graph().value_info()) inferred[vi.name()] = &vi;
  for (const auto& vi : work.graph().output()) inferred[vi.name()] = &vi;
  auto has_shape = [](const onnx::ValueInfoProto* vi) {
    return vi && vi->type().has_tensor_type() && vi->type().tensor_type().has_shape();
  };

  onnx::GraphProto& mg = model.graph();
  std::map<std::string, onnx::ValueInfoProto> previous;
  for (const auto& vi : mg.value_info()) previous[vi.name()] = vi;
  std::set<std::string> io;
  for (const auto& vi : mg.input()) io.insert(vi.name());
  for (auto& vi : *mg.mutable_output()) {
    io.insert(vi.name());
    auto it = inferred.find(vi.name());
    if (it != inferred.end() && has_shape(it->second)) *vi.mutable_type() = it->second->type();
  }

  google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> fresh;
  std::set<std::string> done;
  auto add = [&](const std::string& name, const onnx::ValueInfoProto* vi) {
    if (name.empty() || io.count(name) || !done.insert(name).second) return;
    if (has_shape(vi))
      *fresh.Add() = *vi;
    else if (auto p = previous.find(name); p != previous.end())
      *fresh.Add() = p->second;
  };
  for (const auto& n : mg.node())
    for (const auto& o : n.output()) {
      auto it = inferred.find(o);
      add(o, it == inferred.end() ? nullptr : it->second);
    }
  for (const auto& init : mg.initializer()) {
    if (io.count(init.name()) || done.count(init.name())) continue;
    onnx::ValueInfoProto vi;
    vi.set_name(init.name());
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(init.data_type());
    auto* sh = tt->mutable_shape();
    for (auto d : init.dims()) sh->add_dim()->set_dim_value(d);
    add(init.name(), &vi);
  }
  // Keep value_info of tensors that nothing above covers (e.g. consumed graph-level values).
  for (const auto& [name, vi] : previous)
    if (!done.count(name) && !io.count(name) && model.tensor_exists(name)) {
      bool used = false;
      for (const auto& n : mg.node())
        for (const auto& i : n.input()) used |= i == name;
      if (used) {
        done.insert(name);
        *fresh.Add() = vi;
      }
    }
  mg.mutable_value_info()->Swap(&fresh);
}

}  // namespace shoal
