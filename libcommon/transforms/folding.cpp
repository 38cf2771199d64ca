// SetFolding, ApplyConfig, AnnotateCycles, dataflow performance (estimates.md §4).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"
#include "shoal/transforms/folding.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal {

ClockPeriod ClockPeriod::parse(const std::string& text) {
  ClockPeriod c;
  std::size_t pos = 0;
  try {
    c.ns = std::stod(text, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos != text.size() || text.empty() || !(c.ns > 0))
    fail("clock period '{}' is not a positive number of ns", text);
  c.is_integer = text.find_first_of(".eE") == std::string::npos;
  return c;
}

ClockPeriod ClockPeriod::from_json(const nlohmann::ordered_json& j) {
  ClockPeriod c;
  if (!j.is_number()) fail("the clock period is not a number");
  c.ns = j.get<double>();
  c.is_integer = j.is_number_integer() || j.is_number_unsigned();
  if (!(c.ns > 0)) fail("the clock period must be positive");
  return c;
}

std::string ClockPeriod::text() const {
  if (is_integer) return std::to_string(static_cast<int64_t>(ns));
  std::string s = fmt::format("{}", ns);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

int64_t target_cycles_per_frame(double clk_ns, double target_fps) {
  double cycles = (1e9 / clk_ns) / target_fps;
  // Python's int() takes any size; converting a double past int64 is undefined in C++.
  if (!(cycles < 0x1p63))
    fail("a target of {} fps at a {} ns clock is {} cycles per frame, more than int64 holds",
         target_fps, clk_ns, cycles);
  return static_cast<int64_t>(cycles);
}

void annotate_cycles(Model& m) {
  for (int i = 0; i < m.node_count(); ++i)
    if (const HwOp* op = hw_op_of(m.node(i)))
      set_attr(m.node(i), "cycles_estimate", op->exp_cycles(m.node(i)));
}

DataflowPerformance dataflow_performance(const Model& m) {
  DataflowPerformance p;
  std::map<int, int64_t> latency;
  for (int i = 0; i < m.node_count(); ++i) {
    const auto& n = m.node(i);
    if (!is_fpgadataflow_node(n)) continue;
    int64_t c = attr_int(n, "cycles_estimate", 0);
    if (c > p.max_cycles) {
      p.max_cycles = c;
      p.max_cycles_node_name = n.name();
    }
    int64_t before = 0;
    for (int pred : m.predecessors(i)) {
      auto it = latency.find(pred);
      if (it != latency.end()) before = std::max(before, it->second);
    }
    latency[i] = c + before;
    p.critical_path_cycles = std::max(p.critical_path_cycles, latency[i]);
  }
  return p;
}

namespace {

// optimize_attribute_val: the first divisor of `max` (ascending) that brings the node
// strictly below the target, else `max`.
void optimize(Model& m, int i, const HwOp& op, const char* attr, int64_t max, int64_t target) {
  set_attr(m.node(i), attr, int64_t{1});
  for (int64_t d : divisors(max)) {
    set_attr(m.node(i), attr, d);
    if (op.exp_cycles(m.node(i)) < target) return;
  }
}

// `warned`: op types already reported as unhandled. Python shows a warning text once per
// process, so FINN prints one line per op type however many nodes and passes there are.
void set_folding_pass(Model& m, int64_t target, int64_t wwidth_max, std::set<std::string>& warned) {
  for (int i = 0; i < m.node_count(); ++i) {
    const HwOp* op = hw_op_of(m.node(i));
    if (!op) continue;
    const std::string& type = m.node(i).op_type();
    NodeAttrs a(m.node(i));
    if (type == "StreamingFCLayer_Batch") {
      set_attr(m.node(i), "PE", int64_t{1});
      set_attr(m.node(i), "SIMD", int64_t{1});
      int64_t w = a.dt("weightDataType").bitwidth();
      for (int64_t s : divisors(a.i("MW"))) {
        int64_t prev = attr_int(m.node(i), "SIMD", 1);
        set_attr(m.node(i), "SIMD", s);
        // The cycle check comes first: a SIMD that meets the target is kept even when the
        // weight stream gets wider than mvau_wwidth_max (estimates.md §4.2).
        if (op->exp_cycles(m.node(i)) < target) break;
        if (w * s > wwidth_max) {
          set_attr(m.node(i), "SIMD", prev);
          break;
        }
      }
      optimize(m, i, *op, "PE", a.i("MH"), target);
    } else if (type == "Thresholding_Batch" || type == "AddStreams_Batch" ||
               type == "ChannelwiseOp_Batch" || type == "DuplicateStreams_Batch" ||
               type == "GlobalAccPool_Batch") {
      optimize(m, i, *op, "PE", a.i("NumChannels"), target);
    } else if (type == "LabelSelect_Batch") {
      optimize(m, i, *op, "PE", a.i("Labels"), target);
    } else if (type == "FMPadding_Batch" || type == "DownSampler") {
      optimize(m, i, *op, "SIMD", a.i("NumChannels"), target);
    } else if (type == "ConvolutionInputGenerator") {
      // A depthwise generator takes the PE of the VVAU/Pool_Batch it feeds (conv.md §3.4);
      // FINN skips it here without a warning.
      if (a.i("depthwise") == 0) optimize(m, i, *op, "SIMD", a.i("IFMChannels"), target);
    } else if (warned.insert(type).second) {
      // StreamingMaxPool_Batch among them: never folded (conv.md §3.4)
      warn(fmt::format("SetFolding doesn't know how to handle op_type {}", type));
    }
  }
  give_unique_node_names(m);
  annotate_cycles(m);
}

// FINN's int/string/list attribute from a JSON value.
void set_from_json(onnx::NodeProto& n, const std::string& attr, const nlohmann::ordered_json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    set_node_attr(n, attr, v.get<int64_t>());
  } else if (v.is_boolean()) {
    set_node_attr(n, attr, int64_t{v.get<bool>()});
  } else if (v.is_string()) {
    set_node_attr(n, attr, v.get<std::string>());
  } else if (v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const auto& x) { return x.is_number_integer(); })) {
    set_node_attr(n, attr, v.get<std::vector<int64_t>>());
  } else {
    fail("{}: the folding config gives attribute '{}' an unsupported value {}", describe(n), attr,
         v.dump());
  }
}

