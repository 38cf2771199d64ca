#include "shoal/core/attrs.hpp"

#include "shoal/core/error.hpp"
#include "shoal/core/tensor_proto.hpp"

namespace shoal {

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, std::string_view name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

bool has_attr(const onnx::NodeProto& n, std::string_view name) {
  return find_attr(n, name) != nullptr;
}

int64_t attr_int(const onnx::NodeProto& n, std::string_view name, int64_t dflt) {
  const auto* a = find_attr(n, name);
  if (!a) return dflt;
  if (a->type() == onnx::AttributeProto::FLOAT)
    return integral_value(a->f(), describe(n) + ": attribute '" + std::string(name) + "'");
  return a->i();
}

float attr_float(const onnx::NodeProto& n, std::string_view name, float dflt) {
  const auto* a = find_attr(n, name);
  if (!a) return dflt;
  if (a->type() == onnx::AttributeProto::INT) return static_cast<float>(a->i());
  return a->f();
}

std::string attr_string(const onnx::NodeProto& n, std::string_view name, std::string_view dflt) {
  const auto* a = find_attr(n, name);
  return a ? a->s() : std::string(dflt);
}

std::vector<int64_t> attr_ints(const onnx::NodeProto& n, std::string_view name,
                               std::vector<int64_t> dflt) {
  const auto* a = find_attr(n, name);
  if (!a) return dflt;
  return {a->ints().begin(), a->ints().end()};
}

std::vector<float> attr_floats(const onnx::NodeProto& n, std::string_view name,
                               std::vector<float> dflt) {
  const auto* a = find_attr(n, name);
  if (!a) return dflt;
  return {a->floats().begin(), a->floats().end()};
}

std::optional<Tensor> attr_tensor(const onnx::NodeProto& n, std::string_view name) {
  const auto* a = find_attr(n, name);
  if (!a || !a->has_t()) return std::nullopt;
  return tensor_from_proto(a->t());
}

namespace {
onnx::AttributeProto& slot(onnx::NodeProto& n, std::string_view name) {
  for (auto& a : *n.mutable_attribute())
    if (a.name() == name) {
      std::string keep(name);
      a.Clear();
      a.set_name(keep);
      return a;
    }
  auto* a = n.add_attribute();
  a->set_name(std::string(name));
  return *a;
}
}  // namespace

void set_attr(onnx::NodeProto& n, std::string_view name, int64_t v) {
  auto& a = slot(n, name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(v);
}
void set_attr(onnx::NodeProto& n, std::string_view name, int v) {
  set_attr(n, name, int64_t{v});
}
void set_attr(onnx::NodeProto& n, std::string_view name, float v) {
  auto& a = slot(n, name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(v);
}
void set_attr(onnx::NodeProto& n, std::string_view name, const std::string& v) {
  auto& a = slot(n, name);
  a.set_type(onnx::AttributeProto::STRING);
  a.set_s(v);
}
void set_attr(onnx::NodeProto& n, std::string_view name, const char* v) {
  set_attr(n, name, std::string(v));
}
void set_attr(onnx::NodeProto& n, std::string_view name, const std::vector<int64_t>& v) {
  auto& a = slot(n, name);
  a.set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a.add_ints(x);
}
void set_attr(onnx::NodeProto& n, std::string_view name, const std::vector<float>& v) {
  auto& a = slot(n, name);
  a.set_type(onnx::AttributeProto::FLOATS);
  for (auto x : v) a.add_floats(x);
}

void remove_attr(onnx::NodeProto& n, std::string_view name) {
  auto* attrs = n.mutable_attribute();
  for (int i = 0; i < attrs->size(); ++i)
    if (attrs->Get(i).name() == name) {
      attrs->erase(attrs->begin() + i);
      return;
    }
}

onnx::NodeProto make_node(std::string op_type, std::vector<std::string> inputs,
                          std::vector<std::string> outputs, std::string domain, std::string name) {
  onnx::NodeProto n;
  n.set_op_type(std::move(op_type));
  for (auto& i : inputs) n.add_input(std::move(i));
  for (auto& o : outputs) n.add_output(std::move(o));
  if (!domain.empty()) n.set_domain(std::move(domain));
  if (!name.empty()) n.set_name(std::move(name));
  return n;
}

std::string describe(const onnx::NodeProto& n) {
  if (n.name().empty()) return "an unnamed " + n.op_type() + " node";
  return "node '" + n.name() + "' (" + n.op_type() + ")";
}

}  // namespace shoal
