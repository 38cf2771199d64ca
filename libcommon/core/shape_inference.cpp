#include "shoal/core/shape_inference.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/limits.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/shape_rules.hpp"

namespace shoal {
namespace {

bool has_shape(const onnx::ValueInfoProto* vi) {
  return vi && vi->type().has_tensor_type() && vi->type().tensor_type().has_shape();
}

// Every tensor of `m` whose type and shape are recorded.
std::unordered_map<std::string, const onnx::TypeProto*> typed_tensors(const onnx::ModelProto& m) {
  std::unordered_map<std::string, const onnx::TypeProto*> known;
  for (const auto* list : {&m.graph().input(), &m.graph().value_info(), &m.graph().output()})
    for (const auto& vi : *list)
      if (has_shape(&vi)) known[vi.name()] = &vi.type();
  return known;
}

// Types the outputs of custom-op nodes whose inputs are all typed, by libcommon's per-op
// rules; returns how many nodes it typed. A rule that rejects its inputs leaves the node
// untyped, as ONNX's non-strict inference does for standard ops.
int infer_custom_nodes(onnx::ModelProto& m) {
  auto& g = *m.mutable_graph();
  std::unordered_map<std::string, onnx::TypeProto> known;
  for (const auto& [name, t] : typed_tensors(m)) known[name] = *t;
  for (const auto& init : g.initializer()) {
    onnx::TypeProto t;
    t.mutable_tensor_type()->set_elem_type(init.data_type());
    auto* sh = t.mutable_tensor_type()->mutable_shape();
    for (auto d : init.dims()) sh->add_dim()->set_dim_value(d);
    known[init.name()] = t;
  }
  std::unordered_map<std::string, onnx::ValueInfoProto*> outputs;
  for (auto& vi : *g.mutable_output()) outputs[vi.name()] = &vi;
  int typed = 0;
  for (const auto& n : g.node()) {
    if (classify_domain(n.domain()) == Domain::Standard) continue;
    const OpDef* op = find_op(n);
    if (!op || n.output_size() == 0 || known.count(n.output(0))) continue;
    std::vector<std::optional<Shape>> ins;
    bool ready = true;
    for (const auto& name : n.input()) {
      if (name.empty()) {
        ins.emplace_back(std::nullopt);
        continue;
      }
      auto it = known.find(name);
      if (it == known.end()) {
        ready = false;
        break;
      }
      Shape s;
      for (const auto& d : it->second.tensor_type().shape().dim())
        s.push_back(d.has_dim_value() ? d.dim_value() : -1);
      ins.emplace_back(std::move(s));
    }
    if (!ready) continue;
    std::vector<Shape> outs;
    try {
      outs = op->infer_shapes(n, ins);
    } catch (const Error&) {
      continue;
    }
    for (std::size_t o = 0; o < outs.size() && o < static_cast<std::size_t>(n.output_size()); ++o) {
      const std::string& name = n.output(static_cast<int>(o));
      if (name.empty()) continue;
      Shape known_dims;
      for (auto d : outs[o])
        if (d >= 0) known_dims.push_back(d);
      checked_element_count(known_dims, op->output_elem_type(n, static_cast<int>(o)),
                            fmt::format("{}: output '{}'", describe(n), name));
      onnx::TypeProto t;
      auto* tt = t.mutable_tensor_type();
      tt->set_elem_type(static_cast<int32_t>(op->output_elem_type(n, static_cast<int>(o))));
      auto* sh = tt->mutable_shape();
      for (auto d : outs[o]) {
        auto* dim = sh->add_dim();
        if (d >= 0) dim->set_dim_value(d);
      }
      onnx::ValueInfoProto* vi = outputs.count(name) ? outputs[name] : g.add_value_info();
      vi->set_name(name);
      *vi->mutable_type() = t;
      known[name] = std::move(t);
    }
    ++typed;
  }
  return typed;
}

// ONNX's own shape inference, run by the onnx-lib helper installed beside the tools. One
// helper serves the whole process: a conversion infers shapes after every pass and, where
// custom ops sit between standard ones, several rounds per inference; a helper started for
// each took most of the time of a QONNX net with a dynamic dimension.
void run_onnx_shape_inference(onnx::ModelProto& m) {
  static std::mutex mutex;
  static std::unique_ptr<Coprocess> helper;
  std::lock_guard<std::mutex> lock(mutex);
  std::string bytes;
  if (!m.SerializeToString(&bytes)) fail("shape inference: cannot serialize the model");
  if (!helper || helper->broken()) {
    std::filesystem::path path = executable_dir() / "onnx-lib";
    if (!std::filesystem::exists(path))
      fail(
          "shape inference needs ONNX's for some op, but the onnx-lib helper is missing (looked "
          "for {})",
          path.string());
    helper.reset();
    helper = std::make_unique<Coprocess>(std::vector<std::string>{path.string(), "serve"});
  }
  auto length_bytes = [](uint64_t n) {
    std::string b(8, '\0');
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return b;
  };
  helper->write(length_bytes(bytes.size()) + bytes);
  std::string head = helper->read(9);
  uint64_t n = 0;
  for (int i = 8; i >= 1; --i) n = (n << 8) | static_cast<unsigned char>(head[i]);
  std::string answer = helper->read(n);
  if (head[0] != 0) fail("shape inference failed: {}", answer);
  if (!m.ParseFromString(answer)) fail("shape inference: onnx-lib returned no model");
}

}  // namespace

void infer_shapes(Model& model) {
  if (infer_shapes_fast(model)) return;
  infer_shapes_onnx(model);
}

void infer_shapes_onnx(Model& model) {
  onnx::ModelProto work;
  {
    Model tmp = model;
    tmp.declare_custom_domains();
    work = std::move(tmp.proto());
  }
  auto* g = work.mutable_graph();
  g->clear_value_info();
  // Graph outputs are inferred afresh (a wrongly declared type or shape would only clash).
  for (auto& out : *g->mutable_output()) out.clear_type();
  // ONNX skips custom ops, libcommon's rules skip standard ones: alternate until the custom
  // ops downstream of every standard op are typed.
  infer_custom_nodes(work);
  for (int round = 0; round <= work.graph().node_size(); ++round) {
    run_onnx_shape_inference(work);
    if (infer_custom_nodes(work) == 0) break;
  }

  std::map<std::string, const onnx::ValueInfoProto*> inferred;
  for (const auto& vi : work.graph().value_info()) inferred[vi.name()] = &vi;
  for (const auto& vi : work.graph().output()) inferred[vi.name()] = &vi;

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
  for (const auto* list : {&mg.value_info(), &mg.output()})
    for (const auto& vi : *list) {
      if (!has_shape(&vi)) continue;
      Shape known_dims;
      for (const auto& d : vi.type().tensor_type().shape().dim())
        if (d.has_dim_value() && d.dim_value() >= 0) known_dims.push_back(d.dim_value());
      int32_t code = vi.type().tensor_type().elem_type();
      checked_element_count(
          known_dims, is_supported_elem_type(code) ? static_cast<ElemType>(code) : ElemType::UInt8,
          fmt::format("shape inference: tensor '{}'", vi.name()));
    }
}

}  // namespace shoal
