// build-dataflow: FINN's build_dataflow front: runs the pipeline Makefile one step at a
// time from a dataflow_build_config.json.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "config.hpp"
#include "shoal/cli.hpp"
#include "shoal/error.hpp"
#include "shoal/io.hpp"
#include "shoal/process.hpp"
#include "shoal/pyjson.hpp"

using namespace shoal;
namespace fs = std::filesystem;

namespace {

// "[2026-11-27 15:04:05,123] ": the asctime prefix of FINN's build_dataflow.log.
std::string log_stamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  int ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return fmt::format("[{},{:03d}] ", buf, ms);
}

fs::path pipelines_dir() {
  if (const char* env = std::getenv("SHOAL_PIPELINES")) return env;
  fs::path exe = executable_dir();
  for (fs::path candidate :
       {exe / ".." / ".." / "pipelines", exe / ".." / ".." / "share" / "shoal" / "pipelines"})
    if (fs::exists(candidate / "estimate.mk")) return fs::weakly_canonical(candidate);
  fail("cannot find the pipeline Makefiles (set SHOAL_PIPELINES)");
}

// Which Makefile runs a step: estimate.mk holds the estimate-only steps, dataflow.mk
// (which includes it) the rest of FINN's default list.
std::string makefile_for(const std::string& step) {
  for (const auto& s : estimate_only_steps())
    if (s == step) return "estimate.mk";
  for (const auto& s : default_steps())
    if (s == step) return "dataflow.mk";
  fail("unknown step '{}'", step);
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "build-dataflow", "build-dataflow MODEL.onnx CONFIG.json [--output-dir DIR]",
      "Builds a dataflow accelerator from MODEL.onnx as FINN's build_dataflow does, driven\n"
      "by a FINN dataflow_build_config.json (output_dir, synth_clk_period_ns,\n"
      "generate_outputs, target_fps, folding_config_file, mvau_wwidth_max, steps, ...;\n"
      "an unknown key is an error). Each step is a rule of the Makefiles in pipelines/,\n"
      "run in order: `Running step: <step> [i/n]` per step, `Completed successfully` at\n"
      "the end. The output directory gets intermediate_models/<step>.onnx (and\n"
      "dataflow_parent.onnx), report/, time_per_step.json and build_dataflow.log\n"
      "(appended to, with the tools' output). output_dir is relative to the current\n"
      "directory unless --output-dir overrides it; folding_config_file is relative to\n"
      "the config's directory. Re-running skips steps whose inputs did not change.\n"
      "Hardware outputs: stitched_ip (ip/, fifo_sizing.json, final_hw_config.json,\n"
      "stitched_ip/), rtlsim_performance (report/rtlsim_performance.json), pynq_driver\n"
      "(driver/), deployment_package (deploy/) and out_of_context_synth\n"
      "(report/ooc_synth_and_timing.json, synth/); bitfile is not available yet.\n"};
  auto options = make_options(info);
  options.add_options()("output-dir", "output directory (overrides output_dir)",
                        cxxopts::value<std::string>())("positional", "model and config",
                                                       cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"positional"});
  return run_tool(info, options, argc, argv, [](const cxxopts::ParseResult& r) {
    if (!r.count("positional") || r["positional"].as<std::vector<std::string>>().size() != 2)
      throw UsageError("expected MODEL.onnx and CONFIG.json");
    const auto& pos = r["positional"].as<std::vector<std::string>>();
    fs::path model = fs::absolute(pos[0]);
    if (!fs::exists(model)) fail("cannot read '{}': No such file or directory", pos[0]);
    fs::path config_path = pos[1];
    BuildConfig cfg = parse_build_config(read_file(config_path.string()), config_path.string(),
                                         fs::absolute(config_path).parent_path());
    std::string makefile = "estimate.mk";
    for (const auto& step : cfg.steps)
      if (makefile_for(step) == "dataflow.mk") makefile = "dataflow.mk";
    if (cfg.wants("bitfile"))
      fail(
          "generate_outputs: 'bitfile' is not available yet in shoal (available: "
          "estimate_reports, stitched_ip, rtlsim_performance, out_of_context_synth, "
          "pynq_driver, deployment_package)");
    for (const char* output :
         {"rtlsim_performance", "out_of_context_synth", "pynq_driver", "deployment_package"})
      if (cfg.wants(output) && !cfg.wants("stitched_ip"))
        fail("generate_outputs: {} needs stitched_ip (it works on the stitched design)", output);
    // The part matters only to the stitched IP's project script; estimate-only builds
    // need neither fpga_part nor board.
    std::optional<std::string> part;
    if (makefile == "dataflow.mk" && cfg.wants("stitched_ip")) part = cfg.part();
    fs::path out = r.count("output-dir") ? fs::path(r["output-dir"].as<std::string>())
                                         : fs::path(cfg.output_dir);
    make_dirs(out);
    // Made here so that the pipeline need not start `mkdir` (a process costs ~4 ms).
    make_dirs(out / "intermediate_models");
    make_dirs(out / ".step_args");
    fs::path pipelines = pipelines_dir();

    std::vector<std::string> vars = {
        "MODEL=" + model.string(),
        "OUT=" + fs::absolute(out).string(),
        "BIN=" + executable_dir().string(),
        "CLK_NS=" + cfg.synth_clk_period_ns.text(),
        "MVAU_WWIDTH_MAX=" + std::to_string(cfg.mvau_wwidth_max),
        "MEM_MODE=" + cfg.default_mem_mode,
        std::string("STANDALONE_THRESHOLDS=") + (cfg.standalone_thresholds ? "1" : "0"),
        std::string("ESTIMATE_REPORTS=") + (cfg.wants("estimate_reports") ? "1" : "0"),
        "TARGET_FPS=" + cfg.target_fps_text.value_or(""),
        "FOLDING_CONFIG=" +
            (cfg.folding_config_file ? fs::absolute(*cfg.folding_config_file).string() : ""),
        std::string("STITCHED_IP=") + (cfg.wants("stitched_ip") ? "1" : "0"),
        std::string("RTLSIM_PERFORMANCE=") + (cfg.wants("rtlsim_performance") ? "1" : "0"),
        "RTLSIM_N=" + (cfg.rtlsim_batch_size ? std::to_string(*cfg.rtlsim_batch_size) : ""),
        std::string("OOC_SYNTH=") + (cfg.wants("out_of_context_synth") ? "1" : "0"),
        std::string("PYNQ_DRIVER=") + (cfg.wants("pynq_driver") ? "1" : "0"),
        std::string("DEPLOYMENT_PACKAGE=") + (cfg.wants("deployment_package") ? "1" : "0"),
        std::string("DRIVER_PLATFORM=") +
            (cfg.shell_flow_type == std::optional<std::string>("vitis_alveo") ? "alveo"
                                                                              : "zynq-iodma"),
    };
    if (part) vars.push_back("FPGA_PART=" + *part);

    std::ofstream log(out / "build_dataflow.log", std::ios::app);
    if (!log) fail("cannot write '{}'", (out / "build_dataflow.log").string());
    std::cout << "Building dataflow accelerator from " << model.string() << "\n"
              << "Outputs will be generated in " << out.string() << "\n"
              << "Build log is at " << (out / "build_dataflow.log").string() << "\n"
              << std::flush;
    // One make run up to the last requested step. Its recipes announce each step as it
    // starts ("Running step: <step>"); steps that are up to date run nothing and take 0 s.
    const std::size_t n = cfg.steps.size();
    std::vector<double> seconds(n, 0.0);
    std::size_t next = 0;  // steps [0, next) have been announced
    auto clock = std::chrono::steady_clock::now();
    std::optional<std::size_t> running;
    auto announce_through = [&](std::size_t last) {
      auto now = std::chrono::steady_clock::now();
      if (running) seconds[*running] += std::chrono::duration<double>(now - clock).count();
      clock = now;
      for (; next <= last && next < n; ++next) {
        std::string line = fmt::format("Running step: {} [{}/{}]", cfg.steps[next], next + 1, n);
        std::cout << line << "\n" << std::flush;
        log << log_stamp() << line << "\n" << std::flush;
      }
      running = last < n ? std::optional<std::size_t>(last) : std::nullopt;
    };
    std::vector<std::string> cmd = {"make", "--no-print-directory", "-f",
                                    (pipelines / makefile).string(), cfg.steps.back()};
    cmd.insert(cmd.end(), vars.begin(), vars.end());
    ProcessResult p = run_process(cmd, {}, [&](const std::string& l) {
      static const std::string marker = "Running step: ";
      if (l.rfind(marker, 0) == 0) {
        std::string step = l.substr(marker.size());
        auto it = std::find(cfg.steps.begin(), cfg.steps.end(), step);
        if (it != cfg.steps.end())
          announce_through(static_cast<std::size_t>(it - cfg.steps.begin()));
        return;
      }
      log << log_stamp() << l << "\n";
    });
    if (p.exit_code != 0) {
      std::istringstream lines(p.output);
      for (std::string l; std::getline(lines, l);)
        if (l.find(": error:") != std::string::npos) std::cerr << l << "\n";
      std::cerr << "Build failed"
                << (running ? " (step " + cfg.steps[*running] + "; the log has the details)"
                            : std::string())
                << "\n";
      log << log_stamp() << "Build failed\n";
      return 1;
    }
    announce_through(n);
    nlohmann::ordered_json times = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < n; ++i) times[cfg.steps[i]] = seconds[i];
    write_python_json((out / "time_per_step.json").string(), times);
    std::cout << "Completed successfully\n";
    log << log_stamp() << "Completed successfully\n";
    return 0;
  });
}
