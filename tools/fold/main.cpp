// fold: FINN's step_target_fps_parallelization + step_apply_folding_config.
#include <nlohmann/json.hpp>

#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/json.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/transforms/folding.hpp"
#include "shoal/transforms/transforms.hpp"

using namespace shoal;

int main(int argc, char** argv) {
  ToolInfo info{
      "fold",
      "fold [IN.onnx|-] [-o OUT.onnx|-] [--target-fps F --clk-ns T] [--config FOLDING.json] "
      "[--write-config FINAL.json]",
      "Sets the folding (PE, SIMD) of the hardware layers of a dataflow model.\n"
      "--target-fps runs FINN's SetFolding (step_target_fps_parallelization): the target\n"
      "is int((1e9 / clk_ns) / fps) cycles per frame; each layer gets the smallest SIMD,\n"
      "then PE, that brings it below the target (SIMD stops growing once the weight\n"
      "stream passes --mvau-wwidth-max bits); with two-pass relaxation (the default) a\n"
      "second pass targets the bottleneck. --config applies a FINN folding config\n"
      "(step_apply_folding_config: {\"Defaults\": {attr: [value, op types]}, node: {attr:\n"
      "value}}); both may be given, SetFolding runs first. A folding that does not divide,\n"
      "an unknown node or attribute is an error naming them. --write-config writes the\n"
      "result in FINN's final_hw_config.json format. The clock is recorded in the model\n"
      "(metadata clk_ns) for the estimate step.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output model ('-' = stdout)",
                        cxxopts::value<std::string>()->default_value("-"))(
      "target-fps", "target frames per second (SetFolding)", cxxopts::value<double>())(
      "clk-ns", "clock period in ns", cxxopts::value<std::string>())(
      "mvau-wwidth-max", "widest StreamingFCLayer_Batch weight stream in bits SetFolding aims for",
      cxxopts::value<int64_t>()->default_value("36"))(
      "no-two-pass", "no second SetFolding pass towards the bottleneck")(
      "config", "folding config to apply (ApplyConfig)", cxxopts::value<std::string>())(
      "write-config", "write the folding as final_hw_config.json", cxxopts::value<std::string>())(
      "input", "input model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    std::optional<ClockPeriod> clk;
    if (r.count("clk-ns")) clk = ClockPeriod::parse(r["clk-ns"].as<std::string>());
    Model m = Model::load(single_input(r));
    if (!clk)
      if (auto recorded = m.metadata("clk_ns")) clk = ClockPeriod::parse(*recorded);
    if (r.count("target-fps")) {
      if (!clk) throw UsageError("--target-fps needs --clk-ns");
      double fps = r["target-fps"].as<double>();
      if (!(fps > 0)) throw UsageError("--target-fps must be positive");
      SetFoldingOptions o;
      o.target_cycles = target_cycles_per_frame(clk->ns, fps);
      o.mvau_wwidth_max = r["mvau-wwidth-max"].as<int64_t>();
      o.two_pass_relaxation = !r.count("no-two-pass");
      set_folding(m, o);
    }
    if (r.count("config")) {
      std::string path = r["config"].as<std::string>();
      nlohmann::ordered_json cfg = parse_json(read_file(path), path);
      give_unique_node_names(m);
      apply_folding_config(m, cfg);
      annotate_cycles(m);
    }
    if (clk) m.set_metadata("clk_ns", clk->text());
    if (r.count("write-config"))
      write_python_json(r["write-config"].as<std::string>(), extract_hw_config(m));
    m.save(r["output"].as<std::string>());
    return 0;
  });
}
