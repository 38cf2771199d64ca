#include "shoal/core/model.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/tensor_proto.hpp"

namespace shoal {
namespace fs = std::filesystem;

Domain classify_domain(std::string_view d) {
  if (d.empty() || d == "ai.onnx") return Domain::Standard;
  if (d == "finn.custom_op.fpgadataflow") return Domain::Dataflow;
  if (d == "finn" || d == "finn.custom_op.general" || d == "qonnx.custom_op.general" ||
      d == "onnx.brevitas")
    return Domain::General;
  return Domain::Unknown;
}

Model::Model() {
  proto_.set_ir_version(8);
  auto* op = proto_.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  proto_.mutable_graph();
}

Model::Model(onnx::ModelProto proto, fs::path path)
    : proto_(std::move(proto)), path_(std::move(path)) {}

namespace {

// FINN's temporary_fix_oldstyle_domain: the legacy domain "finn" becomes the dataflow
// domain for nodes with backend="fpgadataflow", else the general domain.
void fix_legacy_domains(onnx::GraphProto& g) {
  for (auto& n : *g.mutable_node()) {
    if (n.domain() != "finn") continue;
    bool dataflow = false;
    for (const auto& a : n.attribute())
      if (a.name() == "backend" && a.s() == "fpgadataflow") dataflow = true;
    n.set_domain(dataflow ? kDataflowDomain : kGeneralDomain);
  }
}

void check_tensor_limits(const onnx::TensorProto& t, const std::string& what) {
  for (auto d : t.dims())
    if (d < 0) fail("{}: tensor '{}' has a negative dimension {}", what, t.name(), d);
  // Unsupported element types fail where the tensor is read; size them as bytes here.
  ElemType type = is_supported_elem_type(t.data_type()) ? static_cast<ElemType>(t.data_type())
                                                        : ElemType::UInt8;
  checked_element_count(Shape(t.dims().begin(), t.dims().end()), type,
                        fmt::format("{}: tensor '{}'", what, t.name()));
}

void check_value_info_limits(const onnx::ValueInfoProto& vi, const std::string& what) {
  if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
  Shape known;
  for (const auto& d : vi.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value()) continue;
    if (d.dim_value() < 0)
      fail("{}: tensor '{}' declares a negative dimension {}", what, vi.name(), d.dim_value());
    known.push_back(d.dim_value());
  }
  int32_t code = vi.type().tensor_type().elem_type();
  ElemType type = is_supported_elem_type(code) ? static_cast<ElemType>(code) : ElemType::UInt8;
  checked_element_count(known, type, fmt::format("{}: tensor '{}'", what, vi.name()));
}

void check_attribute_limits(const onnx::NodeProto& n, const onnx::AttributeProto& a,
                            const std::string& what) {
  int64_t values = std::max({a.ints_size(), a.floats_size(), a.strings_size(), a.tensors_size(),
                             a.graphs_size(), a.sparse_tensors_size(), a.type_protos_size()});
  if (values > kMaxAttributeValues)
    fail("{}: {}: attribute '{}' holds {} values, more than the {} an attribute may hold", what,
         describe(n), a.name(), values, kMaxAttributeValues);
  auto check_string = [&](const std::string& v) {
    if (static_cast<int64_t>(v.size()) > kMaxAttributeBytes)
      fail(
          "{}: {}: attribute '{}' holds a string of {} bytes, more than the {} an attribute "
          "may hold",
          what, describe(n), a.name(), v.size(), kMaxAttributeBytes);
  };
  check_string(a.s());
  for (const auto& v : a.strings()) check_string(v);
  if (a.has_t()) check_tensor_limits(a.t(), what);
  for (const auto& t : a.tensors()) check_tensor_limits(t, what);
}

// Sizes and nesting a model may ask for (limits.hpp), checked once at load so that no later
// step allocates or recurses on a hostile file's say-so. Subgraphs are walked with an
// explicit stack: their nesting is what is being limited.
void check_model_limits(const onnx::GraphProto& main, const std::string& what) {
  std::vector<std::pair<const onnx::GraphProto*, int>> todo{{&main, 0}};
  while (!todo.empty()) {
    auto [g, depth] = todo.back();
    todo.pop_back();
    for (const auto& t : g->initializer()) check_tensor_limits(t, what);
    for (const auto* list : {&g->input(), &g->value_info(), &g->output()})
      for (const auto& vi : *list) check_value_info_limits(vi, what);
    for (const auto& n : g->node())
      for (const auto& a : n.attribute()) {
        check_attribute_limits(n, a, what);
        std::vector<const onnx::GraphProto*> subgraphs;
        if (a.has_g()) subgraphs.push_back(&a.g());
        for (const auto& sg : a.graphs()) subgraphs.push_back(&sg);
        if (!subgraphs.empty() && depth + 1 > kMaxGraphNesting)
          fail("{}: {}: subgraphs nest deeper than {} levels", what, describe(n), kMaxGraphNesting);
        for (const auto* sg : subgraphs) todo.emplace_back(sg, depth + 1);
      }
  }
}

// ONNX graphs are in single-assignment form: a tensor has one definition. A graph that
// defines one twice means nothing (which value would a consumer see?), and transforms that
// iterate to a fixpoint, such as datatype inference, went back and forth between the two
// definitions without end.
void check_single_definitions(const onnx::GraphProto& g, const std::string& what) {
  std::unordered_map<std::string, std::string> defined;
  for (const auto& vi : g.input()) defined.emplace(vi.name(), "a graph input");
  // An initializer may also be listed as a graph input (IR version 3 required it).
  for (const auto& t : g.initializer()) defined.emplace(t.name(), "an initializer");
  for (const auto& n : g.node())
    for (const auto& o : n.output()) {
      if (o.empty()) continue;
      auto [it, fresh] = defined.emplace(o, describe(n));
      if (!fresh)
        fail("{}: tensor '{}' is defined twice, by {} and by {}", what, o, it->second, describe(n));
    }
}

}  // namespace

