// The folding-config reader as fold runs it (parse_json, apply_folding_config, then
// AnnotateCycles and final_hw_config.json), followed by what estimate computes from the
// folding, on each dataflow child of models.hpp.
#include "../tools/estimate/reports.hpp"
#include "fuzz.hpp"
#include "models.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/json.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/transforms/folding.hpp"
#include "shoal/transforms/transforms.hpp"

namespace shoal::fuzz {

void folding_config(const uint8_t* data, std::size_t size) {
  init();
  nlohmann::ordered_json config;
  try {
    config = parse_json(as_text(data, size), "fuzz.json");
  } catch (const Error&) {
    return;
  }
  for (const SampleModel* base : hardware_models()) {
    Model m = base->model;
    try {
      give_unique_node_names(m);
      apply_folding_config(m, config);
      annotate_cycles(m);
      (void)python_json_dump(extract_hw_config(m));
      (void)make_estimate_reports(m, ClockPeriod{10.0, true});
    } catch (const Error&) {
    }
  }
}

}  // namespace shoal::fuzz
