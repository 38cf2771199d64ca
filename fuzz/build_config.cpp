// build-dataflow's reader of FINN's dataflow_build_config.json (parse_build_config), and what
// build-dataflow derives from the config before it starts the pipeline.
#include "../tools/build-dataflow/config.hpp"
#include "fuzz.hpp"
#include "shoal/core/error.hpp"

namespace shoal::fuzz {

void build_config(const uint8_t* data, std::size_t size) {
  init();
  BuildConfig c;
  try {
    c = parse_build_config(std::string(as_text(data, size)), "fuzz.json", "/config");
  } catch (const Error&) {
    return;
  }
  // build-dataflow runs the pipeline up to steps.back().
  if (c.steps.empty()) finding("parse_build_config accepted a config without steps");
  for (const auto& f : {+[](const BuildConfig& x) { (void)x.shell(); },
                        +[](const BuildConfig& x) { (void)x.part(); },
                        +[](const BuildConfig& x) {
                          if (x.target_fps)
                            (void)target_cycles_per_frame(x.synth_clk_period_ns.ns, *x.target_fps);
                        }}) {
    try {
      f(c);
    } catch (const Error&) {
    }
  }
}

}  // namespace shoal::fuzz