Model Model::parse(std::string_view bytes, const std::string& what) {
  if (bytes.empty()) fail("{}: empty file, not an ONNX model", what);
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX))
    fail("{}: {} bytes, more than the 2 GiB a protobuf (ONNX) file can hold", what, bytes.size());
  onnx::ModelProto proto;
  google::protobuf::io::ArrayInputStream raw(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&raw);
  coded.SetTotalBytesLimit(INT32_MAX);
  if (!proto.ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage())
    fail("{}: not an ONNX model (truncated or corrupt protobuf)", what);
  if (!proto.has_graph() || proto.ir_version() <= 0 || proto.opset_import_size() == 0)
    fail("{}: not an ONNX model (no graph, IR version or opset)", what);
  for (const auto& n : proto.graph().node())
    if (n.op_type().empty()) fail("{}: not an ONNX model (a node has no op_type)", what);
  check_model_limits(proto.graph(), what);
  check_single_definitions(proto.graph(), what);
  fix_legacy_domains(*proto.mutable_graph());
  return Model(std::move(proto), what == "standard input" ? fs::path() : fs::path(what));
}

Model Model::load(const std::string& path) {
  return parse(read_file(path), path == "-" ? "standard input" : path);
}

void Model::declare_custom_domains() {
  // onnx::checker requires a graph name.
  if (graph().name().empty()) graph().set_name("main_graph");
  std::set<std::string> used;
  for (const auto& n : graph().node())
    if (classify_domain(n.domain()) != Domain::Standard) used.insert(n.domain());
  // Drop custom-domain imports no node uses any more (e.g. onnx.brevitas after conversion).
  auto* imports = proto_.mutable_opset_import();
  for (int i = imports->size() - 1; i >= 0; --i) {
    const std::string& d = imports->Get(i).domain();
    if (classify_domain(d) != Domain::Standard && !used.count(d))
      imports->erase(imports->begin() + i);
  }
  std::set<std::string> declared;
  for (const auto& op : proto_.opset_import()) declared.insert(op.domain());
  for (const auto& n : graph().node()) {
    if (classify_domain(n.domain()) == Domain::Standard) continue;
    if (declared.insert(n.domain()).second) {
      auto* op = proto_.add_opset_import();
      op->set_domain(n.domain());
      op->set_version(1);
    }
  }
}