// A folding config may set any attribute the op declares, as FINN's ApplyConfig does. One
// that changes the layer's size (MW, NumChannels, IFMDim, ...) would have the estimates and
// the RTL describe another layer than the model's tensors, of any size it names.
void check_layer_size(const Model& m, const onnx::NodeProto& n, const HwOp& op) {
  auto check = [&](const Shape& from_attrs, const std::string& tensor, const char* which) {
    auto recorded = m.tensor_shape(tensor);
    if (!recorded || std::any_of(recorded->begin(), recorded->end(), [](auto d) { return d < 0; }))
      return;
    if (element_count(from_attrs) != element_count(*recorded))
      fail("{}: its attributes describe an {} of shape {}, but tensor '{}' has shape {}",
           describe(n), which, format_shape(from_attrs), tensor, format_shape(*recorded));
  };
  if (n.input_size() > 0 && !n.input(0).empty())
    check(op.normal_input_shape(n, 0), n.input(0), "input");
  if (n.output_size() > 0 && !n.output(0).empty())
    check(op.normal_output_shape(n), n.output(0), "output");
}

}  // namespace

void set_folding(Model& m, const SetFoldingOptions& o) {
  if (o.target_cycles < 1)
    fail("the target of {} cycles per frame is not positive", o.target_cycles);
  std::set<std::string> warned;
  set_folding_pass(m, o.target_cycles, o.mvau_wwidth_max, warned);
  if (!o.two_pass_relaxation) return;
  DataflowPerformance p = dataflow_performance(m);
  if (p.max_cycles > o.target_cycles) {
    warn(fmt::format("Node {} is bottleneck with {} cycles, running second pass",
                     p.max_cycles_node_name, p.max_cycles));
    set_folding_pass(m, p.max_cycles, o.mvau_wwidth_max, warned);
  }
}

void apply_folding_config(Model& m, const nlohmann::ordered_json& cfg) {
  if (!cfg.is_object()) fail("the folding config is not a JSON object");
  std::set<std::string> names;
  for (const auto& n : m.graph().node()) names.insert(n.name());
  for (auto it = cfg.begin(); it != cfg.end(); ++it) {
    if (it.key() == "Defaults") continue;
    if (!names.count(it.key()))
      fail("the folding config names '{}', which is not a node of the model", it.key());
    if (!it.value().is_object())
      fail("the folding config entry of '{}' is not an object", it.key());
  }
  for (int i = 0; i < m.node_count(); ++i) {
    auto& n = m.node(i);
    if (classify_domain(n.domain()) == Domain::Standard || !find_op(n)) continue;
    if (!cfg.contains("Defaults")) fail("the folding config has no \"Defaults\" entry");
    const auto& defaults = cfg["Defaults"];
    if (!defaults.is_object()) fail("\"Defaults\" in the folding config is not an object");
    for (auto d = defaults.begin(); d != defaults.end(); ++d) {
      if (cfg.contains(d.key()))
        continue;  // FINN skips a default whose name is also a top-level key
      // [value, op types] or several such pairs in one list, as FINN reads them
      const auto& pairs = d.value();
      if (!pairs.is_array() || pairs.empty() || pairs.size() % 2 != 0)
        fail("\"Defaults\" entry '{}' is not [value, op types]", d.key());
      for (std::size_t k = 0; k < pairs.size(); k += 2) {
        const auto& types = pairs[k + 1];
        bool applies = false;
        if (types.is_string()) {
          std::string t = types.get<std::string>();
          // string equality with "all", else a substring test, as Python's `in` on a string
          applies = t == "all" || t.find(n.op_type()) != std::string::npos;
        } else if (types.is_array()) {
          for (const auto& t : types)
            applies |= t.is_string() && t.get<std::string>() == n.op_type();
        }
        if (applies) set_from_json(n, d.key(), pairs[k]);
      }
    }
    if (cfg.contains(n.name()))
      for (auto a = cfg[n.name()].begin(); a != cfg[n.name()].end(); ++a)
        set_from_json(n, a.key(), a.value());
    if (const HwOp* op = hw_op_of(n)) {
      op->folded_input_shape(n);  // each checks that the folding divides
      op->folded_output_shape(n);
      check_layer_size(m, n, *op);
    }
  }
}

nlohmann::ordered_json extract_hw_config(const Model& m) {
  nlohmann::ordered_json cfg;
  cfg["Defaults"] = nlohmann::ordered_json::object();
  static const char* keys[] = {"PE",         "SIMD",    "ram_style", "depth",
                               "impl_style", "resType", "mem_mode",  "runtime_writeable_weights"};
  for (const auto& n : m.graph().node()) {
    if (classify_domain(n.domain()) == Domain::Standard || !find_op(n)) continue;
    NodeAttrs a(n);
    nlohmann::ordered_json entry = nlohmann::ordered_json::object();
    for (const char* k : keys) {
      if (!a.declares(k)) continue;
      const AttrSpec& s = a.spec(k);
      if (s.kind == AttrKind::String)
        entry[k] = attr_string(n, k, s.s);
      else
        entry[k] = attr_int(n, k, s.i);
    }
    if (!entry.empty()) cfg[n.name()] = entry;
  }
  return cfg;
}

}  // namespace shoal
