#include <algorithm>
#include <map>
#include <mutex>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/op.hpp"

namespace shoal {

void register_builtin_ops();  // ops/all_ops.cpp

namespace {

struct Registry {
  std::map<std::pair<Domain, std::string>, std::unique_ptr<OpDef>, std::less<>> ops;
};

Registry& registry_storage() {
  static Registry r;
  return r;
}

Registry& registry() {
  static std::once_flag once;
  std::call_once(once, [] { register_builtin_ops(); });
  return registry_storage();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

}  // namespace

AttrSpec int_attr(std::string name, int64_t dflt, bool required, std::vector<int64_t> allowed) {
  AttrSpec a;
  a.name = std::move(name);
  a.kind = AttrKind::Int;
  a.i = dflt;
  a.required = required;
  a.allowed_ints = std::move(allowed);
  return a;
}

AttrSpec int_range_attr(std::string name, int64_t dflt, int64_t min, int64_t max, bool required) {
  AttrSpec a = int_attr(std::move(name), dflt, required);
  a.min = min;
  a.max = max;
  return a;
}

AttrSpec float_attr(std::string name, float dflt, bool required) {
  AttrSpec a;
  a.name = std::move(name);
  a.kind = AttrKind::Float;
  a.f = dflt;
  a.required = required;
  return a;
}

AttrSpec string_attr(std::string name, std::string dflt, bool required,
                     std::vector<std::string> allowed) {
  AttrSpec a;
  a.name = std::move(name);
  a.kind = AttrKind::String;
  a.s = std::move(dflt);
  a.required = required;
  a.allowed_strings = std::move(allowed);
  return a;
}

AttrSpec ints_attr(std::string name, std::vector<int64_t> dflt, bool required) {
  AttrSpec a;
  a.name = std::move(name);
  a.kind = AttrKind::Ints;
  a.ints = std::move(dflt);
  a.required = required;
  return a;
}

const Tensor& ExecContext::in(std::size_t i) const {
  if (!has_input(i)) fail("{}: input {} is missing", describe(node), i);
  return *inputs[i];
}

std::vector<Shape> OpDef::infer_shapes(const onnx::NodeProto& node,
                                       const std::vector<std::optional<Shape>>&) const {
  fail("internal: no shape rule for {}", describe(node));
}

void OpDef::infer_datatypes(Model& model, int node_index) const {
  infer_standard_datatypes(model, node_index);
}

void infer_standard_datatypes(Model& model, int idx) {
  const auto& n = model.node(idx);
  const std::string& op = n.op_type();
  if (n.output_size() == 0) return;
  if (op == "Sign") {
    model.set_datatype(n.output(0), DataType::bipolar());
  } else if (op == "MatMul" || op == "Conv") {
    bool any_float = false, any_signed = false;
    for (const auto& in : n.input()) {
      if (in.empty()) continue;
      DataType dt = model.datatype(in);
      any_float |= dt.is_float();
      any_signed |= dt.is_signed();
    }
    DataType out = any_float    ? DataType::float32()
                   : any_signed ? DataType::sint(32)
                                : DataType::uint(32);
    model.set_datatype(n.output(0), out);
  } else if (op == "Reshape" || op == "Transpose" || op == "Flatten" || op == "Slice" ||
             op == "Gather" || op == "Identity") {
    model.set_datatype(n.output(0), model.datatype(n.input(0)));
  } else {
    // Unknown to the rule: keep an integer annotation, else FLOAT32 (dialect.md §3.2).
    for (const auto& o : n.output()) {
      if (o.empty()) continue;
      DataType dt = model.datatype(o);
      model.set_datatype(o, dt.is_float() ? DataType::float32() : dt);
    }
  }
}

void register_op(std::unique_ptr<OpDef> op) {
  auto key = std::make_pair(op->domain(), std::string(op->op_type()));
  registry_storage().ops[key] = std::move(op);
}

const OpDef* find_op(Domain domain, std::string_view op_type) {
  auto& r = registry();
  auto it = r.ops.find(std::make_pair(domain, std::string(op_type)));
  return it == r.ops.end() ? nullptr : it->second.get();
}

const OpDef* find_op(const onnx::NodeProto& node) {
  const OpDef* op = find_op(classify_domain(node.domain()), node.op_type());
  if (op && node.input_size() < op->min_inputs())
    fail("{}: has {} input(s), {} takes {}", describe(node), node.input_size(), node.op_type(),
         op->min_inputs());
  // Every op shoal knows gives at least one output, and its methods write output 0.
  if (op && node.output_size() == 0) fail("{}: has no outputs", describe(node));
  return op;
}

const OpDef& require_op(const onnx::NodeProto& node) {
  const OpDef* op = find_op(node);
  if (!op) {
    if (node.domain().empty()) fail("{}: op '{}' is not supported", describe(node), node.op_type());
    fail("{}: op '{}' of domain '{}' is not supported", describe(node), node.op_type(),
         node.domain());
  }
  return *op;
}

std::vector<const OpDef*> all_ops() {
  std::vector<const OpDef*> out;
  for (const auto& [k, v] : registry().ops) out.push_back(v.get());
  return out;
}

// --- NodeAttrs ---------------------------------------------------------------------------------

NodeAttrs::NodeAttrs(const onnx::NodeProto& node) : node_(node) {
  if (const OpDef* op = find_op(node)) specs_ = op->attr_specs();
}

bool NodeAttrs::declares(std::string_view name) const {
  return std::any_of(specs_.begin(), specs_.end(),
                     [&](const AttrSpec& s) { return s.name == name; });
}

const AttrSpec& NodeAttrs::spec(std::string_view name) const {
  for (const auto& s : specs_)
    if (s.name == name) return s;
  fail("{} has no attribute '{}'", describe(node_), name);
}

namespace {
void require_set(const onnx::NodeProto& n, const AttrSpec& s) {
  if (s.required && !has_attr(n, s.name))
    fail("{}: required attribute '{}' is not set", describe(n), s.name);
}
}  // namespace

namespace {
void check_range(const onnx::NodeProto& n, const AttrSpec& s, int64_t v) {
  if (v < s.min || v > s.max)
    fail("{}: attribute '{}' must be from {} to {} (got {})", describe(n), s.name, s.min, s.max, v);
}
}  // namespace

int64_t NodeAttrs::i(std::string_view name) const {
  const auto& s = spec(name);
  require_set(node_, s);
  int64_t v = attr_int(node_, name, s.i);
  if (has_attr(node_, name)) check_range(node_, s, v);
  return v;
}

float NodeAttrs::f(std::string_view name) const {
  const auto& s = spec(name);
  require_set(node_, s);
  return attr_float(node_, name, s.f);
}

std::string NodeAttrs::s(std::string_view name) const {
  const auto& s = spec(name);
  require_set(node_, s);
  return attr_string(node_, name, s.s);
}

std::vector<int64_t> NodeAttrs::ints(std::string_view name) const {
  const auto& s = spec(name);
  require_set(node_, s);
  return attr_ints(node_, name, s.ints);
}

namespace {
const AttrSpec& spec_for_set(const onnx::NodeProto& node, std::string_view name,
                             std::vector<AttrSpec>& storage) {
  const OpDef* op = find_op(node);
  if (op) storage = op->attr_specs();
  for (const auto& s : storage)
    if (s.name == name) return s;
  fail("{} has no attribute '{}'", describe(node), name);
}
}  // namespace

void set_node_attr(onnx::NodeProto& node, std::string_view name, int64_t v) {
  std::vector<AttrSpec> storage;
  const auto& s = spec_for_set(node, name, storage);
  if (s.kind != AttrKind::Int) fail("{}: attribute '{}' is not an integer", describe(node), name);
  if (!s.allowed_ints.empty() &&
      std::find(s.allowed_ints.begin(), s.allowed_ints.end(), v) == s.allowed_ints.end()) {
    std::vector<std::string> allowed;
    for (auto a : s.allowed_ints) allowed.push_back(std::to_string(a));
    fail("{}: attribute '{}' must be one of {} (got {})", describe(node), name, join(allowed), v);
  }
  check_range(node, s, v);
  set_attr(node, name, v);
}

void set_node_attr(onnx::NodeProto& node, std::string_view name, const std::string& v) {
  std::vector<AttrSpec> storage;
  const auto& s = spec_for_set(node, name, storage);
  if (s.kind != AttrKind::String) fail("{}: attribute '{}' is not a string", describe(node), name);
  if (!s.allowed_strings.empty() &&
      std::find(s.allowed_strings.begin(), s.allowed_strings.end(), v) == s.allowed_strings.end())
    fail("{}: attribute '{}' must be one of {} (got '{}')", describe(node), name,
         join(s.allowed_strings), v);
  set_attr(node, name, v);
}

void set_node_attr(onnx::NodeProto& node, std::string_view name, const std::vector<int64_t>& v) {
  std::vector<AttrSpec> storage;
  const auto& s = spec_for_set(node, name, storage);
  if (s.kind != AttrKind::Ints)
    fail("{}: attribute '{}' is not a list of integers", describe(node), name);
  set_attr(node, name, v);
}

const Shape& OpDef::input_shape(const onnx::NodeProto& node,
                                const std::vector<std::optional<Shape>>& inputs, std::size_t i) {
  if (i >= inputs.size())
    fail("{}: has {} input(s), needs at least {}", describe(node), inputs.size(), i + 1);
  if (!inputs[i]) fail("{}: input shape unknown", describe(node));
  return *inputs[i];
}

}  // namespace shoal
