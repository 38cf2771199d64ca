// stitch: FINN's step_set_fifo_depths + step_create_stitched_ip.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/transforms/folding.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

nlohmann::ordered_json sizing_report(const FifoSizing& s) {
  nlohmann::ordered_json j;
  j["frames"] = s.frames;
  j["frame_period_cycles"] = s.frame_period;
  j["cycles_deep_fifos"] = s.cycles_deep;
  j["cycles_sized_fifos"] = s.cycles_sized;
  j["total_fifo_bits"] = s.total_bits();
  j["seconds"] = s.seconds;
  nlohmann::ordered_json fifos = nlohmann::ordered_json::object();
  for (const auto& f : s.fifos) {
    nlohmann::ordered_json e;
    e["width"] = f.width;
    e["measured_depth"] = f.deep_depth;
    e["max_occupancy"] = f.max_occupancy;
    e["depth"] = f.depth;
    fifos[f.name] = e;
  }
  j["fifos"] = fifos;
  return j;
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "stitch", "stitch IN.onnx -o OUT.onnx [--out-dir DIR] [--size-fifos-only | --stitch-only]",
      "Joins the layers of a folded dataflow model into one design.\n"
      "FIFO sizing (step_set_fifo_depths): width converters where a producer's beat holds\n"
      "other elements than its consumer's, FIFOs on every edge, sized by simulation: the\n"
      "design is simulated (Verilator) with generous FIFOs and one frame per max_cycles (the\n"
      "rate of its slowest layer), each FIFO gets its peak occupancy (<= 2: removed, <= 32: 32),\n"
      "and a second simulation checks that the sized design is as fast as the generous one.\n"
      "DIR/fifo_sizing.json reports what was measured and the total FIFO bits.\n"
      "Stitching (step_create_stitched_ip): regenerates every layer's IP into DIR/ip/ and\n"
      "writes DIR/stitched_ip/: finn_design_wrapper.v (ports ap_clk, ap_rst_n, s_axis_0,\n"
      "m_axis_0), the layers' files, all_verilog_srcs.txt and make_project.tcl (packages the\n"
      "design as a Vivado IP where Vivado exists). OUT.onnx records it in its metadata.\n"
      "Without --size-fifos-only/--stitch-only both happen. DIR defaults to OUT.onnx's folder.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output model", cxxopts::value<std::string>())(
      "out-dir", "output directory", cxxopts::value<std::string>())(
      "size-fifos-only", "insert and size width converters and FIFOs, do not stitch")(
      "stitch-only", "stitch the model as it is")(
      "clk-ns", "clock period in ns (default: the one the model records)",
      cxxopts::value<std::string>())(
      "part", "FPGA part for make_project.tcl",
      cxxopts::value<std::string>()->default_value("xczu3eg-sbva484-1-e"))(
      "write-config", "write final_hw_config.json (FINN's format) here",
      cxxopts::value<std::string>())("input", "input model",
                                     cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("output")) throw UsageError("-o OUT.onnx is required");
    if (r.count("size-fifos-only") && r.count("stitch-only"))
      throw UsageError("--size-fifos-only and --stitch-only exclude each other");
    std::string out = r["output"].as<std::string>();
    if (out == "-")
      throw UsageError("the output must be a file: the model records paths relative to it");
    Model m = Model::load(single_input(r));
    std::optional<ClockPeriod> clk;
    if (r.count("clk-ns"))
      clk = ClockPeriod::parse(r["clk-ns"].as<std::string>());
    else if (auto recorded = m.metadata("clk_ns"))
      clk = ClockPeriod::parse(*recorded);
    if (!clk) fail("the model records no clock period: give --clk-ns");
    m.set_metadata("clk_ns", clk->text());
    fs::path model_dir = fs::absolute(out).parent_path();
    fs::path dir =
        fs::absolute(r.count("out-dir") ? fs::path(r["out-dir"].as<std::string>()) : model_dir);
    make_dirs(dir);
    if (!r.count("stitch-only")) {
      FifoSizing s = size_fifos(m, dir / "fifo_sizing", clk->ns);
      write_python_json((dir / "fifo_sizing.json").string(), sizing_report(s));
      std::cerr << "stitch: " << s.fifos.size() << " FIFOs measured over " << s.frames
                << " frames; total FIFO bits " << s.total_bits() << "; " << s.cycles_sized
                << " cycles sized vs " << s.cycles_deep << " deep\n";
    }
    if (!r.count("size-fifos-only")) {
      generate_ip(m, dir / "ip", model_dir);
      write_stitched_ip(m, dir / "stitched_ip", model_dir, clk->ns, r["part"].as<std::string>());
      std::cerr << "stitch: " << m.node_count() << " layers in " << (dir / "stitched_ip").string()
                << "\n";
    }
    if (r.count("write-config"))
      write_python_json(r["write-config"].as<std::string>(), extract_hw_config(m));
    m.save(out);
    return 0;
  });
}
