// Folding: SetFolding, ApplyConfig, AnnotateCycles and the dataflow performance analysis
// (estimates.md §4, §2.4, §2.8).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "shoal/core/model.hpp"
#include "shoal/ops/hw_op.hpp"

namespace shoal {

// A clock period as the user wrote it: FINN keeps a JSON int an int, which decides whether
// estimated_latency_ns prints as 162400 or 162400.0 (estimates.md §1.3).
struct ClockPeriod {
  double ns = 0;
  bool is_integer = false;
  static ClockPeriod parse(const std::string& text);  // "200" or "200.0"; an Error otherwise
  static ClockPeriod from_json(const nlohmann::ordered_json& j);
  std::string text() const;  // round-trips parse()
};

// int((10**9 / clk_ns) / target_fps), in double (estimates.md §4.1).
int64_t target_cycles_per_frame(double clk_ns, double target_fps);

struct SetFoldingOptions {
  int64_t target_cycles = 0;
  int64_t mvau_wwidth_max = 36;
  bool two_pass_relaxation = true;
};
// SetFolding (estimates.md §4.2): per node, the smallest SIMD then PE (divisors, ascending)
// that bring the node's cycles strictly below the target; then GiveUniqueNodeNames and
// AnnotateCycles; with two-pass relaxation a second pass targets the bottleneck.
void set_folding(Model& m, const SetFoldingOptions& options);

// ApplyConfig (estimates.md §4.4) with FINN's "Defaults" semantics. Unlike FINN, a config
// entry naming no node of the model and a folding that does not divide are errors.
void apply_folding_config(Model& m, const nlohmann::ordered_json& config);
// final_hw_config.json (estimates.md §2.8).
nlohmann::ordered_json extract_hw_config(const Model& m);

// AnnotateCycles: cycles_estimate := exp_cycles on every fpgadataflow node.
void annotate_cycles(Model& m);

struct DataflowPerformance {
  int64_t critical_path_cycles = 0;
  int64_t max_cycles = 0;
  std::string max_cycles_node_name;
};
// From the cycles_estimate attributes, nodes in graph order (dataflow_performance.py).
DataflowPerformance dataflow_performance(const Model& m);

}  // namespace shoal
