// rtlsim: FINN's rtlsim execution and step_measure_rtlsim_performance, with Verilator.
#include <filesystem>
#include <iostream>

#include "shoal/core/batch.hpp"
#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/model.hpp"
#include "shoal/core/npy.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/hw/rtlsim.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

void report_build(const RtlsimRun& run) {
  if (run.binary.from_cache)
    std::cerr << "rtlsim: simulator from the cache\n";
  else
    std::cerr << "rtlsim: built the simulator in " << run.binary.build_seconds << " s\n";
  std::cerr << "rtlsim: " << run.sim.cycles << " cycles in " << run.sim.run_seconds << " s\n";
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "rtlsim",
      "rtlsim STITCHED.onnx INPUT.npy -o OUTPUT.npy [--trace OUT.fst]\n"
      "       rtlsim STITCHED.onnx --perf --report-dir DIR [-n N]",
      "Simulates the stitched design of a model (after `stitch`) with Verilator; the\n"
      "simulator is built once per design and kept in a cache ($SHOAL_SIM_CACHE, else\n"
      "~/.cache/shoal/rtlsim).\n"
      "With INPUT.npy: every sample (the model's input shape, or a batch of them along the\n"
      "first axis) is packed into stream beats as FINN packs them, all frames are streamed\n"
      "back to back, and the outputs are unpacked into OUTPUT.npy (stacked as onnx-exec\n"
      "stacks them). --trace writes an FST waveform.\n"
      "With --perf: N frames of random input (default: the number of layers, as FINN v0.6)\n"
      "as fast as the design takes them; DIR/rtlsim_performance.json gets FINN's keys\n"
      "(cycles, runtime[ms], throughput[images/s], DRAM_in/out_bandwidth[Mb/s], fclk[mhz],\n"
      "N, latency_cycles: cycles until the first frame was out) and\n"
      "stable_throughput[images/s] = N / ((cycles - latency_cycles) * clock period).\n"};
  auto options = make_options(info);
  options.add_options()("o,output", "output .npy", cxxopts::value<std::string>())(
      "trace", "write an FST waveform here", cxxopts::value<std::string>())(
      "perf", "measure performance instead")("report-dir", "where rtlsim_performance.json goes",
                                             cxxopts::value<std::string>())(
      "n", "frames for --perf", cxxopts::value<int64_t>())(
      "seed", "seed of the random frames", cxxopts::value<uint64_t>()->default_value("1"))(
      "positional", "stitched model and input", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    std::vector<std::string> pos;
    if (r.count("positional")) pos = r["positional"].as<std::vector<std::string>>();
    if (pos.empty()) throw UsageError("expected a stitched model");
    Model m = Model::load(pos[0]);
    if (r.count("perf")) {
      if (pos.size() != 1) throw UsageError("--perf takes no input .npy");
      if (r.count("trace")) throw UsageError("--trace goes with an INPUT.npy run, not --perf");
      if (!r.count("report-dir")) throw UsageError("--perf needs --report-dir DIR");
      int64_t n = r.count("n") ? r["n"].as<int64_t>() : m.node_count();
      RtlsimRun run;
      auto perf = rtlsim_performance(m, n, r["seed"].as<uint64_t>(), &run);
      report_build(run);
      fs::path dir = r["report-dir"].as<std::string>();
      make_dirs(dir);
      write_python_json((dir / "rtlsim_performance.json").string(), perf);
      return 0;
    }
    if (pos.size() != 2) throw UsageError("expected a stitched model and an input .npy");
    if (!r.count("output")) throw UsageError("-o OUTPUT.npy is required");
    Tensor input = read_npy(pos[1]);
    const std::string in_name = m.graph_input_names().at(0);
    Batch batch = split_batch(input, m.static_shape(in_name), in_name, pos[1]);
    RtlsimOptions o;
    if (r.count("trace")) {
      o.trace_file = fs::absolute(r["trace"].as<std::string>());
      // Verilator's FST writer fails silently on a missing directory.
      if (!fs::is_directory(o.trace_file.parent_path()))
        fail("cannot write '{}': No such file or directory", r["trace"].as<std::string>());
    }
    RtlsimRun run = rtlsim_run(m, batch.samples, o);
    report_build(run);
    write_npy(r["output"].as<std::string>(), stack_outputs(run.outputs, batch.single));
    return 0;
  });
}
