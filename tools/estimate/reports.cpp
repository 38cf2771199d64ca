#include "reports.hpp"

#include "shoal/core/attrs.hpp"
#include "shoal/core/error.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {
namespace {

using json = nlohmann::ordered_json;

// aggregate_dict_keys: per key (in order of first appearance) the float sum over layers,
// skipping keys that contain "efficiency".
json total_of(const json& per_layer) {
  json total = json::object();
  for (auto layer = per_layer.begin(); layer != per_layer.end(); ++layer)
    for (auto it = layer.value().begin(); it != layer.value().end(); ++it) {
      if (it.key().find("efficiency") != std::string::npos) continue;
      double prev = total.contains(it.key()) ? total[it.key()].get<double>() : 0.0;
      total[it.key()] = prev + it.value().get<double>();
    }
  return total;
}

}  // namespace

EstimateReports make_estimate_reports(Model& m, const ClockPeriod& clk) {
  EstimateReports r;
  r.layer_cycles = json::object();
  r.layer_resources = json::object();
  r.config_alternatives = json::object();
  r.op_and_param_counts = json::object();
  for (int i = 0; i < m.node_count(); ++i) {
    auto& n = m.node(i);
    // op_and_param_counts covers every node of a "finn" domain (estimates.md §2.5)
    if (n.domain().rfind("finn", 0) == 0) {
      if (const HwOp* op = hw_op_of(n))
        r.op_and_param_counts[n.name()] = op->op_and_param_counts(n);
    }
    const HwOp* op = hw_op_of(n);
    if (!op) continue;
    r.layer_cycles[n.name()] = op->exp_cycles(n);
    r.layer_resources[n.name()] = op->resource_estimates(n);
    json alternatives = json::array();
    if (n.op_type() == "StreamingFCLayer_Batch") {
      std::string original = NodeAttrs(n).s("resType");
      for (const char* res : {"dsp", "lut"}) {
        set_attr(n, "resType", res);
        alternatives.push_back(op->resource_estimates(n));
      }
      set_attr(n, "resType", original);  // left explicitly set, as FINN leaves it
    } else if (n.op_type() == "ConvolutionInputGenerator") {
      std::string original = NodeAttrs(n).s("ram_style");
      for (const char* style : {"block", "distributed", "ultra"}) {
        set_attr(n, "ram_style", style);
        alternatives.push_back(op->resource_estimates(n));
      }
      set_attr(n, "ram_style", original);
    } else {
      alternatives.push_back(op->resource_estimates(n));
    }
    r.config_alternatives[n.name()] = alternatives;
  }
  json total = total_of(r.layer_resources);
  r.layer_resources["total"] = total;
  json counts_total = total_of(r.op_and_param_counts);
  r.op_and_param_counts["total"] = counts_total;

  annotate_cycles(m);
  DataflowPerformance p = dataflow_performance(m);
  if (p.max_cycles == 0)
    fail("no hardware layer has a cycle estimate, so there is no throughput to report");
  r.network_performance["critical_path_cycles"] = p.critical_path_cycles;
  r.network_performance["max_cycles"] = p.max_cycles;
  r.network_performance["max_cycles_node_name"] = p.max_cycles_node_name;
  r.network_performance["estimated_throughput_fps"] =
      (1e9 / clk.ns) / static_cast<double>(p.max_cycles);
  if (clk.is_integer)
    r.network_performance["estimated_latency_ns"] =
        p.critical_path_cycles * static_cast<int64_t>(clk.ns);
  else
    r.network_performance["estimated_latency_ns"] =
        static_cast<double>(p.critical_path_cycles) * clk.ns;
  return r;
}

}  // namespace shoal