std::string Model::serialize() const {
  // One exactly sized buffer (see read_file for why), deterministic field order.
  std::string out(proto_.ByteSizeLong(), '\0');
  {
    google::protobuf::io::ArrayOutputStream raw(out.data(), static_cast<int>(out.size()));
    google::protobuf::io::CodedOutputStream coded(&raw);
    coded.SetSerializationDeterministic(true);
    proto_.SerializeWithCachedSizes(&coded);
  }
  return out;
}

void Model::save(const std::string& path) {
  if (path == "-" && stdout_is_terminal())
    fail("refusing to write a binary ONNX model to a terminal (use -o FILE or a pipe)");
  declare_custom_domains();
  write_file_atomic(path, serialize());
  if (path != "-") path_ = path;
}

fs::path Model::directory() const {
  if (path_.empty()) return fs::current_path();
  fs::path dir = path_.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

int64_t Model::opset_version() const {
  for (const auto& op : proto_.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") return op.version();
  return 1;
}

// --- nodes ---------------------------------------------------------------------------------

int Model::find_node(std::string_view name) const {
  for (int i = 0; i < node_count(); ++i)
    if (node(i).name() == name) return i;
  return -1;
}

int Model::producer(std::string_view t) const {
  if (t.empty()) return -1;
  for (int i = 0; i < node_count(); ++i)
    for (const auto& o : node(i).output())
      if (o == t) return i;
  return -1;
}

std::vector<int> Model::consumers(std::string_view t) const {
  std::vector<int> out;
  if (t.empty()) return out;
  for (int i = 0; i < node_count(); ++i)
    for (const auto& in : node(i).input())
      if (in == t) {
        out.push_back(i);
        break;
      }
  return out;
}

int Model::find_consumer(std::string_view t) const {
  for (int i = 0; i < node_count(); ++i)
    if (node(i).input_size() > 0 && node(i).input(0) == t) return i;
  return -1;
}

std::vector<int> Model::successors(int n) const {
  std::vector<int> out;
  for (const auto& o : node(n).output())
    for (int c : consumers(o))
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

std::vector<int> Model::predecessors(int n) const {
  std::vector<int> out;
  for (const auto& in : node(n).input()) {
    int p = producer(in);
    if (p >= 0 && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

bool Model::is_fork(int n) const {
  std::size_t count = 0;
  for (const auto& o : node(n).output()) count += consumers(o).size();
  return count > 1;
}

bool Model::is_join(int n) const {
  return predecessors(n).size() > 1;
}

void Model::remove_node(int n) {
  auto* nodes = graph().mutable_node();
  nodes->erase(nodes->begin() + n);
}

onnx::NodeProto& Model::insert_node(int pos, onnx::NodeProto n) {
  auto* nodes = graph().mutable_node();
  nodes->Add(std::move(n));
  for (int i = nodes->size() - 1; i > pos; --i) nodes->SwapElements(i, i - 1);
  return *nodes->Mutable(pos);
}

std::vector<std::string> Model::graph_input_names() const {
  std::vector<std::string> out;
  for (const auto& vi : graph().input()) out.push_back(vi.name());
  return out;
}

std::vector<std::string> Model::graph_output_names() const {
  std::vector<std::string> out;
  for (const auto& vi : graph().output()) out.push_back(vi.name());
  return out;
}

bool Model::is_graph_input(std::string_view name) const {
  for (const auto& vi : graph().input())
    if (vi.name() == name) return true;
  return false;
}

bool Model::is_graph_output(std::string_view name) const {
  for (const auto& vi : graph().output())
    if (vi.name() == name) return true;
  return false;
}

// --- initializers --------------------------------------------------------------------------

const onnx::TensorProto* Model::initializer_proto(std::string_view name) const {
  for (const auto& t : graph().initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

bool Model::has_initializer(std::string_view name) const {
  return initializer_proto(name) != nullptr;
}

std::optional<Tensor> Model::initializer(std::string_view name) const {
  const auto* p = initializer_proto(name);
  if (!p) return std::nullopt;
  return tensor_from_proto(*p);
}

void Model::set_initializer(const std::string& name, const Tensor& value) {
  auto proto = tensor_to_proto(value, name);
  bool replaced = false;
  for (auto& t : *graph().mutable_initializer())
    if (t.name() == name) {
      t = proto;
      replaced = true;
      break;
    }
  if (!replaced) *graph().add_initializer() = std::move(proto);
  set_tensor_shape(name, value.shape(), value.type());
}

void Model::remove_initializer(std::string_view name) {
  auto* inits = graph().mutable_initializer();
  for (int i = 0; i < inits->size(); ++i)
    if (inits->Get(i).name() == name) {
      inits->erase(inits->begin() + i);
      return;
    }
}

// --- shapes --------------------------------------------------------------------------------

const onnx::ValueInfoProto* Model::value_info(std::string_view name) const {
  for (const auto& vi : graph().value_info())
    if (vi.name() == name) return &vi;
  for (const auto& vi : graph().input())
    if (vi.name() == name) return &vi;
  for (const auto& vi : graph().output())
    if (vi.name() == name) return &vi;
  return nullptr;
}

std::optional<Shape> Model::tensor_shape(std::string_view name) const {
  const auto* vi = value_info(name);
  if (vi && vi->type().has_tensor_type() && vi->type().tensor_type().has_shape()) {
    Shape s;
    for (const auto& d : vi->type().tensor_type().shape().dim())
      s.push_back(d.has_dim_value() ? d.dim_value() : -1);
    return s;
  }
  if (const auto* init = initializer_proto(name))
    return Shape(init->dims().begin(), init->dims().end());
  return std::nullopt;
}

Shape Model::static_shape(std::string_view name) const {
  auto s = tensor_shape(name);
  if (!s) fail("tensor '{}' has no known shape", name);
  for (auto d : *s)
    if (d < 0) fail("tensor '{}' has a shape with unknown dimensions", name);
  return *s;
}

std::optional<ElemType> Model::tensor_elem_type(std::string_view name) const {
  if (const auto* init = initializer_proto(name)) {
    if (is_supported_elem_type(init->data_type())) return static_cast<ElemType>(init->data_type());
  }
  const auto* vi = value_info(name);
  if (vi && vi->type().has_tensor_type() &&
      is_supported_elem_type(vi->type().tensor_type().elem_type()))
    return static_cast<ElemType>(vi->type().tensor_type().elem_type());
  return std::nullopt;
}

void Model::set_tensor_shape(const std::string& name, const Shape& shape, ElemType type) {
  auto fill = [&](onnx::ValueInfoProto& vi) {
    auto* tt = vi.mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int32_t>(type));
    auto* sh = tt->mutable_shape();
    sh->clear_dim();
    for (auto d : shape) {
      auto* dim = sh->add_dim();
      if (d >= 0) dim->set_dim_value(d);
    }
  };
  for (auto* list :
       {graph().mutable_input(), graph().mutable_output(), graph().mutable_value_info()})
    for (auto& vi : *list)
      if (vi.name() == name) {
        fill(vi);
        return;
      }
  auto* vi = graph().add_value_info();
  vi->set_name(name);
  fill(*vi);
}

// --- annotations ---------------------------------------------------------------------------

std::optional<std::string> Model::annotation(std::string_view tensor, std::string_view key) const {
  for (const auto& qa : graph().quantization_annotation()) {
    if (qa.tensor_name() != tensor) continue;
    for (const auto& e : qa.quant_parameter_tensor_names())
      if (e.key() == key) return e.value();
  }
  return std::nullopt;
}

void Model::set_annotation(const std::string& tensor, const std::string& key,
                           const std::string& value) {
  for (auto& qa : *graph().mutable_quantization_annotation()) {
    if (qa.tensor_name() != tensor) continue;
    for (auto& e : *qa.mutable_quant_parameter_tensor_names())
      if (e.key() == key) {
        e.set_value(value);
        return;
      }
    auto* e = qa.add_quant_parameter_tensor_names();
    e->set_key(key);
    e->set_value(value);
    return;
  }
  auto* qa = graph().add_quantization_annotation();
  qa->set_tensor_name(tensor);
  auto* e = qa->add_quant_parameter_tensor_names();
  e->set_key(key);
  e->set_value(value);
}

bool Model::has_datatype_annotation(std::string_view tensor) const {
  return annotation(tensor, "finn_datatype").has_value();
}

DataType Model::datatype(std::string_view tensor) const {
  auto name = annotation(tensor, "finn_datatype");
  if (!name) return DataType::float32();
  auto dt = DataType::parse(*name);
  if (!dt) fail("unknown datatype '{}' in the annotation of tensor '{}'", *name, tensor);
  return *dt;
}

void Model::set_datatype(const std::string& tensor, const DataType& dt) {
  set_annotation(tensor, "finn_datatype", dt.name());
}

std::optional<std::vector<std::string>> Model::layout(std::string_view tensor) const {
  auto text = annotation(tensor, "tensor_layout");
  if (!text) return std::nullopt;
  // Python str() of a list of strings: "['N', 'C', 'H', 'W']"
  std::vector<std::string> out;
  std::string cur;
  bool in_quote = false;
  char quote = 0;
  for (char c : *text) {
    if (in_quote) {
      if (c == quote) {
        out.push_back(cur);
        cur.clear();
        in_quote = false;
      } else {
        cur += c;
      }
    } else if (c == '\'' || c == '"') {
      in_quote = true;
      quote = c;
    }
  }
  return out;
}

void Model::set_layout(const std::string& tensor, const std::vector<std::string>& layout) {
  std::string s = "[";
  for (std::size_t i = 0; i < layout.size(); ++i) {
    if (i) s += ", ";
    s += "'" + layout[i] + "'";
  }
  s += "]";
  set_annotation(tensor, "tensor_layout", s);
}

// --- names ---------------------------------------------------------------------------------

bool Model::tensor_exists(std::string_view name) const {
  for (const auto& n : graph().node()) {
    for (const auto& i : n.input())
      if (i == name) return true;
    for (const auto& o : n.output())
      if (o == name) return true;
  }
  return has_initializer(name) || value_info(name) != nullptr;
}

std::string Model::fresh_tensor_name(std::string_view stem) {
  for (;;) {
    std::string name = std::string(stem) + "_" + std::to_string(fresh_counter_++);
    if (!tensor_exists(name)) return name;
  }
}

// `from` and `to` are copies: callers often pass a name the model itself stores.
void Model::rename_tensor(std::string from, std::string to) {
  if (from == to) return;
  auto& g = graph();
  for (auto& n : *g.mutable_node()) {
    for (auto& i : *n.mutable_input())
      if (i == from) i = to;
    for (auto& o : *n.mutable_output())
      if (o == from) o = to;
  }
  for (auto& t : *g.mutable_initializer())
    if (t.name() == from) t.set_name(to);
  for (auto* list : {g.mutable_input(), g.mutable_output(), g.mutable_value_info()})
    for (auto& vi : *list)
      if (vi.name() == from) vi.set_name(to);
  for (auto& qa : *g.mutable_quantization_annotation())
    if (qa.tensor_name() == from) qa.set_tensor_name(to);
}

// --- metadata ------------------------------------------------------------------------------

std::optional<std::string> Model::metadata(std::string_view key) const {
  for (const auto& p : proto_.metadata_props())
    if (p.key() == key) return p.value();
  return std::nullopt;
}

void Model::set_metadata(const std::string& key, const std::string& value) {
  for (auto& p : *proto_.mutable_metadata_props())
    if (p.key() == key) {
      p.set_value(value);
      return;
    }
  auto* p = proto_.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

}  // namespace shoal
