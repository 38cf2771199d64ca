// onnx-info: print a model's graph for inspection between steps.
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/op.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/shape_inference.hpp"

using namespace shoal;
using nlohmann::ordered_json;

namespace {

std::string shape_text(const Model& m, const std::string& name) {
  auto s = m.tensor_shape(name);
  if (!s) return "?";
  std::string t = "[";
  for (std::size_t i = 0; i < s->size(); ++i)
    t += (i ? ", " : "") + ((*s)[i] < 0 ? std::string("?") : std::to_string((*s)[i]));
  return t + "]";
}

ordered_json attr_json(const onnx::AttributeProto& a) {
  switch (a.type()) {
    case onnx::AttributeProto::INT:
      return a.i();
    case onnx::AttributeProto::FLOAT:
      return a.f();
    case onnx::AttributeProto::STRING:
      return a.s();
    case onnx::AttributeProto::INTS:
      return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case onnx::AttributeProto::FLOATS:
      return std::vector<float>(a.floats().begin(), a.floats().end());
    case onnx::AttributeProto::STRINGS:
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    case onnx::AttributeProto::TENSOR: {
      std::vector<int64_t> dims(a.t().dims().begin(), a.t().dims().end());
      return ordered_json{{"tensor", dims}};
    }
    default:
      return "<unsupported>";
  }
}

std::string attr_text(const onnx::AttributeProto& a) {
  ordered_json j = attr_json(a);
  if (j.is_string()) return j.get<std::string>();
  return j.dump();
}

ordered_json tensor_json(const Model& m, const std::string& name) {
  ordered_json t;
  t["name"] = name;
  if (auto s = m.tensor_shape(name))
    t["shape"] = *s;
  else
    t["shape"] = nullptr;
  t["datatype"] = m.annotation(name, "finn_datatype").value_or("FLOAT32");
  if (auto l = m.layout(name))
    t["layout"] = *l;
  else
    t["layout"] = nullptr;
  return t;
}

// Folding attributes of hardware nodes, shown next to the node.
std::string folding_text(const onnx::NodeProto& n) {
  std::string s;
  for (const char* key : {"PE", "SIMD", "depth"})
    if (const auto* a = find_attr(n, key))
      s += std::string(s.empty() ? "" : " ") + key + "=" + std::to_string(a->i());
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "onnx-info", "onnx-info MODEL.onnx [--json]",
      "Prints a model's inputs, outputs, nodes (with attributes and, for hardware\n"
      "nodes, their folding), and every tensor with its shape, FINN datatype and layout.\n"
      "--json prints the same as one JSON object for scripts; --check runs onnx::checker.\n"};
  auto options = make_options(info);
  options.add_options()("json", "print JSON")(
      "check", "run onnx::checker on the model and report the result")(
      "input", "model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    std::string path = single_input(r);
    Model m = Model::load(path);
    if (r.count("check")) {
      // The checker accepts any custom op it is told of; shoal must know each one.
      for (const auto& n : m.graph().node())
        if (classify_domain(n.domain()) != Domain::Standard) require_op(n);
      Model checked = m;
      checked.declare_custom_domains();
      FilterResult res =
          run_filter({(executable_dir() / "onnx-lib").string(), "check", "-"}, checked.serialize());
      if (res.exit_code != 0) {
        std::string why = res.err;
        if (auto p = why.find("error: "); p != std::string::npos) why = why.substr(p + 7);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        fail("{} {}", path, why);
      }
      std::cout << path << ": passes onnx::checker\n";
      return 0;
    }
    const auto& g = m.graph();
    std::vector<std::string> tensors;
    std::set<std::string> seen;
    auto note = [&](const std::string& s) {
      if (!s.empty() && seen.insert(s).second) tensors.push_back(s);
    };
    for (const auto& vi : g.input()) note(vi.name());
    for (const auto& n : g.node()) {
      for (const auto& i : n.input()) note(i);
      for (const auto& o : n.output()) note(o);
    }
    for (const auto& vi : g.output()) note(vi.name());

    if (r.count("json")) {
      ordered_json j;
      j["model"] = path;
      j["ir_version"] = m.proto().ir_version();
      j["producer"] = m.proto().producer_name();
      ordered_json opsets = ordered_json::object();
      for (const auto& op : m.proto().opset_import()) opsets[op.domain()] = op.version();
      j["opsets"] = opsets;
      j["inputs"] = ordered_json::array();
      for (const auto& vi : g.input())
        if (!m.has_initializer(vi.name())) j["inputs"].push_back(tensor_json(m, vi.name()));
      j["outputs"] = ordered_json::array();
      for (const auto& vi : g.output()) j["outputs"].push_back(tensor_json(m, vi.name()));
      j["nodes"] = ordered_json::array();
      for (const auto& n : g.node()) {
        ordered_json jn;
        jn["name"] = n.name();
        jn["op_type"] = n.op_type();
        jn["domain"] = n.domain();
        jn["inputs"] = std::vector<std::string>(n.input().begin(), n.input().end());
        jn["outputs"] = std::vector<std::string>(n.output().begin(), n.output().end());
        ordered_json attrs = ordered_json::object();
        for (const auto& a : n.attribute()) attrs[a.name()] = attr_json(a);
        jn["attributes"] = attrs;
        j["nodes"].push_back(jn);
      }
      j["tensors"] = ordered_json::array();
      for (const auto& t : tensors) {
        auto tj = tensor_json(m, t);
        tj["initializer"] = m.has_initializer(t);
        j["tensors"].push_back(tj);
      }
      std::cout << j.dump(2) << "\n";
      return 0;
    }

    std::cout << "model " << path << ": IR " << m.proto().ir_version() << ", opsets";
    for (const auto& op : m.proto().opset_import())
      std::cout << " " << (op.domain().empty() ? "ai.onnx" : op.domain()) << ":" << op.version();
    if (!m.proto().producer_name().empty()) std::cout << ", producer " << m.proto().producer_name();
    std::cout << "\n\ninputs:\n";
    for (const auto& vi : g.input())
      if (!m.has_initializer(vi.name()))
        std::cout << "  " << vi.name() << "  " << shape_text(m, vi.name()) << "  "
                  << m.datatype(vi.name()).name() << "\n";
    std::cout << "outputs:\n";
    for (const auto& vi : g.output())
      std::cout << "  " << vi.name() << "  " << shape_text(m, vi.name()) << "  "
                << m.datatype(vi.name()).name() << "\n";
    std::cout << "\nnodes (" << g.node_size() << "):\n";
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      std::cout << "  " << i << "  " << (n.name().empty() ? "(unnamed)" : n.name()) << "  "
                << n.op_type();
      if (!n.domain().empty()) std::cout << " [" << n.domain() << "]";
      std::string fold = folding_text(n);
      if (!fold.empty()) std::cout << "  {" << fold << "}";
      std::cout << "\n      ";
      for (int k = 0; k < n.input_size(); ++k) std::cout << (k ? ", " : "") << n.input(k);
      std::cout << " -> ";
      for (int k = 0; k < n.output_size(); ++k) std::cout << (k ? ", " : "") << n.output(k);
      std::cout << "\n";
      if (n.attribute_size()) {
        std::cout << "      ";
        for (int k = 0; k < n.attribute_size(); ++k)
          std::cout << (k ? ", " : "") << n.attribute(k).name() << "=" << attr_text(n.attribute(k));
        std::cout << "\n";
      }
    }
    std::cout << "\ntensors:\n";
    for (const auto& t : tensors) {
      std::cout << "  " << t << "  " << shape_text(m, t) << "  " << m.datatype(t).name();
      if (auto l = m.layout(t)) {
        std::cout << "  ";
        for (const auto& d : *l) std::cout << d;
      }
      if (m.has_initializer(t)) std::cout << "  (initializer)";
      std::cout << "\n";
    }
    return 0;
  });
}
