// The five estimate reports (estimates.md §2.1-2.5).
#pragma once

#include <nlohmann/json.hpp>

#include "shoal/core/model.hpp"
#include "shoal/transforms/folding.hpp"

namespace shoal {

struct EstimateReports {
  nlohmann::ordered_json layer_cycles, layer_resources, config_alternatives, network_performance,
      op_and_param_counts;
};

// Builds every report; like FINN it annotates cycles_estimate and leaves each
// StreamingFCLayer_Batch's resType explicitly set after trying the alternatives.
EstimateReports make_estimate_reports(Model& m, const ClockPeriod& clk);

}  // namespace shoal
