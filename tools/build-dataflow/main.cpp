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
#include "shoal/core/cli.hpp"
#include "shoal/core/error.hpp"
#include "shoal/core/io.hpp"
#include "shoal/core/process.hpp"
#include "shoal/core/pyjson.hpp"
#include "shoal/targets/boards.hpp"

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

// What this build left for Vivado to do, one line each: the machine has no `vivado`, and the
// build asked for Xilinx outputs that only Vivado makes exactly.
std::vector<std::string> needs_vivado(const BuildConfig& cfg,
                                      const std::optional<std::string>& part, const fs::path& out) {
  std::vector<std::string> lines;
  if (program_exists("vivado") || !part || part->rfind("ice40", 0) == 0) return lines;
  if (cfg.wants("out_of_context_synth") &&
      std::find(cfg.steps.begin(), cfg.steps.end(), "step_out_of_context_synthesis") !=
          cfg.steps.end())
    lines.push_back(
        fmt::format("Needs Vivado: {} holds Yosys' resource counts and a timing estimate; Vivado's "
                    "out-of-context synthesis (script in {}) gives FINN's numbers",
                    (out / "report" / "ooc_synth_and_timing.json").string(),
                    (out / "synth" / "synth_ooc.tcl").string()));
  if (cfg.wants("bitfile") && cfg.shell() == "vivado_zynq" &&
      std::find(cfg.steps.begin(), cfg.steps.end(), "step_synthesize_bitfile") != cfg.steps.end())
    lines.push_back(fmt::format(
        "Needs Vivado: {} has no finn-accel.bit/.hwh; its README.md gives the command that "
        "builds them from the project in {}",
        (out / "bitfile").string(), (out / "synth" / "zynq").string()));
  if (cfg.wants("deployment_package") && !lines.empty() && cfg.wants("bitfile"))
    lines.push_back(fmt::format(
        "Needs Vivado: {} has the driver, but its bitfile/ only a README until the bitfile "
        "exists",
        (out / "deploy").string()));
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  ToolInfo info{
      "build-dataflow",
      "build-dataflow MODEL.onnx CONFIG.json [--output-dir DIR] [--ooc-layer-sum]",
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
      "(report/ooc_synth_and_timing.json, synth/) and bitfile (bitfile/: synth --bitfile\n"
      "for board with shell_flow_type vivado_zynq or ice40_uart, default the board's). Any\n"
      "of them makes the stitched design. Where `vivado` is not on PATH, the Xilinx outputs\n"
      "that need it are listed before `Completed successfully`, one `Needs Vivado:` line\n"
      "each: the OOC numbers are then Yosys' estimate, and a Zynq bitfile is a Vivado\n"
      "project with a README. --ooc-layer-sum makes Yosys' OOC numbers the sum of the layers\n"
      "synthesized alone, in parallel and cached (synth --layer-sum: faster, not exact).\n"};
  auto options = make_options(info);
  options.add_options()("output-dir", "output directory (overrides output_dir)",
                        cxxopts::value<std::string>())(
      "ooc-layer-sum", "out_of_context_synth as the sum of the layers alone (not exact)")(
      "positional", "model and config", cxxopts::value<std::vector<std::string>>());
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
    // FINN's hardware outputs all work on the stitched design, so it is made whenever one
    // is asked for (FINN's ZynqBuild stitches its own copy for bitfile without STITCHED_IP).
    bool stitch = false;
    for (const char* output : {"stitched_ip", "rtlsim_performance", "out_of_context_synth",
                               "bitfile", "pynq_driver", "deployment_package"})
      stitch = stitch || cfg.wants(output);
    const std::string shell = cfg.shell();
    if (cfg.wants("bitfile")) {
      if (!cfg.board)
        fail("generate_outputs: bitfile needs board (the shell is made for a board: {})",
             "Ultra96, Pynq-Z2, ZCU104, ..., iCEBreaker, iCE40HX8K-B-EVN");
      if (shell == "vitis_alveo")
        fail(
            "generate_outputs: bitfile for shell_flow_type vitis_alveo needs Vitis (v++); "
            "shoal builds bitfiles for vivado_zynq and ice40_uart");
      find_board(*cfg.board, shell);  // an unknown board fails before the build starts
    }
    // The part matters only to the hardware steps; estimate-only builds need neither
    // fpga_part nor board.
    std::optional<std::string> part;
    if (makefile == "dataflow.mk" && stitch) part = cfg.part();
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
        std::string("STITCHED_IP=") + (stitch ? "1" : "0"),
        std::string("RTLSIM_PERFORMANCE=") + (cfg.wants("rtlsim_performance") ? "1" : "0"),
        "RTLSIM_N=" + (cfg.rtlsim_batch_size ? std::to_string(*cfg.rtlsim_batch_size) : ""),
        std::string("OOC_SYNTH=") + (cfg.wants("out_of_context_synth") ? "1" : "0"),
        std::string("OOC_LAYER_SUM=") + (r.count("ooc-layer-sum") ? "1" : "0"),
        std::string("PYNQ_DRIVER=") + (cfg.wants("pynq_driver") ? "1" : "0"),
        std::string("DEPLOYMENT_PACKAGE=") + (cfg.wants("deployment_package") ? "1" : "0"),
        std::string("BITFILE=") + (cfg.wants("bitfile") ? "1" : "0"),
        "BOARD=" + cfg.board.value_or(""),
        "SHELL_FLOW_TYPE=" + shell,
        std::string("DRIVER_PLATFORM=") + (shell == "vitis_alveo" ? "alveo" : "zynq-iodma"),
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
    for (const std::string& line : needs_vivado(cfg, part, out)) {
      std::cout << line << "\n";
      log << log_stamp() << line << "\n";
    }
    std::cout << "Completed successfully\n";
    log << log_stamp() << "Completed successfully\n";
    return 0;
  });
}
