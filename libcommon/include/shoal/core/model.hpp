// The model container every tool works on: an ONNX ModelProto plus FINN's ModelWrapper
// behaviours (dialect.md §1.3-1.5): graph queries, initializers as tensors, shapes,
// datatype and layout annotations, renaming.
#pragma once

#include "shoal/core/onnx_proto.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shoal/core/datatype.hpp"
#include "shoal/core/tensor.hpp"

namespace shoal {

// Canonical domains written by shoal (FINN v0.6 names).
inline constexpr const char* kGeneralDomain = "finn.custom_op.general";
inline constexpr const char* kDataflowDomain = "finn.custom_op.fpgadataflow";

enum class Domain { Standard, General, Dataflow, Unknown };
// "" and "ai.onnx" are standard; finn/qonnx general domains and onnx.brevitas are General;
// finn.custom_op.fpgadataflow is Dataflow.
Domain classify_domain(std::string_view domain);

class Model {
 public:
  Model();
  explicit Model(onnx::ModelProto proto, std::filesystem::path path = {});

  // Loads from a file ("-" = stdin). Errors name the file: empty, truncated or not ONNX.
  static Model load(const std::string& path);
  static Model parse(std::string_view bytes, const std::string& what);
  // Writes atomically ("-" = stdout, refused when stdout is a terminal). Declares the custom
  // domains in use in opset_import first, so the file passes onnx::checker.
  void save(const std::string& path);
  std::string serialize() const;
  void declare_custom_domains();

  onnx::ModelProto& proto() { return proto_; }
  const onnx::ModelProto& proto() const { return proto_; }
  onnx::GraphProto& graph() { return *proto_.mutable_graph(); }
  const onnx::GraphProto& graph() const { return proto_.graph(); }
  // Where the model was loaded from or saved to; relative paths stored in the model
  // (child models, generated RTL) resolve against its directory.
  const std::filesystem::path& path() const { return path_; }
  void set_path(std::filesystem::path p) { path_ = std::move(p); }
  std::filesystem::path directory() const;
  // The default-domain opset version.
  int64_t opset_version() const;

  // --- nodes -------------------------------------------------------------------------------
  int node_count() const { return graph().node_size(); }
  onnx::NodeProto& node(int i) { return *graph().mutable_node(i); }
  const onnx::NodeProto& node(int i) const { return graph().node(i); }
  int find_node(std::string_view name) const;  // -1 if absent
  // Index of the node producing `tensor`, or -1.
  int producer(std::string_view tensor) const;
  // Nodes reading `tensor` on any input, in graph order.
  std::vector<int> consumers(std::string_view tensor) const;
  // FINN's find_consumer: the first node whose input[0] is `tensor`, or -1.
  int find_consumer(std::string_view tensor) const;
  std::vector<int> successors(int node) const;
  std::vector<int> predecessors(int node) const;
  // More than one successor node over all outputs.
  bool is_fork(int node) const;
  // More than one predecessor node (initializers and graph inputs don't count).
  bool is_join(int node) const;
  void remove_node(int node);
  // Inserts at position `pos` and returns a reference to the inserted node.
  onnx::NodeProto& insert_node(int pos, onnx::NodeProto node);
  // Unique node name as FINN names nodes: "<prefix><op_type>_<k>".
  std::vector<std::string> graph_input_names() const;
  std::vector<std::string> graph_output_names() const;
  bool is_graph_input(std::string_view name) const;
  bool is_graph_output(std::string_view name) const;

  // --- initializers --------------------------------------------------------------------------
  bool has_initializer(std::string_view name) const;
  const onnx::TensorProto* initializer_proto(std::string_view name) const;
  std::optional<Tensor> initializer(std::string_view name) const;
  // Replaces or adds the initializer and, as FINN does, a ValueInfo with its shape.
  void set_initializer(const std::string& name, const Tensor& value);
  void remove_initializer(std::string_view name);

  // --- shapes --------------------------------------------------------------------------------
  // From value_info / graph inputs / outputs, else the initializer's dims. Unknown dims
  // are -1. nullopt when nothing records a shape.
  std::optional<Shape> tensor_shape(std::string_view name) const;
  // Shape that must be known and static; an Error names the tensor otherwise.
  Shape static_shape(std::string_view name) const;
  std::optional<ElemType> tensor_elem_type(std::string_view name) const;
  void set_tensor_shape(const std::string& name, const Shape& shape,
                        ElemType type = ElemType::Float);
  const onnx::ValueInfoProto* value_info(std::string_view name) const;

  // --- annotations ---------------------------------------------------------------------------
  // finn_datatype annotation; FLOAT32 when absent. An unknown name is an Error naming the
  // tensor and the datatype.
  DataType datatype(std::string_view tensor) const;
  bool has_datatype_annotation(std::string_view tensor) const;
  void set_datatype(const std::string& tensor, const DataType& dt);
  std::optional<std::vector<std::string>> layout(std::string_view tensor) const;
  void set_layout(const std::string& tensor, const std::vector<std::string>& layout);
  std::optional<std::string> annotation(std::string_view tensor, std::string_view key) const;
  void set_annotation(const std::string& tensor, const std::string& key, const std::string& value);

  // --- names ---------------------------------------------------------------------------------
  // A tensor name not used anywhere in the graph (deterministic, unlike FINN's random names).
  std::string fresh_tensor_name(std::string_view stem = "tensor");
  // Renames a tensor everywhere: node i/o, initializers, value_info, graph i/o, annotations.
  void rename_tensor(std::string from, std::string to);
  bool tensor_exists(std::string_view name) const;

  // --- metadata ------------------------------------------------------------------------------
  std::optional<std::string> metadata(std::string_view key) const;
  void set_metadata(const std::string& key, const std::string& value);

 private:
  onnx::ModelProto proto_;
  std::filesystem::path path_;
  int64_t fresh_counter_ = 0;
};

}  // namespace shoal
