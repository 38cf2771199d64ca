// ipgen: FINN's step_hls_ipgen (PrepareIP + HLSSynthIP), with RTL written directly.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/model.hpp"
#include "shoal/hw/stitch.hpp"
#include "shoal/ops/rtl.hpp"

using namespace shoal;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  ToolInfo info{
      "ipgen", "ipgen IN.onnx -o OUT.onnx [--out-dir DIR] [--thresholds parallel|search]",
      "Generates the hardware of every layer of a folded dataflow model: for each node a\n"
      "directory DIR/<node>/ with its Verilog wrapper (module <node>, AXI-Stream in0_V and\n"
      "out_V, TDATA padded to bytes), its memory files ($readmemh: weights and thresholds in\n"
      "the layouts of hls/README.md) and the hls/ modules it instantiates. Each node records\n"
      "its directory (code_gen_dir_ipgen, ip_path; relative to OUT.onnx) and module\n"
      "(gen_top_module). DIR defaults to ip/ beside OUT.onnx.\n"
      "--thresholds chooses how the thresholds of every StreamingFCLayer_Batch with an\n"
      "activation and every Thresholding_Batch are compared: parallel (default) compares\n"
      "with all of a channel's thresholds at once from one wide memory line; search runs a\n"
      "pipelined binary search, one comparator and one small ROM per stage and lane\n"
      "(ceil(log2(steps+1)) stages, a few cycles more latency, the same throughput; fits\n"
      "block RAM and small FPGAs such as the iCE40). search needs every channel's\n"
      "thresholds ascending and records threshold_impl=\"search\" on those nodes.\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output model", cxxopts::value<std::string>())(
      "out-dir", "where the node directories go", cxxopts::value<std::string>())(
      "thresholds", "threshold implementation: parallel or search (default: parallel)",
      cxxopts::value<std::string>())("input", "input model",
                                     cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"input"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("output")) throw UsageError("-o OUT.onnx is required");
    std::string out = r["output"].as<std::string>();
    std::string impl_name = r.count("thresholds") ? r["thresholds"].as<std::string>() : "parallel";
    if (impl_name != "parallel" && impl_name != "search")
      throw UsageError("--thresholds must be parallel or search, not '" + impl_name + "'");
    ThresholdImpl impl = parse_threshold_impl(impl_name);
    if (out == "-")
      throw UsageError("the output must be a file: the model records paths relative to it");
    Model m = Model::load(single_input(r));
    fs::path model_dir = fs::absolute(out).parent_path();
    // Checked first so that a wrong -o does not fail after the IP was written.
    if (!fs::is_directory(model_dir)) fail("cannot write '{}': No such file or directory", out);
    // Also before anything is written: search needs ascending thresholds.
    set_threshold_impl(m, impl);
    fs::path ip_dir =
        r.count("out-dir") ? fs::path(r["out-dir"].as<std::string>()) : model_dir / "ip";
    int kept = generate_ip(m, fs::absolute(ip_dir), model_dir);
    apply_threshold_impl(m, fs::absolute(ip_dir));
    m.save(out);
    std::cerr << "ipgen: " << m.node_count() << " layers in " << ip_dir.string()
              << (kept ? fmt::format(" ({} unchanged, left as they were)", kept) : "") << "\n";
    return 0;
  });
}
