// The op registry: everything the flow knows about one op type lives in one OpDef, defined
// in one file of libcommon/ops/ (DESIGN.md §2).
#pragma once

#include "shoal/core/onnx_proto.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/core/datatype.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

enum class AttrKind { Int, Float, String, Ints, Floats, Strings };

// One attribute of a custom op as FINN declares it: name -> (type, required, default,
// allowed values).
struct AttrSpec {
  std::string name;
  AttrKind kind = AttrKind::Int;
  bool required = false;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<std::string> allowed_strings;
  std::vector<int64_t> allowed_ints;
  // For Int attributes: the value must lie in [min, max] when set (shoal's limits, where
  // FINN has none: a FIFO depth of 2^62 would take the machine down in simulation).
  int64_t min = INT64_MIN;
  int64_t max = INT64_MAX;
};

AttrSpec int_attr(std::string name, int64_t dflt, bool required = false,
                  std::vector<int64_t> allowed = {});
// An Int attribute whose value, when set, must lie in [min, max].
AttrSpec int_range_attr(std::string name, int64_t dflt, int64_t min, int64_t max,
                        bool required = false);
AttrSpec float_attr(std::string name, float dflt, bool required = false);
AttrSpec string_attr(std::string name, std::string dflt, bool required = false,
                     std::vector<std::string> allowed = {});
AttrSpec ints_attr(std::string name, std::vector<int64_t> dflt, bool required = false);

struct ExecOptions;

// What an op sees while executing: its node, input tensors (nullptr for an omitted optional
// input) and the output slots it must fill.
struct ExecContext {
  const Model& model;
  const onnx::NodeProto& node;
  std::vector<const Tensor*> inputs;
  std::vector<Tensor> outputs;
  const ExecOptions& options;

  bool has_input(std::size_t i) const { return i < inputs.size() && inputs[i] != nullptr; }
  const Tensor& in(std::size_t i) const;
};

class OpDef {
 public:
  virtual ~OpDef() = default;
  virtual std::string_view op_type() const = 0;
  virtual Domain domain() const { return Domain::Standard; }
  // The inputs every node of the op has (find_op refuses a node with fewer, so that no
  // method meets a missing one; it refuses a node without outputs too). Standard ops leave
  // arity to ONNX's checks: 0.
  virtual int min_inputs() const { return 0; }
  virtual std::vector<AttrSpec> attr_specs() const { return {}; }

  virtual void execute(ExecContext& ctx) const = 0;

  // Output shapes of a custom op from its input shapes (nullopt = unknown). Standard ops
  // are left to ONNX's own shape inference and never call this.
  virtual std::vector<Shape> infer_shapes(const onnx::NodeProto& node,
                                          const std::vector<std::optional<Shape>>& inputs) const;
  // Input i's shape, for infer_shapes: an Error when the node has no input i (a broken model
  // may give an op fewer inputs than it takes) or its shape is unknown.
  static const Shape& input_shape(const onnx::NodeProto& node,
                                  const std::vector<std::optional<Shape>>& inputs, std::size_t i);
  // Element type of each output of a custom op (float by default).
  virtual ElemType output_elem_type(const onnx::NodeProto& node, int output) const {
    return ElemType::Float;
  }
  // Sets the datatype annotations of the node's outputs (InferDataTypes, dialect.md §3.2).
  // The default is the rule for standard ops.
  virtual void infer_datatypes(Model& model, int node_index) const;
};

// Applies the InferDataTypes rule for standard ops to one node.
void infer_standard_datatypes(Model& model, int node_index);

// Finds the op of a node; nullptr if no op is registered for its domain and type.
const OpDef* find_op(const onnx::NodeProto& node);
const OpDef* find_op(Domain domain, std::string_view op_type);
// As find_op, but an Error names the node and its op when none is registered.
const OpDef& require_op(const onnx::NodeProto& node);
std::vector<const OpDef*> all_ops();

// Typed attribute access with the op's declared defaults (FINN's get_nodeattr): an unset
// optional attribute reads as its default, an unset required one is an Error naming the node.
class NodeAttrs {
 public:
  explicit NodeAttrs(const onnx::NodeProto& node);
  int64_t i(std::string_view name) const;
  float f(std::string_view name) const;
  std::string s(std::string_view name) const;
  std::vector<int64_t> ints(std::string_view name) const;
  DataType dt(std::string_view name) const { return DataType::from_name(s(name)); }
  const AttrSpec& spec(std::string_view name) const;
  bool declares(std::string_view name) const;

 private:
  const onnx::NodeProto& node_;
  std::vector<AttrSpec> specs_;
};

// FINN's set_nodeattr: an attribute the op does not declare, or a value outside the allowed
// set, is an Error naming the node, the attribute and the allowed values.
void set_node_attr(onnx::NodeProto& node, std::string_view name, int64_t v);
void set_node_attr(onnx::NodeProto& node, std::string_view name, const std::string& v);
void set_node_attr(onnx::NodeProto& node, std::string_view name, const std::vector<int64_t>& v);

// Registration (called once from the registry; one function per op file).
void register_op(std::unique_ptr<OpDef> op);

// An op defined by a function only (most standard ops).
class FunctionOp : public OpDef {
 public:
  using Fn = std::function<void(ExecContext&)>;
  FunctionOp(std::string op_type, Fn fn, Domain domain = Domain::Standard)
      : op_type_(std::move(op_type)), fn_(std::move(fn)), domain_(domain) {}
  std::string_view op_type() const override { return op_type_; }
  Domain domain() const override { return domain_; }
  void execute(ExecContext& ctx) const override { fn_(ctx); }

 private:
  std::string op_type_;
  Fn fn_;
  Domain domain_;
};

}  // namespace shoal
