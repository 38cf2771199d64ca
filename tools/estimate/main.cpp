// estimate: FINN's step_generate_estimate_reports.
#include "reports.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/transforms/folding.hpp"

using namespace shoal;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  ToolInfo info{
      "estimate", "estimate IN.onnx --report-dir DIR [--clk-ns T] [-o OUT.onnx]",
      "Writes FINN's analytical estimate reports of a folded dataflow model into DIR, as\n"
      "step_generate_estimate_reports does, with FINN v0.6's formulas, schemas, key order\n"
      "and number formatting: estimate_layer_cycles.json, estimate_layer_resources.json\n"
      "(with a total), estimate_layer_config_alternatives.json (resType dsp and lut for\n"
      "each StreamingFCLayer_Batch), estimate_network_performance.json and\n"
      "op_and_param_counts.json. The clock is --clk-ns or the one fold recorded; written\n"
      "as an integer (\"200\") it makes estimated_latency_ns an integer, as in FINN.\n"
      "-o writes the model with the cycles_estimate attributes set (AnnotateCycles).\n"};
  auto options = make_options(info);
  options.add_options()("report-dir", "where to write the reports", cxxopts::value<std::string>())(
      "clk-ns", "clock period in ns", cxxopts::value<std::string>())(
      "o,output", "write the annotated model", cxxopts::value<std::string>())(
      "input", "input model", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("report-dir")) throw UsageError("missing --report-dir DIR");
    Model m = Model::load(single_input(r));
    std::optional<ClockPeriod> clk;
    if (r.count("clk-ns"))
      clk = ClockPeriod::parse(r["clk-ns"].as<std::string>());
    else if (auto recorded = m.metadata("clk_ns"))
      clk = ClockPeriod::parse(*recorded);
    if (!clk) fail("no clock period: pass --clk-ns (or fold the model with --clk-ns)");
    fs::path dir = r["report-dir"].as<std::string>();
    make_dirs(dir);
    EstimateReports reports = make_estimate_reports(m, *clk);
    write_python_json((dir / "op_and_param_counts.json").string(), reports.op_and_param_counts);
    write_python_json((dir / "estimate_layer_cycles.json").string(), reports.layer_cycles);
    write_python_json((dir / "estimate_layer_resources.json").string(), reports.layer_resources);
    write_python_json((dir / "estimate_layer_config_alternatives.json").string(),
                      reports.config_alternatives);
    write_python_json((dir / "estimate_network_performance.json").string(),
                      reports.network_performance);
    if (r.count("output")) m.save(r["output"].as<std::string>());
    return 0;
  });
}
